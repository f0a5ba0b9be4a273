"""The package's public surface and import rules."""

from __future__ import annotations

from pathlib import Path

import gateway.auth
from tests.imports import gateway_imports_outside, imported_modules

PACKAGE = Path(gateway.auth.__file__).parent


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


def test_auth_imports_nothing_from_the_rest_of_gateway_but_the_customer_number_rule() -> None:
    for path in PACKAGE.glob("*.py"):
        foreign = gateway_imports_outside(path, "gateway.auth") - {"gateway.customer_number"}
        assert not foreign, f"{path.name} imports {foreign}"


def test_a_relative_import_out_of_the_package_is_seen() -> None:
    source = "from ..edge import logs\nfrom . import errors\n"
    assert gateway_imports_outside(PACKAGE / "_example.py", "gateway.auth", source=source) == {"gateway.edge"}
