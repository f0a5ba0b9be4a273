"""The account statement for a date range, from the analytics API's ``customerLedgerEntries``.

Two reads, together (one ``$batch``, kept as one answer): the caller's detailed ledger entries
posted on or after ``from`` — without applications (an application moves an amount between two
of the customer's own entries on one day: its two halves cancel out and a statement does not
list them) — and the customer's balance (``customerFinancialDetails.balance``, BC's "Balance
(LCY)": the sum of every detailed entry).  The opening balance is that balance minus everything
posted since ``from``, so the history before ``from`` is never read: a statement costs BC rows in
proportion to the entries since ``from``, whatever the customer's history (docs/caching.md,
"Cost grows with the page").  Entries in [from, to] are listed with a running balance; closing =
opening + the movements.  At today the closing balance is the customer's balance (LCY).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import Enum
from uuid import UUID

from gateway.bc import (
    ANALYTICS_API,
    STANDARD_API,
    BCProtocolError,
    Customer,
    CustomerContact,
    CustomerFinancialDetail,
    CustomerLedgerEntry,
    Field,
    LedgerDocumentType,
    LedgerEntryType,
    Query,
    scoped,
)
from gateway.resolvers.context import Context
from gateway.resolvers.errors import UserInputError

MAX_STATEMENT_DAYS = 3 * 366
_APPLICATION_TYPE = LedgerEntryType.APPLICATION


class EntryType(Enum):
    INVOICE = "INVOICE"
    PAYMENT = "PAYMENT"
    CREDIT_MEMO = "CREDIT_MEMO"
    REFUND = "REFUND"
    FINANCE_CHARGE_MEMO = "FINANCE_CHARGE_MEMO"
    REMINDER = "REMINDER"
    PAYMENT_DISCOUNT = "PAYMENT_DISCOUNT"
    EXCHANGE_DIFFERENCE = "EXCHANGE_DIFFERENCE"
    ADJUSTMENT = "ADJUSTMENT"


_BY_DOCUMENT = {
    LedgerDocumentType.INVOICE: EntryType.INVOICE,
    LedgerDocumentType.PAYMENT: EntryType.PAYMENT,
    LedgerDocumentType.CREDIT_MEMO: EntryType.CREDIT_MEMO,
    LedgerDocumentType.REFUND: EntryType.REFUND,
    LedgerDocumentType.FINANCE_CHARGE_MEMO: EntryType.FINANCE_CHARGE_MEMO,
    LedgerDocumentType.REMINDER: EntryType.REMINDER,
}
_EXCHANGE = frozenset(
    {
        LedgerEntryType.REALIZED_GAIN,
        LedgerEntryType.REALIZED_LOSS,
        LedgerEntryType.UNREALIZED_GAIN,
        LedgerEntryType.UNREALIZED_LOSS,
    }
)
_DESCRIPTIONS = {
    EntryType.INVOICE: "Invoice",
    EntryType.PAYMENT: "Payment",
    EntryType.CREDIT_MEMO: "Credit memo",
    EntryType.REFUND: "Refund",
    EntryType.FINANCE_CHARGE_MEMO: "Finance charge memo",
    EntryType.REMINDER: "Reminder",
    EntryType.PAYMENT_DISCOUNT: "Payment discount",
    EntryType.EXCHANGE_DIFFERENCE: "Exchange rate difference",
    EntryType.ADJUSTMENT: "Adjustment",
}


def entry_type(entry: CustomerLedgerEntry) -> EntryType:
    """What a client sees: the document's kind for an initial entry, else what the entry did."""
    if entry.entry_type is LedgerEntryType.INITIAL_ENTRY:
        return _BY_DOCUMENT.get(entry.document_type, EntryType.ADJUSTMENT)
    if entry.entry_type in _EXCHANGE:
        return EntryType.EXCHANGE_DIFFERENCE
    if entry.entry_type is LedgerEntryType.PAYMENT_DISCOUNT:
        return EntryType.PAYMENT_DISCOUNT
    return EntryType.ADJUSTMENT


@dataclass(frozen=True)
class StatementEntry:
    posting_date: date
    type: EntryType
    document_number: str | None
    description: str
    debit: Decimal
    credit: Decimal
    balance: Decimal
    due_date: date | None


