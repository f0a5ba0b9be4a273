"""Posting: orders' shipment and invoice runs become numbered posted documents.

Besides order invoices, a few invoices are posted without an order: some are later cancelled
(status Canceled) and some are corrective invoices that cancel a credit memo (status Corrective).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from .basics import ZERO, new_guid, scaled
from .masterdata import MasterData
from .model import Customer, DocLine, Invoice, Item, LineKind, Order, PostedLine, Shipment, total
from .numbering import Numbering
from .orders import OrderHistory


@dataclass(frozen=True, slots=True)
class Posted:
    shipments: tuple[Shipment, ...]
    invoices: tuple[Invoice, ...]


@dataclass(frozen=True, slots=True)
class _InvoiceRun:
    posting_date: date
    customer: Customer
    order: Order | None
    lines: tuple[PostedLine, ...]
    status: str


def post_documents(
    rng: random.Random,
    data: MasterData,
    numbering: Numbering,
    histories: list[OrderHistory],
    scale: float,
    today: date,
) -> Posted:
    shipment_runs = sorted(
        ((p.posting_date, i, h.order, p.lines) for i, h in enumerate(histories) for p in h.shipments),
        key=lambda run: (run[0], run[1]),
    )
    shipments = tuple(
        Shipment(new_guid(rng), numbering.next("shipments", day), order, day, lines)
        for day, _, order, lines in shipment_runs
    )
    runs = [
        _InvoiceRun(p.posting_date, h.order.customer, h.order, p.lines, "Open")
        for h in histories
        for p in h.invoices
    ]
    runs += _direct_runs(rng, data, scale, today)
    runs.sort(key=lambda run: run.posting_date)
    return Posted(shipments, tuple(_invoice(rng, numbering, run) for run in runs))


def _invoice(rng: random.Random, numbering: Numbering, run: _InvoiceRun) -> Invoice:
    # Its own Document Date, the day it was posted (BC's "Link Doc. Date To Posting Date"), not
    # the order's; the due date is counted from it.
    document_date = run.posting_date
    return Invoice(
        id=new_guid(rng),
        number=numbering.next("invoices", run.posting_date),
        customer=run.customer,
        order=run.order,
        document_date=document_date,
        posting_date=run.posting_date,
        due_date=document_date + timedelta(days=run.customer.terms.due_days),
        external_ref=run.order.external_ref if run.order else "",
        lines=run.lines,
        status=run.status,
        remaining=total(run.lines).including_tax,
    )


def _direct_runs(rng: random.Random, data: MasterData, scale: float, today: date) -> list[_InvoiceRun]:
    """Invoices posted without an order, to be cancelled, and corrective invoices."""
    runs = []
    for status in ("Canceled", "Corrective"):
        for _ in range(scaled(6, scale, 2)):
            day = today - timedelta(days=rng.randint(5, 400))
            customer = rng.choice(data.customers)
            line = item_line(rng.choice(data.items), 10000).at(Decimal(1))
            runs.append(_InvoiceRun(day, customer, None, (line,), status))
    return runs


def item_line(item: Item, sequence: int) -> DocLine:
    """A plain line for one item at its list price (for documents posted without an order)."""
    return DocLine(
        sequence=sequence,
        kind=LineKind.ITEM,
        object_id=item.id,
        number=item.number,
        description=item.name,
        unit=item.unit,
        quantity=Decimal(1),
        unit_price=item.unit_price,
        discount_percent=ZERO,
        tax_code=item.tax_code,
        tax_percent=item.tax_percent,
    )
