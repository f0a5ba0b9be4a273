"""An undo journal for writes: each change to the store records how to take it back.

A write that fails half-way (a deep insert whose third line is refused) and a ``$batch`` sent with
``Isolation: snapshot`` roll back through the journal instead of copying the store beforehand.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from gateway.sandbox.store import Row, SandboxStore

_changes = 0  # every change any journal made, in any store: indexes rebuild after one (indexes.py)


def changes() -> int:
    """How many changes journals have made so far (it only grows)."""
    return _changes


def _changed() -> None:
    global _changes
    _changes += 1


class UndoJournal:
    def __init__(self) -> None:
        self._undo: list[Callable[[], None]] = []

    def mark(self) -> int:
        """A point to roll back to."""
        return len(self._undo)

    def rollback(self, mark: int = 0) -> None:
        """Undo every change made since ``mark``, newest first."""
        while len(self._undo) > mark:
            self._undo.pop()()
            _changed()

    def insert(self, table: list[Row], row: Row) -> None:
        _changed()
        table.append(row)
        self._undo.append(lambda: _remove(table, row))

    def update(self, row: Row, changes: dict[str, Any]) -> None:
        before = {k: row[k] for k in changes if k in row}
        added = [k for k in changes if k not in row]
        _changed()
        row.update(changes)

        def undo() -> None:
            row.update(before)
            for key in added:
                row.pop(key, None)

        self._undo.append(undo)

    def delete(self, table: list[Row], row: Row) -> None:
        index = _index(table, row)
        _changed()
        del table[index]
        self._undo.append(lambda: table.insert(min(index, len(table)), row))

    def set_last_number(self, store: SandboxStore, key: tuple[str, str, str], number: str) -> None:
        had = key in store.last_numbers
        before = store.last_numbers.get(key, "")
        store.last_numbers[key] = number

        def undo() -> None:
            if had:
                store.last_numbers[key] = before
            else:
                store.last_numbers.pop(key, None)

        self._undo.append(undo)


def _index(table: list[Row], row: Row) -> int:
    # By identity: two rows may hold equal values.
    return next(i for i, r in enumerate(table) if r is row)


def _remove(table: list[Row], row: Row) -> None:
    del table[_index(table, row)]