@dataclass(frozen=True)
class Statement:
    from_date: date
    to_date: date
    opening_balance: Decimal
    entries: list[StatementEntry]
    closing_balance: Decimal

    @property
    def total_debit(self) -> Decimal:
        return sum((e.debit for e in self.entries), Decimal(0))

    @property
    def total_credit(self) -> Decimal:
        return sum((e.credit for e in self.entries), Decimal(0))


def _describe(kind: EntryType, entry: CustomerLedgerEntry) -> str:
    text = _DESCRIPTIONS[kind]
    if entry.document_number:
        text = f"{text} {entry.document_number}"
    if kind is EntryType.INVOICE and entry.due_date is not None:
        text = f"{text}, due {entry.due_date.isoformat()}"
    if kind is EntryType.CREDIT_MEMO and entry.reason_code:
        text = f"{text} ({entry.reason_code.lower()})"
    return text


def build_statement(
    entries: list[CustomerLedgerEntry], from_date: date, to_date: date, *, opening: Decimal
) -> Statement:
    """``entries``: posted on or after ``from_date`` (later ones are not listed)."""
    ordered = sorted(entries, key=lambda e: (e.posting_date, e.entry_number))
    running = opening
    lines = []
    for entry in ordered:
        if not from_date <= entry.posting_date <= to_date:
            continue
        running += entry.amount_lcy
        kind = entry_type(entry)
        lines.append(
            StatementEntry(
                posting_date=entry.posting_date,
                type=kind,
                document_number=entry.document_number or None,
                description=_describe(kind, entry),
                debit=entry.amount_lcy if entry.amount_lcy > 0 else Decimal(0),
                credit=-entry.amount_lcy if entry.amount_lcy < 0 else Decimal(0),
                balance=running,
                due_date=entry.due_date if kind is EntryType.INVOICE else None,
            )
        )
    return Statement(from_date, to_date, opening, lines, running)


def opening_balance(balance: Decimal, since_from: list[CustomerLedgerEntry], from_date: date) -> Decimal:
    """The balance before ``from_date``: today's balance less every movement posted since."""
    return balance - sum((e.amount_lcy for e in since_from if e.posting_date >= from_date), Decimal(0))


async def get_statement(ctx: Context, from_date: date, to_date: date | None) -> Statement:
    """Entries posted from ``from_date`` to ``to_date`` (default today), both inclusive."""
    end = to_date or ctx.today
    if from_date > end:
        raise UserInputError("`from` must not be after `to`", argument="from")
    if (end - from_date).days > MAX_STATEMENT_DAYS:
        raise UserInputError("a statement covers at most three years", argument="from")
    ledger = Query(
        "customerLedgerEntries",
        filter=Field("dclePostingDate").ge(from_date)
        & Field("dcleEntryType").ne(LedgerEntryType.APPLICATION.value),
        select=CustomerLedgerEntry.SELECT,
        orderby=("dclePostingDate asc", "dcleEntryNo asc"),
    )
    balance = Query("customerFinancialDetails", select=CustomerFinancialDetail.SELECT)
    scope = ctx.bc.scope
    rows, details = await ctx.bc.fetch_together(
        [(scoped(ledger, scope), ANALYTICS_API), (scoped(balance, scope), STANDARD_API)]
    )
    if not details:
        raise BCProtocolError("Business Central has no financial details for the customer")
    entries = [e for e in map(CustomerLedgerEntry.from_row, rows) if e.entry_type is not _APPLICATION_TYPE]
    opening = opening_balance(CustomerFinancialDetail.from_row(details[0]).balance, entries, from_date)
    return build_statement(entries, from_date, end, opening=opening)


async def statement_contact(ctx: Context) -> UUID | None:
    """A contact of the caller's customer, whose ``pdfDocument`` is BC's customer statement
    (REFERENCE §8.3); ``None`` when the customer has no contact person."""
    customer_query = Query(
        "customers", filter=Field("number").eq(ctx.bc.scope.customer_number), select=("id", "number")
    )
    customers = await ctx.bc.fetch(scoped(customer_query, ctx.bc.scope), model=Customer)
    if not customers:
        return None
    owner = customers[0].id
    found = await ctx.bc.fetch(
        Query(
            "customerContacts",
            filter=Field("customerId").eq(owner),
            select=CustomerContact.SELECT,
            orderby=("id asc",),
            top=1,
        ),
        model=CustomerContact,
    )
    return next((c.id for c in found if c.customer_id == owner), None)
