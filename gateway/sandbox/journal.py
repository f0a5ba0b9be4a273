"""An undo journal for writes: each change to the store records how to take it back.

A write that fails half-way (a deep insert whose third line is refused) and a ``$batch`` sent with
``Isolation: snapshot`` roll back through the journal instead of copying the store beforehand.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from gateway.sandbox.store import Row, SandboxStore

# What journals changed, in any store: the indexes over a table (indexes.py) are rebuilt when its
# rows were added or removed, or when a property they index was updated in some row.
_table_changes: dict[int, int] = {}  # id(table) → insertions and deletions so far
_field_changes: dict[str, int] = {}  # property name → updates of it so far


def changes(table: list[Row], fields: tuple[str, ...]) -> tuple[int, ...]:
    """A count that moves whenever ``table`` gained or lost a row, or one of ``fields`` was
    updated in a row of any table, through a journal."""
    return (_table_changes.get(id(table), 0), *(_field_changes.get(name, 0) for name in fields))


def _rows_changed(table: list[Row]) -> None:
    _table_changes[id(table)] = _table_changes.get(id(table), 0) + 1


def _fields_changed(names: Iterable[str]) -> None:
    for name in names:
        _field_changes[name] = _field_changes.get(name, 0) + 1


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

    def insert(self, table: list[Row], row: Row) -> None:
        _rows_changed(table)
        table.append(row)
        self._undo.append(lambda: _remove(table, row))

    def update(self, row: Row, changes: dict[str, Any]) -> None:
        before = {k: row[k] for k in changes if k in row}
        added = [k for k in changes if k not in row]
        _fields_changed(changes)
        row.update(changes)

        def undo() -> None:
            _fields_changed(changes)
            row.update(before)
            for key in added:
                row.pop(key, None)

        self._undo.append(undo)

    def delete(self, table: list[Row], row: Row) -> None:
        index = _index(table, row)
        _rows_changed(table)
        del table[index]

        def undo() -> None:
            _rows_changed(table)
            table.insert(min(index, len(table)), row)

        self._undo.append(undo)

    def on_undo(self, undo: Callable[[], None]) -> None:
        """Record an undo for a change kept outside the store's tables (a pending webhook
        notification): a rolled-back write takes it back with everything else."""
        self._undo.append(undo)

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
    _rows_changed(table)
    del table[_index(table, row)]
