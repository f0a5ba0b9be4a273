"""Building a statement from detailed ledger entries: balances, running totals, portal types.

The opening balance comes from the customer's balance today less what was posted since `from`:
the entries before `from` are never read."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from gateway.bc import CustomerLedgerEntry, LedgerDocumentType, LedgerEntryType
from gateway.resolvers.statement import EntryType, Statement, build_statement, opening_balance


def entry(
    n: int,
    day: str,
    amount: str,
    document: LedgerDocumentType,
    kind: LedgerEntryType = LedgerEntryType.INITIAL_ENTRY,
) -> CustomerLedgerEntry:
    return CustomerLedgerEntry(
        entry_number=n,
        ledger_entry_number=n,
        posting_date=date.fromisoformat(day),
        due_date=date.fromisoformat(day),
        entry_type=kind,
        document_type=document,
        document_number=f"D{n}",
        amount_lcy=Decimal(amount),
        customer_number="10000",
        reason_code=None,
    )


ENTRIES = [
    entry(1, "2026-01-05", "100.00", LedgerDocumentType.INVOICE),
    entry(2, "2026-02-01", "-40.00", LedgerDocumentType.PAYMENT),
    entry(3, "2026-02-10", "-10.00", LedgerDocumentType.CREDIT_MEMO),
    entry(4, "2026-02-11", "5.00", LedgerDocumentType.REFUND),
    entry(5, "2026-02-12", "0.01", LedgerDocumentType.PAYMENT, LedgerEntryType.REALIZED_LOSS),
    entry(6, "2026-03-01", "7.00", LedgerDocumentType.FINANCE_CHARGE_MEMO),
]
BALANCE = Decimal("62.01")  # BC's Balance (LCY): every entry summed


def statement(start: date, end: date) -> Statement:
    """As the resolver builds it: from the entries since ``start`` and today's balance only."""
    since = [e for e in ENTRIES if e.posting_date >= start]
    return build_statement(since, start, end, opening=opening_balance(BALANCE, since, start))


def test_opening_is_everything_before_from_and_closing_adds_the_movements_within() -> None:
    built = statement(date(2026, 2, 1), date(2026, 2, 28))
    assert built.opening_balance == Decimal("100.00")
    assert [e.document_number for e in built.entries] == ["D2", "D3", "D4", "D5"]
    assert [e.balance for e in built.entries] == [Decimal(v) for v in ("60.00", "50.00", "55.00", "55.01")]
    assert built.closing_balance == built.opening_balance + built.total_debit - built.total_credit
    assert built.closing_balance == Decimal("55.01")


def test_debits_and_credits_split_by_sign() -> None:
    built = statement(date(2026, 1, 1), date(2026, 12, 31))
    assert [(e.debit, e.credit) for e in built.entries[:3]] == [
        (Decimal("100.00"), Decimal(0)),
        (Decimal(0), Decimal("40.00")),
        (Decimal(0), Decimal("10.00")),
    ]


def test_types_are_portal_names_for_documents_and_adjustments() -> None:
    built = statement(date(2026, 1, 1), date(2026, 12, 31))
    assert [e.type for e in built.entries] == [
        EntryType.INVOICE,
        EntryType.PAYMENT,
        EntryType.CREDIT_MEMO,
        EntryType.REFUND,
        EntryType.EXCHANGE_DIFFERENCE,
        EntryType.FINANCE_CHARGE_MEMO,
    ]
    assert built.entries[0].description == "Invoice D1, due 2026-01-05"
    assert all("_x00" not in e.description for e in built.entries)


def test_the_opening_is_the_same_as_summing_the_history_before_from() -> None:
    for start in (date(2026, 1, 1), date(2026, 2, 2), date(2026, 2, 11), date(2026, 3, 2)):
        before = sum((e.amount_lcy for e in ENTRIES if e.posting_date < start), Decimal(0))
        assert statement(start, date(2026, 12, 31)).opening_balance == before


def test_an_empty_range_keeps_the_balance() -> None:
    built = statement(date(2026, 4, 1), date(2026, 4, 30))
    assert built.entries == []
    assert built.opening_balance == built.closing_balance == Decimal("62.01")
