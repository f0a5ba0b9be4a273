"""The undo journal and number series behind the sandbox's writes."""

from __future__ import annotations

from gateway.sandbox.journal import UndoJournal
from gateway.sandbox.numbers import increment, next_number
from gateway.sandbox.store import STANDARD_ROUTE, SandboxStore


def test_increment_bumps_the_last_run_of_digits_keeping_its_width() -> None:
    assert increment("SZA/26/000009") == "SZA/26/000010"
    assert increment("S-ORD101999") == "S-ORD102000"
    assert increment("CQ-00099") == "CQ-00100"
    assert increment("ABC") == "ABC1"


def test_rollback_undoes_inserts_updates_deletes_and_numbers_newest_first() -> None:
    store = SandboxStore(companies=[])
    table = store.table("c", STANDARD_ROUTE, "customers")
    kept = {"id": "1", "name": "A"}
    twin = {"id": "1", "name": "A"}  # equal values, another row: undo works by identity
    table.extend([kept, twin])
    journal = UndoJournal()
    journal.insert(table, {"id": "2", "name": "B"})
    journal.update(kept, {"name": "A2", "extra": 1})
    journal.delete(table, twin)
    assert next_number(store, journal, "c", STANDARD_ROUTE, "customers", "C-001") == "C-001"
    journal.rollback()
    assert table == [kept, twin]
    assert table[1] is twin
    assert kept == {"id": "1", "name": "A"}
    assert store.last_numbers == {}


def test_rollback_to_a_mark_keeps_earlier_changes() -> None:
    row = {"n": 0}
    journal = UndoJournal()
    journal.update(row, {"n": 1})
    mark = journal.mark()
    journal.update(row, {"n": 2})
    journal.rollback(mark)
    assert row == {"n": 1}
