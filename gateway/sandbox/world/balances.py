"""What each customer owes as of today: the sums behind customerFinancialDetails, customers'
balanceDue and agedAccountsReceivables, all taken from the open customer ledger entries.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from .basics import ZERO
from .ledger import Ledger
from .model import Customer
from .receivables import Receivables


@dataclass(frozen=True, slots=True)
class OpenEntry:
    """An open customer ledger entry: remaining amounts, positive = owed to us."""

    customer: Customer
    due_date: date
    amount: Decimal
    amount_lcy: Decimal


@dataclass(frozen=True, slots=True)
class CustomerBalance:
    balance: Decimal
    balance_lcy: Decimal
    overdue_lcy: Decimal
    sales_lcy: Decimal
    # Not yet due, then 1-30, 31-60 and over 60 days past due (LCY).
    aging_lcy: tuple[Decimal, Decimal, Decimal, Decimal]


def open_entries(receivables: Receivables) -> list[OpenEntry]:
    remaining = receivables.remaining()
    return [
        OpenEntry(e.customer, e.due_date, *remaining[e.entry_no])
        for e in receivables.entries
        if remaining[e.entry_no][0] != 0
    ]


def customer_balances(
    ledger: Ledger, receivables: Receivables, customers: tuple[Customer, ...], today: date
) -> dict[str, CustomerBalance]:
    entries: dict[str, list[OpenEntry]] = {c.number: [] for c in customers}
    for entry in open_entries(receivables):
        entries[entry.customer.number].append(entry)
    sales: dict[str, Decimal] = {c.number: ZERO for c in customers}
    for invoice in ledger.invoices:
        if invoice.posted:
            sales[invoice.customer.number] += invoice.customer.to_lcy(invoice.amounts.excluding_tax)
    for memo in ledger.credit_memos:
        if memo.posted:
            sales[memo.customer.number] -= memo.customer.to_lcy(memo.amounts.excluding_tax)
    return {c.number: _balance(entries[c.number], sales[c.number], today) for c in customers}


def _balance(entries: list[OpenEntry], sales_lcy: Decimal, today: date) -> CustomerBalance:
    buckets = [ZERO, ZERO, ZERO, ZERO]
    for entry in entries:
        late = (today - entry.due_date).days
        buckets[0 if late <= 0 else 1 if late <= 30 else 2 if late <= 60 else 3] += entry.amount_lcy
    return CustomerBalance(
        balance=sum((e.amount for e in entries), ZERO),
        balance_lcy=sum((e.amount_lcy for e in entries), ZERO),
        overdue_lcy=sum((e.amount_lcy for e in entries if e.due_date < today), ZERO),
        sales_lcy=sales_lcy,
        aging_lcy=(buckets[0], buckets[1], buckets[2], buckets[3]),
    )
