"""The package's public surface and import rules."""

from __future__ import annotations

import ast
from pathlib import Path

import gateway.auth

PACKAGE = Path(gateway.auth.__file__).parent


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_public_names_are_exported() -> None:
    assert set(gateway.auth.__all__) >= {
        "AuthError",
        "AuthSettings",
        "ClaimNames",
        "DevIdentityProvider",
        "Identity",
        "JwksCache",
        "Membership",
        "TokenValidator",
        "bearer_token",
    }
    assert all(hasattr(gateway.auth, name) for name in gateway.auth.__all__)


def test_jose_and_cryptography_are_imported_in_one_module_only() -> None:
    importers = {
        path.name
        for path in PACKAGE.glob("*.py")
        if any(name.split(".")[0] in {"jose", "cryptography"} for name in imported_modules(path))
    }

    assert importers == {"_jose.py"}


def test_auth_imports_nothing_from_the_rest_of_gateway() -> None:
    for path in PACKAGE.glob("*.py"):
        foreign = {
            name
            for name in imported_modules(path)
            if name.startswith("gateway") and not name.startswith("gateway.auth")
        }
        assert not foreign, f"{path.name} imports {foreign}"
