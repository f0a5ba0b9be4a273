"""The customer ledger: one entry per posted invoice, credit memo and payment, and the detailed
entries (initial amount, then applications) that move each entry's remaining amount to zero.

Balances, overdue amounts and aging are sums over these entries, and the analytics route lists
the detailed entries, so both routes tell the same story to the cent.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from .basics import ZERO
from .ledger import Ledger
from .model import Customer, Invoice

INVOICE, CREDIT_MEMO, PAYMENT = "Invoice", "Credit_x0020_Memo", "Payment"


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    """A Cust. Ledger Entry; `amount` is signed (positive = the customer owes us)."""

    entry_no: int
    customer: Customer
    document_type: str
    document_no: str
    posting_date: date
    document_date: date
    due_date: date
    amount: Decimal
    invoice: Invoice | None
    reason_code: str


@dataclass(frozen=True, slots=True)
class DetailedEntry:
    entry_no: int
    entry: LedgerEntry
    posting_date: date
    entry_type: str
    document_type: str
    document_no: str
    amount: Decimal
    amount_lcy: Decimal
    application_no: int
    applied_entry_no: int


@dataclass(frozen=True, slots=True)
class Receivables:
    entries: tuple[LedgerEntry, ...]
    details: tuple[DetailedEntry, ...]

    def remaining(self) -> dict[int, tuple[Decimal, Decimal]]:
        """Remaining amount and remaining amount (LCY) per ledger entry number."""
        sums: dict[int, list[Decimal]] = defaultdict(lambda: [ZERO, ZERO])
        for d in self.details:
            sums[d.entry.entry_no][0] += d.amount
            sums[d.entry.entry_no][1] += d.amount_lcy
        return {no: (pair[0], pair[1]) for no, pair in sums.items()}

    def closed_at(self) -> dict[int, date]:
        """The day each closed entry's remaining amount reached zero."""
        running: dict[int, Decimal] = defaultdict(Decimal)
        closed: dict[int, date] = {}
        for d in sorted(self.details, key=lambda d: (d.posting_date, d.entry_no)):
            running[d.entry.entry_no] += d.amount
            if running[d.entry.entry_no] == 0:
                closed[d.entry.entry_no] = d.posting_date
            else:
                closed.pop(d.entry.entry_no, None)
        return closed


@dataclass(frozen=True, slots=True)
class _Application:
    posting_date: date
    document_type: str
    document_no: str
    closing: LedgerEntry
    closed: LedgerEntry
    amount: Decimal


def build_receivables(ledger: Ledger) -> Receivables:
    entries = _entries(ledger)
    by_document = {(e.document_type, e.document_no): e for e in entries}
    applications = _applications(ledger, by_document)
    details: list[tuple[date, int, DetailedEntry]] = []
    for e in entries:
        lcy = e.customer.to_lcy(e.amount)
        details.append(
            (e.posting_date, 0, _detail(e, e.posting_date, "Initial_x0020_Entry", e, e.amount, lcy, 0, 0))
        )
    for number, a in enumerate(applications, start=1):
        lcy = a.closed.customer.to_lcy(a.amount)
        doc = (a.document_type, a.document_no)
        details.append(
            (a.posting_date, 1, _app(a.closed, a, doc, -a.amount, -lcy, number, a.closing.entry_no))
        )
        details.append((a.posting_date, 1, _app(a.closing, a, doc, a.amount, lcy, number, a.closed.entry_no)))
    ordered = [d for _, _, d in sorted(details, key=lambda t: (t[0], t[1], t[2].entry.entry_no))]
    numbered = tuple(replace(d, entry_no=n) for n, d in enumerate(ordered, start=1))
    return Receivables(tuple(entries), numbered + _rounding(numbered))


def _entries(ledger: Ledger) -> list[LedgerEntry]:
    unnumbered = [
        LedgerEntry(
            0,
            i.customer,
            INVOICE,
            i.number,
            i.posting_date,
            i.document_date,
            i.due_date,
            i.amounts.including_tax,
            i,
            "",
        )
        for i in ledger.invoices
        if i.posted
    ]
    unnumbered += [
        # Returns carry a reason code; cancellations do not.
        LedgerEntry(
            0,
            m.customer,
            CREDIT_MEMO,
            m.number,
            m.posting_date,
            m.document_date,
            m.posting_date,
            -m.amounts.including_tax,
            None,
            "RETURN" if m.status in ("Open", "Paid") else "",
        )
        for m in ledger.credit_memos
        if m.posted
    ]
    unnumbered += [
        LedgerEntry(
            0,
            p.customer,
            PAYMENT,
            p.number,
            p.posting_date,
            p.posting_date,
            p.posting_date,
            -p.amount,
            None,
            "",
        )
        for p in ledger.payments
    ]
    unnumbered.sort(key=lambda e: (e.posting_date, e.document_no))
    return [replace(e, entry_no=n) for n, e in enumerate(unnumbered, start=1)]


def _applications(ledger: Ledger, by_document: dict[tuple[str, str], LedgerEntry]) -> list[_Application]:
    applications = []
    for p in ledger.payments:
        payment = by_document[(PAYMENT, p.number)]
        for a in p.applications:
            invoice = by_document[(INVOICE, a.invoice_number)]
            applications.append(_Application(p.posting_date, PAYMENT, p.number, payment, invoice, a.amount))
    for m in ledger.credit_memos:
        # A posted credit memo with nothing remaining was applied to (or cancelled with) its invoice.
        if m.posted and m.invoice is not None and not m.remaining:
            memo = by_document[(CREDIT_MEMO, m.number)]
            invoice = by_document[(INVOICE, m.invoice.number)]
            day = max(m.posting_date, m.invoice.posting_date)
            applications.append(
                _Application(day, CREDIT_MEMO, m.number, memo, invoice, m.amounts.including_tax)
            )
    return applications


def _detail(
    e: LedgerEntry,
    day: date,
    kind: str,
    source: LedgerEntry,
    amount: Decimal,
    lcy: Decimal,
    app: int,
    applied: int,
) -> DetailedEntry:
    return DetailedEntry(0, e, day, kind, source.document_type, source.document_no, amount, lcy, app, applied)


def _app(
    e: LedgerEntry,
    a: _Application,
    doc: tuple[str, str],
    amount: Decimal,
    lcy: Decimal,
    app: int,
    applied: int,
) -> DetailedEntry:
    return DetailedEntry(0, e, a.posting_date, "Application", doc[0], doc[1], amount, lcy, app, applied)


def _rounding(details: tuple[DetailedEntry, ...]) -> tuple[DetailedEntry, ...]:
    """Closed foreign-currency entries can keep a cent in LCY; BC posts it as a realized gain or loss."""
    sums: dict[int, list[Decimal]] = defaultdict(lambda: [ZERO, ZERO])
    last: dict[int, DetailedEntry] = {}
    for d in details:
        sums[d.entry.entry_no][0] += d.amount
        sums[d.entry.entry_no][1] += d.amount_lcy
        last[d.entry.entry_no] = d
    extra = []
    next_no = len(details) + 1
    for entry_no, (amount, lcy) in sums.items():
        if amount == 0 and lcy != 0:
            d = last[entry_no]
            kind = "Realized_x0020_Loss" if lcy > 0 else "Realized_x0020_Gain"
            extra.append(
                DetailedEntry(
                    next_no,
                    d.entry,
                    d.posting_date,
                    kind,
                    d.document_type,
                    d.document_no,
                    ZERO,
                    -lcy,
                    d.application_no,
                    d.applied_entry_no,
                )
            )
            next_no += 1
    return tuple(extra)
