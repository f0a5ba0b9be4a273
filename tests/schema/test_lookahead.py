"""The selection look-ahead reads each fragment a bounded number of times, however often the
document spreads it, and still sees fields through fragments and inline fragments."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Mapping

from graphql import FieldNode, FragmentDefinitionNode, OperationDefinitionNode, parse

from gateway.schema.lookahead import LINE_ITEM_PATHS, Lookahead


class CountingFragments(Mapping[str, FragmentDefinitionNode]):
    """The document's fragments, counting how often the look-ahead reads each one."""

    def __init__(self, fragments: dict[str, FragmentDefinitionNode]) -> None:
        self._fragments = fragments
        self.reads: Counter[str] = Counter()

    def __getitem__(self, name: str) -> FragmentDefinitionNode:
        self.reads[name] += 1
        return self._fragments[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._fragments)

    def __len__(self) -> int:
        return len(self._fragments)


def root_field_and_fragments(document: str) -> tuple[FieldNode, CountingFragments]:
    parsed = parse(document)
    operation = next(d for d in parsed.definitions if isinstance(d, OperationDefinitionNode))
    root = operation.selection_set.selections[0]
    assert isinstance(root, FieldNode)
    fragments = {d.name.value: d for d in parsed.definitions if isinstance(d, FragmentDefinitionNode)}
    return root, CountingFragments(fragments)


def bomb(levels: int, leaf: str) -> str:
    spreads = " ".join(
        f"fragment F{i} on SalesOrderConnection {{ ...F{i + 1} ...F{i + 1} }}" for i in range(levels)
    )
    return f"{{ orders {{ ...F0 }} }} {spreads} fragment F{levels} on SalesOrderConnection {{ {leaf} }}"


def test_a_fragment_bomb_reads_each_fragment_once_per_question() -> None:
    levels = 60  # 2^60 expansions: anything that expands fragments never returns
    root, fragments = root_field_and_fragments(bomb(levels, "nodes { lines { item { number } } }"))
    lookahead = Lookahead(fragments)
    assert lookahead.under([root], ("nodes", "lines", "item"))
    assert not lookahead.under([root], ("edges", "node", "lines", "item"))
    assert set(fragments.reads) == {f"F{i}" for i in range(levels + 1)}
    assert max(fragments.reads.values()) == 1 + 1  # one walk per question asked


def test_a_bomb_without_the_field_is_walked_once_too() -> None:
    root, fragments = root_field_and_fragments(bomb(60, "pageInfo { hasNextPage }"))
    assert not Lookahead(fragments).under([root], ("nodes", "lines", "item"))
    assert max(fragments.reads.values()) == 1


def test_fields_are_seen_through_fragments_inline_fragments_and_aliases() -> None:
    document = """{ orders { ... on SalesOrderConnection { all: edges { ...Edge } } } }
        fragment Edge on SalesOrderEdge { node { lines { product: item { number } } } }"""
    root, fragments = root_field_and_fragments(document)
    lookahead = Lookahead(fragments)
    assert [lookahead.under([root], tuple(p.split("."))) for p in LINE_ITEM_PATHS] == [True, False]


def test_a_fragment_that_spreads_itself_ends_the_walk() -> None:
    root, fragments = root_field_and_fragments(
        "{ orders { ...Loop } } fragment Loop on SalesOrderConnection { ...Loop pageInfo { hasNextPage } }"
    )
    assert not Lookahead(fragments).under([root], ("nodes",))
