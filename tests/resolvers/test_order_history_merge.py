"""The history page merge on its own: keyset sources with small $top, cut orders, many rounds."""

from __future__ import annotations

import random
import uuid
from datetime import date, timedelta
from typing import Any

import pytest

from gateway.resolvers.order_history import Row, Source, Sources, order_page, row_key

pytestmark = pytest.mark.anyio

CUSTOMER = "10000"
START = date(2026, 1, 1)


def guid(name: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, name))


def order_row(number: str, day: date) -> Row:
    return {
        "id": guid(f"o-{number}"),
        "number": number,
        "orderDate": day.isoformat(),
        "customerNumber": CUSTOMER,
        "status": "Open",
        "salesOrderLines": [],
    }


def posted_row(kind: str, index: int, number: str, day: date) -> Row:
    row: dict[str, Any] = {
        "id": guid(f"{kind}-{number}-{index}"),
        "number": f"{kind}-{number}-{index}",
        "orderNumber": number,
        "invoiceDate": day.isoformat(),
        "postingDate": day.isoformat(),
        "customerNumber": CUSTOMER,
    }
    if kind == "inv":
        row.update(status="Paid", remainingAmount=0, salesInvoiceLines=[])
    else:
        row["salesShipmentLines"] = []
    return row


class Table:
    """Rows served newest first by (date, number), like BC with $orderby and $top; counts reads."""

    def __init__(self, rows: list[Row], date_field: str, number_field: str) -> None:
        self.key = row_key(date_field, number_field)
        self.rows = sorted(rows, key=lambda r: (self.key(r), r["id"]), reverse=True)
        self.reads = 0

    async def fetch(self, up_to: date | None, top: int) -> list[Row]:
        self.reads += 1
        return [r for r in self.rows if up_to is None or self.key(r)[0] <= up_to][:top]


def world(seed: int) -> tuple[Table, Table, Table, list[tuple[date, str]]]:
    """Open orders and completed ones with one to five shipments and invoices each."""
    rng = random.Random(seed)
    orders, shipments, invoices, keys = [], [], [], []
    for index in range(60):
        number = f"SO{index:04d}"
        day = START + timedelta(days=rng.randint(0, 20))  # many orders share a day
        keys.append((day, number))
        if rng.random() < 0.4:
            orders.append(order_row(number, day))
            continue
        shipments += [posted_row("shp", i, number, day) for i in range(rng.randint(1, 5))]
        invoices += [posted_row("inv", i, number, day) for i in range(rng.randint(1, 5))]
    return (
        Table(orders, "orderDate", "number"),
        Table(shipments, "invoiceDate", "orderNumber"),
        Table(invoices, "invoiceDate", "orderNumber"),
        sorted(keys, reverse=True),
    )


def sources(orders: Table, shipments: Table, invoices: Table, top: int) -> Sources:
    return Sources(
        Source(orders.fetch, orders.key, top),
        Source(shipments.fetch, shipments.key, top),
        Source(invoices.fetch, invoices.key, top),
    )


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize(("first", "top"), [(1, 2), (3, 2), (7, 4), (20, 22)])
async def test_following_cursors_lists_every_order_once_newest_first(seed: int, first: int, top: int) -> None:
    orders, shipments, invoices, expected = world(seed)
    seen: list[tuple[date, str]] = []
    after = None
    for _ in range(len(expected) + 1):  # a page that repeats itself must not loop forever
        page = await order_page(
            sources(orders, shipments, invoices, top), first=first, after=after, accept=lambda _: True
        )
        seen += [o.key for o in page.items]
        if not page.has_next_page:
            break
        after = page.cursors[-1]
    assert seen == expected


async def test_a_completed_order_gets_all_its_documents_even_when_top_cuts_through_them() -> None:
    orders, shipments, invoices, _ = world(3)
    by_number: dict[str, int] = {}
    for row in invoices.rows:
        by_number[row["orderNumber"]] = by_number.get(row["orderNumber"], 0) + 1
    after = None
    for _ in range(100):
        page = await order_page(
            sources(orders, shipments, invoices, 3), first=2, after=after, accept=lambda _: True
        )
        for order in page.items:
            if order.rebuilt:
                assert len(order.invoices) == by_number[order.order.number]
        if not page.has_next_page:
            break
        after = page.cursors[-1]


async def test_a_page_that_fits_in_top_is_one_read_per_source() -> None:
    orders, shipments, invoices, expected = world(1)

    page = await order_page(
        sources(orders, shipments, invoices, 200), first=10, after=None, accept=lambda _: True
    )

    assert [o.key for o in page.items] == expected[:10]
    assert (orders.reads, shipments.reads, invoices.reads) == (1, 1, 1)
