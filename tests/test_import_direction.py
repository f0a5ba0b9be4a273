"""Dependencies point one way (docs/architecture.md): walk every import with ast and check it.

Every module of ``gateway`` belongs to exactly one unit of the table below (the longest matching
prefix), and every unit has an explicit list of what it may import: nothing may import "anything".
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.imports import GATEWAY, imported_modules, module_name

ROOT = GATEWAY

# unit (a module path below ``gateway``) -> the units it may import
_LOWER = {"schema", "resolvers", "loaders", "bc", "auth", "customer_number", "store", "webhooks", "telemetry"}
ALLOWED: dict[str, set[str]] = {
    # The one definition of a customer number, shared by tokens and BC requests: a leaf.
    "customer_number": set(),
    "bc": {"customer_number"},
    "auth": {"customer_number"},
    "sandbox": set(),  # it is "Business Central": it shares no code with the client it tests
    "store": set(),  # the shared-state seam: interfaces and the in-process store
    "telemetry": set(),  # logs, metrics and traces: the edge records through it
    "portal": set(),  # the reference portal's files and the operations they send
    "loaders": {"bc", "customer_number"},
    "resolvers": {"loaders", "bc", "auth", "customer_number", "store"},
    "schema": {"resolvers", "loaders", "bc", "auth", "customer_number"},
    # BC's webhooks: the subscriptions API (bc) and the shared store; its HTTP endpoint is the edge's.
    "webhooks": {"bc", "store"},
    "edge": _LOWER,
    # Development mode's wiring is the only gateway code that touches the sandbox.
    "edge.development": {*_LOWER, "edge", "sandbox"},
    "settings": {"edge", "resolvers", "bc", "auth", "customer_number", "store", "webhooks", "telemetry"},
    "app": {*_LOWER, "edge", "settings", "edge.development"},
    # Listening for HTTP (uvicorn) for `bc-gateway serve`.
    "server": {"settings"},
    "cli": {
        "settings",
        "telemetry",
        "app",
        "server",
        "edge.development",
        "sandbox",
        "schema",
        "portal",
        "auth",
        "customer_number",
    },
    "__main__": {"cli"},
    "": set(),  # gateway/__init__.py
}
# third-party package -> the units allowed to import it
THIRD_PARTY: dict[str, set[str]] = {
    "strawberry": {"schema", "edge", "app"},
    "jose": {"auth"},
    "odata_query": {"sandbox"},
    "httpx": {"bc", "auth", "edge", "edge.development", "app", "cli", "sandbox"},
    "redis": {"store"},
    "msgspec": {"bc"},
    "h11": {"bc"},
    "uvicorn": {"cli", "server"},
    "prometheus_client": {"telemetry"},
    "opentelemetry": {"telemetry"},
}


def _modules() -> list[Path]:
    return sorted(ROOT.rglob("*.py"))


def unit_of(module: str) -> str:
    """``gateway.edge.development.x`` → ``edge.development``; ``gateway.edge.graphql`` → ``edge``."""
    inner = module.removeprefix("gateway").removeprefix(".")
    matches = [unit for unit in ALLOWED if unit and (inner == unit or inner.startswith(f"{unit}."))]
    return max(matches, key=len) if matches else inner


def _own_unit(path: Path) -> str:
    unit = unit_of(module_name(path))
    assert unit in ALLOWED, f"{module_name(path)} belongs to no unit of the import rules"
    return unit


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_module_imports_only_what_its_unit_may(path: Path) -> None:
    unit = _own_unit(path)
    for name in imported_modules(path):
        top = name.split(".")[0]
        if top == "gateway" and name != "gateway":
            target = unit_of(name)
            if target != unit:
                assert target in ALLOWED[unit], f"gateway.{unit or '__init__'} must not import {name}"
        allowed_users = THIRD_PARTY.get(top)
        if allowed_users is not None:
            assert unit in allowed_users, f"gateway.{unit} must not import {top}"


def test_the_rules_have_no_cycle() -> None:
    def reaches(start: str, goal: str, seen: set[str]) -> bool:
        for target in ALLOWED[start] - {start}:
            if target == goal or (target not in seen and reaches(target, goal, seen | {target})):
                return True
        return False

    cycles = [unit for unit in ALLOWED if reaches(unit, unit, {unit})]
    assert cycles == []


def test_every_module_belongs_to_a_unit_and_every_unit_has_modules() -> None:
    units = {_own_unit(path) for path in _modules()}
    assert units == set(ALLOWED)


def test_a_relative_import_is_resolved_like_an_absolute_one() -> None:
    path = ROOT / "bc" / "_example.py"
    assert imported_modules(path, source="from ..edge import logs\n") == {"gateway.edge"}
    assert imported_modules(path, source="from .. import edge\n") == {"gateway.edge"}
    assert imported_modules(path, source="from ._odata import Query\n") == {"gateway.bc._odata"}


PRODUCTION_IMPORT = """
import sys
import uuid
from gateway.app import create_app
from gateway.auth import AuthSettings
from gateway.bc import BCSettings, ClientCredentials
from gateway.settings import Settings

credentials = ClientCredentials("https://login.test/t/oauth2/v2.0/token", "client", "secret")
settings = Settings(
    bc=BCSettings.on_premises("https://bc.test/bc", credentials),
    auth=AuthSettings("https://idp.test/", "api://gateway", "https://idp.test/jwks"),
)
create_app(settings)
loaded = sorted(
    name for name in sys.modules if name.startswith("gateway.sandbox") or name.split(".")[0] == "odata_query"
)
print("\\n".join(loaded))
"""


@pytest.mark.slow
def test_a_production_gateway_loads_no_sandbox_module() -> None:
    """Development wiring is imported only when development mode starts."""
    result = subprocess.run(
        [sys.executable, "-c", PRODUCTION_IMPORT],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
        cwd=ROOT.parent,
    )
    assert result.stdout.split() == []
