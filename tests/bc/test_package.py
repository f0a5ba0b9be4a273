"""The package surface: a small __all__, private modules, no imports from the rest of gateway."""

from __future__ import annotations

import ast
from pathlib import Path

import gateway.bc

PACKAGE = Path(gateway.bc.__file__).parent


def test_all_names_are_importable() -> None:
    assert all(hasattr(gateway.bc, name) for name in gateway.bc.__all__)


def test_modules_behind_the_package_are_private() -> None:
    modules = [path.name for path in PACKAGE.glob("*.py") if path.name != "__init__.py"]
    assert modules
    assert all(name.startswith("_") for name in modules)


def test_bc_imports_nothing_from_the_rest_of_gateway() -> None:
    for path in PACKAGE.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                assert not node.module.startswith("gateway"), path.name
            if isinstance(node, ast.Import):
                assert not any(alias.name.startswith("gateway") for alias in node.names), path.name


def test_nothing_mentions_graphql() -> None:
    for path in PACKAGE.glob("*.py"):
        source = path.read_text(encoding="utf-8").lower()
        assert "strawberry" not in source, path.name
