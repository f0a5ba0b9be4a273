"""The package surface: a small __all__, private modules, no imports from the rest of gateway."""

from __future__ import annotations

from pathlib import Path

import gateway.bc
from tests.imports import gateway_imports_outside

PACKAGE = Path(gateway.bc.__file__).parent


def test_all_names_are_importable() -> None:
    assert all(hasattr(gateway.bc, name) for name in gateway.bc.__all__)


def test_modules_behind_the_package_are_private() -> None:
    modules = [path.name for path in PACKAGE.glob("*.py") if path.name != "__init__.py"]
    assert modules
    assert all(name.startswith("_") for name in modules)


def test_bc_imports_nothing_from_the_rest_of_gateway_but_the_customer_number_rule() -> None:
    for path in PACKAGE.glob("*.py"):
        assert gateway_imports_outside(path, "gateway.bc") <= {"gateway.customer_number"}, path.name


def test_a_relative_import_out_of_the_package_is_seen() -> None:
    source = "from ..edge import logs\nfrom .. import settings\nfrom ._odata import Query\n"
    outside = gateway_imports_outside(PACKAGE / "_example.py", "gateway.bc", source=source)
    assert outside == {"gateway.edge", "gateway.settings"}


def test_nothing_mentions_graphql() -> None:
    for path in PACKAGE.glob("*.py"):
        source = path.read_text(encoding="utf-8").lower()
        assert "strawberry" not in source, path.name
