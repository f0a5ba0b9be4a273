"""What a module of ``gateway`` imports, read with ``ast``: absolute and relative imports alike.

Shared by the import-direction test and the package tests of ``gateway.bc`` and ``gateway.auth``,
so that ``from ..edge import logs`` is seen wherever an import rule is checked.
"""

from __future__ import annotations

import ast
from pathlib import Path

GATEWAY = Path(__file__).resolve().parent.parent / "gateway"


def module_name(path: Path, root: Path = GATEWAY) -> str:
    """``gateway/edge/graphql.py`` → ``gateway.edge.graphql``; a package's ``__init__`` is the package."""
    parts = ["gateway", *path.relative_to(root).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _package_of(path: Path, root: Path) -> list[str]:
    return ["gateway", *path.relative_to(root).parent.parts]


def _resolve(path: Path, root: Path, module: str | None, level: int) -> str:
    """``from ..x import y`` in ``gateway/a/b.py`` → ``gateway.x``."""
    if level == 0:
        return module or ""
    package = _package_of(path, root)
    base = package[: len(package) - (level - 1)]
    return ".".join([*base, module] if module else base)


def imported_modules(path: Path, root: Path = GATEWAY, source: str | None = None) -> set[str]:
    """Every module ``path`` imports, as absolute dotted names, wherever the import statement is.

    ``from gateway import bc`` and ``from .. import edge`` name ``gateway.bc`` and ``gateway.edge``.
    """
    text = source if source is not None else path.read_text(encoding="utf-8")
    names: set[str] = set()
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            module = _resolve(path, root, node.module, node.level)
            if node.module is None or module == "gateway":
                # `from gateway import bc`, `from .. import edge`: the names are the modules.
                names.update(f"{module}.{alias.name}" for alias in node.names)
            else:
                names.add(module)
    return names


def gateway_imports_outside(
    path: Path, package: str, root: Path = GATEWAY, source: str | None = None
) -> set[str]:
    """The ``gateway`` modules ``path`` imports that are not ``package`` (e.g. ``gateway.bc``)."""
    return {
        name
        for name in imported_modules(path, root, source)
        if name.startswith("gateway.") and name != package and not name.startswith(f"{package}.")
    }
