"""Dependencies point one way (docs/architecture.md): walk every import with ast and check it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent / "gateway"

# package -> the gateway packages it may import ("*" = any)
ALLOWED: dict[str, set[str]] = {
    "bc": set(),
    "auth": set(),
    "sandbox": set(),
    "store": set(),
    "portal": set(),
    "loaders": {"bc"},
    "resolvers": {"loaders", "bc", "auth"},
    "schema": {"resolvers", "loaders", "bc", "auth"},
    "webhooks": {"bc", "store"},
}
# third-party package -> the gateway packages (or top-level modules) allowed to import it
THIRD_PARTY: dict[str, set[str]] = {
    "strawberry": {"schema", "edge", "app"},
    "jose": {"auth"},
    "odata_query": {"sandbox"},
    "httpx": {"bc", "auth", "edge", "app", "cli", "sandbox"},
    "redis": {"store"},
}


def _modules() -> list[Path]:
    return sorted(ROOT.rglob("*.py"))


def _package_of(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return parts[0]


def _absolute(path: Path, module: str | None, level: int) -> str:
    """``from ..x import y`` in gateway/a/b.py → ``gateway.x``."""
    package = ["gateway", *path.relative_to(ROOT).parent.parts]
    base = package[: len(package) - (level - 1)] if level > 1 else package
    return ".".join([*base, module] if module else base)


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            module = _absolute(path, node.module, node.level) if node.level else (node.module or "")
            names.add(module)
            if module == "gateway":
                names.update(f"gateway.{alias.name}" for alias in node.names)
    return names


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_module_imports_only_layers_below_it(path: Path) -> None:
    package = _package_of(path)
    for name in _imports(path):
        parts = name.split(".")
        if parts[0] == "gateway" and len(parts) > 1 and package in ALLOWED:
            target = parts[1]
            if target != package:
                assert target in ALLOWED[package], f"gateway.{package} must not import {name}"
        allowed_users = THIRD_PARTY.get(parts[0])
        if allowed_users is not None:
            assert package in allowed_users, f"gateway.{package} must not import {parts[0]}"


def test_the_walker_sees_every_layer() -> None:
    packages = {_package_of(path) for path in _modules()}
    assert set(ALLOWED) <= packages
