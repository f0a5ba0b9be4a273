"""Which fields an operation selected, so a resolver can ask BC for exactly that in one request."""

from __future__ import annotations

from collections.abc import Iterable

from strawberry.types import Info
from strawberry.types.nodes import FragmentSpread, InlineFragment, SelectedField, Selection

# Where a connection's lines' items sit in a selection.
LINE_ITEM_PATHS = ("edges.node.lines.item", "nodes.lines.item")


def selected_paths(info: Info) -> frozenset[str]:
    """Dotted paths of field names (not aliases) under the current field, through fragments."""
    paths: set[str] = set()
    for field in info.selected_fields:
        _walk(field.selections, "", paths)
    return frozenset(paths)


def _walk(selections: Iterable[Selection], prefix: str, paths: set[str]) -> None:
    for selection in selections:
        if isinstance(selection, SelectedField):
            path = f"{prefix}{selection.name}"
            paths.add(path)
            _walk(selection.selections, f"{path}.", paths)
        elif isinstance(selection, (FragmentSpread, InlineFragment)):
            _walk(selection.selections, prefix, paths)


def selects_any(paths: frozenset[str], *wanted: str) -> bool:
    return any(path in paths for path in wanted)
