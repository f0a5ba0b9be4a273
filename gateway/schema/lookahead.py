"""Which fields an operation selected, so a resolver can ask BC for exactly that in one request.

The walk reads graphql-core's document nodes, not Strawberry's ``info.selected_fields``: that
builds a tree with every fragment spread expanded anew, so a document whose fragments spread the
next one twice (``C0 → 2 × C1 → 4 × C2 …``) costs 2ⁿ there — a 1 KB "fragment bomb" held the
event loop for 40 seconds.  Here a question ("is ``lines.item`` selected?") walks each fragment
at most once per remaining path, so the work grows with the document's size, never with how many
times its fragments would expand.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    SelectionSetNode,
)
from strawberry.types import Info

# Where a connection's lines, and their items, sit in a selection.
LINE_PATHS = ("edges.node.lines", "nodes.lines")
LINE_ITEM_PATHS = ("edges.node.lines.item", "nodes.lines.item")

Path = tuple[str, ...]


def selects(info: Info, *paths: str) -> bool:
    """Whether the selection under the current field holds any of ``paths``: dotted field names
    (not aliases), through fragments and inline fragments."""
    # Strawberry keeps graphql-core's resolve info, with the nodes and fragments, here only.
    raw = info._raw_info
    lookahead = Lookahead(raw.fragments)
    return any(lookahead.under(raw.field_nodes, tuple(path.split("."))) for path in paths)


@dataclass
class Lookahead:
    """Answers "does this selection reach ``path``?" over one document, memoised per fragment."""

    fragments: Mapping[str, FragmentDefinitionNode]
    _answers: dict[tuple[str, Path], bool] = field(default_factory=dict)

    def under(self, nodes: Iterable[FieldNode], path: Path) -> bool:
        """Whether ``path`` is selected below any of ``nodes`` (one field, possibly repeated)."""
        return any(
            node.selection_set is not None and self._reaches(node.selection_set, path) for node in nodes
        )

    def _reaches(self, selection_set: SelectionSetNode, path: Path) -> bool:
        head, rest = path[0], path[1:]
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                if selection.name.value == head and (not rest or self.under((selection,), rest)):
                    return True
            elif isinstance(selection, InlineFragmentNode):
                if self._reaches(selection.selection_set, path):
                    return True
            elif isinstance(selection, FragmentSpreadNode) and self._spread(selection.name.value, path):
                return True
        return False

    def _spread(self, name: str, path: Path) -> bool:
        key = (name, path)
        if key not in self._answers:
            # Provisional "no" while walking it: a fragment that spreads itself (validation
            # refuses those anyway) ends here instead of recursing forever.
            self._answers[key] = False
            fragment = self.fragments.get(name)
            self._answers[key] = fragment is not None and self._reaches(fragment.selection_set, path)
        return self._answers[key]
