"""Lookups into the sandbox's tables by a property's value, kept between requests.

BC answers a keyed read (``customerNumber eq '10000'``, ``number eq 'S-ORD1'``, a document's lines
for ``$expand``) from an index, not by reading the whole table; so does the sandbox, or it would be
the slowest part of every test and benchmark.  An index maps a value (text folded to lower case,
as BC's keys compare) to the positions of the rows holding it, in table order; a caller takes the
rows at those positions and still checks each one against the whole filter, so an index only ever
narrows the rows looked at.

An index is rebuilt when it may be stale: every write goes through the undo journal, which counts
rows added to or removed from each table and updates of each property (``journal.changes``); a
table whose length or last row differs from when the index was built (a change made around the
journal) is read again too.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from typing import Any

from gateway.sandbox.journal import changes
from gateway.sandbox.store import Row

__all__ = ["TableIndexes", "index_key"]

Positions = dict[tuple[Hashable, ...], list[int]]


def index_key(value: Any) -> Hashable:
    """How values meet in an index: text case-insensitively (GUIDs and codes alike)."""
    return value.lower() if isinstance(value, str) else value


class TableIndexes:
    """The indexes of one store's tables, built on first use, one per (table, properties)."""

    def __init__(self) -> None:
        self._built: dict[tuple[int, tuple[str, ...]], tuple[tuple[int, ...], list[Row], Positions]] = {}

    def positions(self, table: list[Row], fields: tuple[str, ...]) -> Positions:
        fingerprint = (len(table), id(table[-1]) if table else 0, *changes(table, fields))
        found = self._built.get((id(table), fields))
        if found is not None and found[0] == fingerprint and found[1] is table:
            return found[2]
        index: Positions = {}
        for position, row in enumerate(table):
            index.setdefault(tuple(index_key(row.get(f)) for f in fields), []).append(position)
        self._built[(id(table), fields)] = (fingerprint, table, index)
        return index

    def rows(self, table: list[Row], fields: tuple[str, ...], values: Iterable[tuple[Any, ...]]) -> list[Row]:
        """The rows whose ``fields`` hold one of ``values`` (case-insensitively), in table order."""
        index = self.positions(table, fields)
        keys = list(dict.fromkeys(tuple(index_key(v) for v in value) for value in values))
        if len(keys) == 1:
            return [table[position] for position in index.get(keys[0], ())]
        found: set[int] = set()
        for key in keys:
            found.update(index.get(key, ()))
        return [table[position] for position in sorted(found)]
