"""compose.yaml, read as the tests need it: the services, and a replica's environment with
`${VAR:-default}` resolved to its default."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
_DEFAULTED = re.compile(r"\$\{[A-Z_]+:-([^}]*)\}")


def compose() -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))
    return document


def environment(service: dict[str, Any]) -> dict[str, str]:
    """A service's environment as a process gets it: values as strings, defaults filled in."""
    return {name: _DEFAULTED.sub(r"\1", str(value)) for name, value in service.get("environment", {}).items()}
