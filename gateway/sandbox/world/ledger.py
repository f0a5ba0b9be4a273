"""Settlement: customers pay invoices (on time, late or in part), return goods, and some
documents are cancelled.  Decides every posted invoice's status and remaining amount.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal

from .basics import ZERO, money, new_guid, scaled
from .masterdata import MasterData
from .model import Application, CreditMemo, Customer, Invoice, LineKind, Payment, PostedLine, total
from .numbering import Numbering
from .posting import item_line


@dataclass(frozen=True, slots=True)
class Ledger:
    invoices: tuple[Invoice, ...]
    credit_memos: tuple[CreditMemo, ...]
    payments: tuple[Payment, ...]


@dataclass(frozen=True, slots=True)
class _MemoRun:
    posting_date: date
    customer: Customer
    invoice: Invoice | None
    lines: tuple[PostedLine, ...]
    status: str
    remaining: Decimal


@dataclass(frozen=True, slots=True)
class _PaymentRun:
    posting_date: date
    customer: Customer
    amount: Decimal
    applications: tuple[Application, ...]


_PAYMENT_DELAY = {"prompt": (-10, 2), "late": (0, 45), "slow": (15, 120)}


def settle(
    rng: random.Random,
    data: MasterData,
    numbering: Numbering,
    posted: tuple[Invoice, ...],
    scale: float,
    today: date,
) -> Ledger:
    memos: list[_MemoRun] = []
    payments: list[_PaymentRun] = []
    invoices = [_settle_invoice(rng, invoice, today, memos, payments) for invoice in posted]
    payments += _payments_on_account(rng, data.customers, today)
    return Ledger(
        invoices=tuple(invoices) + _drafts(rng, data, numbering, scale, today),
        credit_memos=_number_memos(rng, numbering, memos) + _draft_memos(rng, data, numbering, scale, today),
        payments=_number_payments(rng, numbering, payments),
    )


def _settle_invoice(
    rng: random.Random, invoice: Invoice, today: date, memos: list[_MemoRun], payments: list[_PaymentRun]
) -> Invoice:
    if invoice.status == "Canceled":
        # Cancelling posts a corrective credit memo that closes the invoice.
        day = min(today, invoice.posting_date + timedelta(days=rng.randint(0, 3)))
        memos.append(_MemoRun(day, invoice.customer, invoice, invoice.lines, "Corrective", ZERO))
        return replace(invoice, remaining=ZERO)
    if invoice.status == "Corrective":
        # A corrective invoice cancels an earlier credit memo; the pair closes each other.
        day = invoice.posting_date - timedelta(days=rng.randint(1, 20))
        memos.append(_MemoRun(day, invoice.customer, invoice, invoice.lines, "Canceled", ZERO))
        return replace(invoice, remaining=ZERO)
    remaining = invoice.remaining
    low, high = _PAYMENT_DELAY[invoice.customer.payer]
    pay_date = max(invoice.posting_date, invoice.due_date + timedelta(days=rng.randint(low, high)))
    memo = _return_memo(rng, invoice, today)
    if memo is not None:
        applied = pay_date > today or memo.posting_date <= pay_date
        if applied:
            remaining -= memo.remaining
        memos.append(
            replace(memo, status="Paid" if applied else "Open", remaining=ZERO if applied else memo.remaining)
        )
    if remaining > 0 and pay_date <= today:
        amount = money(remaining / 2) if rng.random() < 0.06 else remaining
        payments.append(
            _PaymentRun(pay_date, invoice.customer, amount, (Application(invoice.number, amount),))
        )
        remaining -= amount
    return replace(invoice, remaining=remaining, status="Open" if remaining else "Paid")


def _return_memo(rng: random.Random, invoice: Invoice, today: date) -> _MemoRun | None:
    """Now and then a customer sends part of one invoiced line back."""
    items = [pl for pl in invoice.lines if pl.line.kind is LineKind.ITEM and pl.quantity >= 1]
    if not items or rng.random() >= 0.05:
        return None
    day = invoice.posting_date + timedelta(days=rng.randint(3, 30))
    if day > today:
        return None
    returned = rng.choice(items)
    lines = (returned.line.at(max(Decimal(1), (returned.quantity / 2).to_integral_value())),)
    return _MemoRun(day, invoice.customer, invoice, lines, "Open", total(lines).including_tax)


def _payments_on_account(
    rng: random.Random, customers: tuple[Customer, ...], today: date
) -> list[_PaymentRun]:
    """Payments not yet applied to any invoice: they lower the balance on their own."""
    return [
        _PaymentRun(
            today - timedelta(days=rng.randint(1, 40)),
            customer,
            Decimal(rng.choice((100, 250, 500, 1000))),
            (),
        )
        for index, customer in enumerate(customers)
        if index == 2 or rng.random() < 0.1
    ]


def _number_memos(rng: random.Random, numbering: Numbering, runs: list[_MemoRun]) -> tuple[CreditMemo, ...]:
    return tuple(
        CreditMemo(
            id=new_guid(rng),
            number=numbering.next("credit_memos", run.posting_date),
            customer=run.customer,
            invoice=run.invoice,
            document_date=run.posting_date,
            posting_date=run.posting_date,
            lines=run.lines,
            status=run.status,
            remaining=run.remaining,
        )
        for run in sorted(runs, key=lambda r: r.posting_date)
    )


def _number_payments(
    rng: random.Random, numbering: Numbering, runs: list[_PaymentRun]
) -> tuple[Payment, ...]:
    return tuple(
        Payment(
            new_guid(rng),
            numbering.next("payments", r.posting_date),
            r.customer,
            r.posting_date,
            r.amount,
            r.applications,
        )
        for r in sorted(runs, key=lambda r: r.posting_date)
    )


def _draft_lines(rng: random.Random, data: MasterData) -> tuple[PostedLine, ...]:
    chosen = rng.sample([i for i in data.items if not i.blocked], rng.randint(1, 3))
    return tuple(
        item_line(item, 10000 * (n + 1)).at(Decimal(rng.randint(1, 10))) for n, item in enumerate(chosen)
    )


def _drafts(
    rng: random.Random, data: MasterData, numbering: Numbering, scale: float, today: date
) -> tuple[Invoice, ...]:
    """Unposted invoices: they live in salesInvoices too, and the portal must never show them."""
    drafts = []
    for _ in range(scaled(8, scale, 2)):
        day = today - timedelta(days=rng.randint(0, 10))
        customer = rng.choice(data.customers)
        lines = _draft_lines(rng, data)
        drafts.append(
            Invoice(
                id=new_guid(rng),
                number=numbering.next("draft_invoices", day),
                customer=customer,
                order=None,
                document_date=day,
                posting_date=day,
                due_date=day + timedelta(days=customer.terms.due_days),
                external_ref="",
                lines=lines,
                status="Draft",
                remaining=total(lines).including_tax,
            )
        )
    return tuple(drafts)


def _draft_memos(
    rng: random.Random, data: MasterData, numbering: Numbering, scale: float, today: date
) -> tuple[CreditMemo, ...]:
    memos = []
    for _ in range(scaled(4, scale, 1)):
        day = today - timedelta(days=rng.randint(0, 10))
        lines = _draft_lines(rng, data)
        memos.append(
            CreditMemo(
                id=new_guid(rng),
                number=numbering.next("draft_credit_memos", day),
                customer=rng.choice(data.customers),
                invoice=None,
                document_date=day,
                posting_date=day,
                lines=lines,
                status="Draft",
                remaining=total(lines).including_tax,
            )
        )
    return tuple(memos)
