"""Sales orders and their life: lines sold, then shipments and invoices posted against them.

Each order gets a stage.  The stage decides how many shipments were posted and how many of them
were invoiced; shipments split each line's quantity, and an invoice always covers whole
shipments, so a line can never be invoiced beyond what was shipped.

Each posting has its own date, as in BC: the first shipment days after the order date, later
ones up to two weeks apart, and each invoice the day of its shipment or up to two weeks after
(so shipment and invoice often fall in different months).
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_DOWN, Decimal
from enum import Enum

from .basics import ZERO, ZERO_GUID, new_guid, scaled
from .masterdata import MasterData
from .model import Customer, DocLine, LineKind, Order, OrderLine, PostedLine
from .numbering import Numbering

HISTORY_DAYS = 548
LONG_HISTORY_DAYS = 365  # a long history's orders are all of the last 12 months


class Stage(Enum):
    UNSHIPPED = "unshipped"
    PARTLY_SHIPPED = "partly shipped"
    PARTLY_SHIPPED_INVOICED = "partly shipped, shipped part invoiced"
    SHIPPED = "shipped, not invoiced"
    SHIPPED_PARTLY_INVOICED = "shipped, partly invoiced"
    COMPLETED = "shipped and invoiced"


# Stages a young order passes through; old orders are nearly all completed.
_RECENT = (
    (Stage.UNSHIPPED, 22),
    (Stage.PARTLY_SHIPPED, 16),
    (Stage.PARTLY_SHIPPED_INVOICED, 10),
    (Stage.SHIPPED, 14),
    (Stage.SHIPPED_PARTLY_INVOICED, 8),
    (Stage.COMPLETED, 30),
)
_OLD = (
    (Stage.PARTLY_SHIPPED, 2),
    (Stage.SHIPPED, 1),
    (Stage.SHIPPED_PARTLY_INVOICED, 1),
    (Stage.COMPLETED, 96),
)


@dataclass(frozen=True, slots=True)
class Posting:
    """One posting run against an order: its date and the quantity it moved per line."""

    posting_date: date
    lines: tuple[PostedLine, ...]


@dataclass(frozen=True, slots=True)
class OrderHistory:
    order: Order
    shipments: tuple[Posting, ...]
    invoices: tuple[Posting, ...]


def simulate_orders(
    rng: random.Random,
    data: MasterData,
    numbering: Numbering,
    scale: float,
    today: date,
    long: Sequence[tuple[Customer, int]] = (),
) -> list[OrderHistory]:
    """The company's orders, oldest first.  ``long``: customers with that many orders of their own
    in the last 12 months besides (``world/long_histories.py``); the others share the rest."""
    count = scaled(3000, scale, 40)
    plan: list[tuple[int, Customer | None]] = [
        (age, None) for age in sorted((_age(rng, i) for i in range(count)), reverse=True)
    ]
    if long:
        own = random.Random(rng.getrandbits(64))
        plan += [(own.randint(0, LONG_HISTORY_DAYS - 1), customer) for customer, n in long for _ in range(n)]
        plan.sort(key=lambda entry: entry[0], reverse=True)
    others = tuple(c for c in data.customers if c not in {customer for customer, _ in long})
    histories = []
    for index, (age, owner) in enumerate(plan):
        document_date = today - timedelta(days=age)
        stage = _stage(rng, age, index, len(plan))
        customer = owner or _customer_for(rng, others, stage)
        histories.append(_history(rng, data, numbering, customer, document_date, stage, today))
    return histories


def _age(rng: random.Random, index: int) -> int:
    # A third of the orders are from the last two months, so the open book is busy.
    if index % 3 == 0:
        return rng.randint(0, 60)
    return rng.randint(0, HISTORY_DAYS)


def _stage(rng: random.Random, age: int, index: int, count: int) -> Stage:
    # The youngest orders walk through every stage, so even a tiny world shows all of them.
    from_newest = count - 1 - index
    if from_newest < 2 * len(Stage):
        return list(Stage)[from_newest % len(Stage)]
    if age < 2:
        return Stage.UNSHIPPED
    table = _RECENT if age <= 60 else _OLD
    return rng.choices([s for s, _ in table], [w for _, w in table])[0]


def _customer_for(rng: random.Random, customers: tuple[Customer, ...], stage: Stage) -> Customer:
    # A customer blocked for shipping gets no new shipments: its open orders stay unshipped.
    while True:
        customer = rng.choice(customers)
        if customer.blocked == "_x0020_" or stage in (Stage.COMPLETED, Stage.UNSHIPPED):
            return customer


def _history(
    rng: random.Random,
    data: MasterData,
    numbering: Numbering,
    customer: Customer,
    document_date: date,
    stage: Stage,
    today: date,
) -> OrderHistory:
    lines = _lines(rng, data, customer)
    shipments = _shipments(rng, lines, stage, document_date, today)
    invoices = _invoices(rng, shipments[: _invoiced_count(stage, len(shipments))], today)
    order_lines = tuple(
        OrderLine(line, _moved(shipments, line.sequence), _moved(invoices, line.sequence)) for line in lines
    )
    last_activity = max([document_date, *(p.posting_date for p in shipments + invoices)])
    order = Order(
        id=new_guid(rng),
        number=numbering.next("orders", document_date),
        customer=customer,
        document_date=document_date,
        requested_delivery=None if rng.random() < 0.7 else document_date + timedelta(days=rng.randint(3, 21)),
        external_ref="" if rng.random() < 0.6 else f"PO-{rng.randint(1000, 99999)}",
        status=_status(rng, stage),
        lines=order_lines,
        modified=last_activity,
    )
    return OrderHistory(order, shipments, invoices)


def _status(rng: random.Random, stage: Stage) -> str:
    # Posting releases an order, so only unshipped orders can still be Draft or In Review.
    if stage is not Stage.UNSHIPPED:
        return "Open"
    return rng.choices(["Draft", "In_x0020_Review", "Open"], [45, 20, 35])[0]


def _lines(rng: random.Random, data: MasterData, customer: Customer) -> tuple[DocLine, ...]:
    lines = []
    # A quarter of the orders came through the customer portal: the gateway's reference comment
    # is their first line, and posting copies it to the shipments and invoices, as BC does.
    if rng.random() < 0.25:
        lines.append(_portal_reference(rng))
    first = len(lines)  # the customer's first line is always an item
    for position in range(first, first + rng.randint(1, 10)):
        sequence = 10000 * (position + 1)
        roll = rng.random()
        if position > first and roll < 0.08:
            lines.append(_comment(rng, sequence))
        elif position > first and roll < 0.14:
            lines.append(_account_line(rng, data, sequence))
        else:
            lines.append(_item_line(rng, data, sequence))
    return tuple(lines)


def _item_line(rng: random.Random, data: MasterData, sequence: int) -> DocLine:
    item = rng.choice(data.items)
    if item.unit.code in ("KG", "L", "HOUR"):
        quantity = Decimal(rng.randint(1, 40)) / 2
    else:
        quantity = Decimal(rng.choice((1, 1, 2, 3, 4, 5, 6, 8, 10, 12, 20, 24, 50)))
    return DocLine(
        sequence=sequence,
        kind=LineKind.ITEM,
        object_id=item.id,
        number=item.number,
        description=item.name,
        unit=item.unit,
        quantity=quantity,
        unit_price=item.unit_price,
        discount_percent=Decimal(rng.choice((0, 0, 0, 0, 5, 10, 15))),
        tax_code=item.tax_code,
        tax_percent=item.tax_percent,
    )


def _account_line(rng: random.Random, data: MasterData, sequence: int) -> DocLine:
    account = rng.choice(data.accounts)
    tax_code, tax_percent = data.tax_rates[0]
    return DocLine(
        sequence=sequence,
        kind=LineKind.ACCOUNT,
        object_id=account.id,
        number=account.number,
        description=account.name,
        unit=None,
        quantity=Decimal(1),
        unit_price=Decimal(rng.choice((15, 25, 40, 75, 120))),
        discount_percent=ZERO,
        tax_code=tax_code,
        tax_percent=tax_percent,
    )


def _portal_reference(rng: random.Random) -> DocLine:
    reference = "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(16))
    text = f"Portal order ref PRT-{reference}"
    return DocLine(10000, LineKind.COMMENT, ZERO_GUID, "", text, None, ZERO, ZERO, ZERO, "", ZERO)


def _comment(rng: random.Random, sequence: int) -> DocLine:
    text = rng.choice(
        (
            "Deliver to the back entrance, please.",
            "Call before delivery.",
            "Gift wrap — fragile!",
            "Zamówienie pilne",
        )
    )
    return DocLine(sequence, LineKind.COMMENT, ZERO_GUID, "", text, None, ZERO, ZERO, ZERO, "", ZERO)


def _shipments(
    rng: random.Random, lines: tuple[DocLine, ...], stage: Stage, document_date: date, today: date
) -> tuple[Posting, ...]:
    if stage is Stage.UNSHIPPED:
        return ()
    complete = stage in (Stage.SHIPPED, Stage.SHIPPED_PARTLY_INVOICED, Stage.COMPLETED)
    runs = 2 if stage is Stage.SHIPPED_PARTLY_INVOICED else rng.choice((1, 1, 1, 2, 3))
    shippable = [line for line in lines if line.kind is not LineKind.COMMENT]
    targets = {line.sequence: line.quantity if complete else _short(rng, line.quantity) for line in shippable}
    if not complete and all(targets[line.sequence] == line.quantity for line in shippable):
        targets[shippable[0].sequence] = ZERO
    split = {sequence: _split(rng, target, runs) for sequence, target in targets.items()}
    comments = [line.at(ZERO) for line in lines if line.kind is LineKind.COMMENT]
    postings = []
    day = document_date
    for run in range(runs):
        day = min(today, day + timedelta(days=rng.randint(0, 6 if run == 0 else 14)))
        moved = [line.at(split[line.sequence][run]) for line in shippable if split[line.sequence][run] > 0]
        if moved:
            postings.append(Posting(day, tuple(sorted(moved + comments, key=lambda pl: pl.line.sequence))))
    return tuple(postings)


def _invoices(rng: random.Random, shipments: tuple[Posting, ...], today: date) -> tuple[Posting, ...]:
    """One invoice per shipment, in order: the same day, or days to two weeks later."""
    invoices = []
    day = date.min
    for shipment in shipments:
        delay = timedelta(days=rng.choice((0, 0, 0, 1, 2, 3, 5, 7, 10, 14)))
        day = max(day, min(today, shipment.posting_date + delay))
        invoices.append(Posting(day, shipment.lines))
    return tuple(invoices)


def _short(rng: random.Random, quantity: Decimal) -> Decimal:
    """What an incomplete order has shipped of a line so far: nothing, about half, or all."""
    return (quantity * Decimal(rng.choice((0, 0.5, 1)))).to_integral_value(rounding=ROUND_DOWN)


def _split(rng: random.Random, quantity: Decimal, runs: int) -> list[Decimal]:
    """Cut a line's shipped quantity into `runs` shipments."""
    parts = [ZERO] * runs
    remaining = quantity
    for run in range(runs - 1):
        part = (remaining * Decimal(rng.choice((0, 0.5, 1)))).to_integral_value(rounding=ROUND_DOWN)
        parts[run] = part
        remaining -= part
    parts[-1] = remaining
    return parts


def _invoiced_count(stage: Stage, shipments: int) -> int:
    if stage in (Stage.PARTLY_SHIPPED_INVOICED, Stage.COMPLETED):
        return shipments
    if stage is Stage.SHIPPED_PARTLY_INVOICED:
        return max(0, shipments - 1)
    return 0


def _moved(postings: tuple[Posting, ...], sequence: int) -> Decimal:
    return sum((pl.quantity for p in postings for pl in p.lines if pl.line.sequence == sequence), ZERO)
