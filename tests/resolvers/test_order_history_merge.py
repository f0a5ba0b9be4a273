"""The history page on its own: discovery by date with small $top, resolution by number, many
rounds — over a fake BC whose posted documents carry their own dates, weeks apart, as BC's do."""

from __future__ import annotations

import random
import uuid
from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from typing import Any

import pytest

from gateway.bc import SalesInvoice, SalesOrder, SalesShipment
from gateway.resolvers.order_history import Row, Source, Sources, order_key, order_page, page_from, row_key
from gateway.resolvers.order_lookup import Key, PortalOrder, portal_order

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
        self.number_field = number_field
        self.rows = sorted(rows, key=lambda r: (self.key(r), r["id"]), reverse=True)
        self.reads = 0

    async def fetch(self, below: Key | None, top: int) -> list[Row]:
        """The rows strictly below ``below`` (a source's contract, ``order_history.FetchRows``)."""
        self.reads += 1
        return [r for r in self.rows if below is None or self.key(r) < below][:top]

    def of(self, number: str) -> list[Row]:
        return [r for r in self.rows if r[self.number_field] == number]


class World:
    """Open orders (some partly shipped) and completed ones, their documents days to weeks after
    the order date; ``resolve`` is what ``order(number)`` sees."""

    def __init__(self, seed: int) -> None:
        rng = random.Random(seed)
        orders, shipments, invoices = [], [], []
        for index in range(60):
            number = f"SO{index:04d}"
            day = START + timedelta(days=rng.randint(0, 40))  # many orders share a day
            is_open = rng.random() < 0.4
            if is_open:
                orders.append(order_row(number, day))
            posted = rng.randint(0, 3) if is_open else rng.randint(1, 4)
            for i in range(posted):
                shipped = day + timedelta(days=rng.randint(0, 30))
                shipments.append(posted_row("shp", i, number, shipped))
                if not is_open or rng.random() < 0.5:
                    invoices.append(
                        posted_row("inv", i, number, shipped + timedelta(days=rng.randint(0, 20)))
                    )
        self.orders = Table(orders, "orderDate", "number")
        self.shipments = Table(shipments, "invoiceDate", "orderNumber")
        self.invoices = Table(invoices, "invoiceDate", "orderNumber")
        self.resolved: list[list[str]] = []
        self.ahead: list[str] = []  # numbers asked to be resolved ahead, for the next page

    async def resolve(
        self, numbers: Sequence[str], ahead: Sequence[str] = ()
    ) -> Mapping[str, PortalOrder | None]:
        self.resolved.append(list(numbers))
        self.ahead += ahead
        found = {}
        for number in numbers:
            open_rows = self.orders.of(number)
            open_order = SalesOrder.from_row(open_rows[0]) if open_rows else None
            found[number] = portal_order(number, open_order, *self.documents(number), [])
        return found

    def sources(self, top: int) -> Sources:
        hints = (
            Source(self.shipments.fetch, self.shipments.key, 4 * top),
            Source(self.invoices.fetch, self.invoices.key, 4 * top),
        )
        return Sources(Source(self.open_orders, order_key, top), hints)

    def documents(self, number: str) -> tuple[list[SalesShipment], list[SalesInvoice]]:
        """The order's posted documents, as the loaders give them (decoded by the BC client)."""
        shipments = [SalesShipment.from_row(row) for row in self.shipments.of(number)]
        return shipments, [SalesInvoice.from_row(row) for row in self.invoices.of(number)]

    async def open_orders(self, up_to: date | None, top: int) -> list[SalesOrder]:
        """The open orders' source gives the orders themselves, as the BC client decodes them."""
        return [SalesOrder.from_row(row) for row in await self.orders.fetch(up_to, top)]

    def expected(self) -> list[Key]:
        numbers = {r["number"] for r in self.orders.rows} | {r["orderNumber"] for r in self.shipments.rows}
        return sorted((o.key for o in _all(self, numbers)), reverse=True)


def _all(world: World, numbers: set[str]) -> list[PortalOrder]:
    found = []
    for number in numbers:
        open_rows = world.orders.of(number)
        open_order = SalesOrder.from_row(open_rows[0]) if open_rows else None
        order = portal_order(number, open_order, *world.documents(number), [])
        assert order is not None
        found.append(order)
    return found


async def walk(world: World, first: int, top: int) -> list[PortalOrder]:
    seen: list[PortalOrder] = []
    after = None
    for _ in range(200):  # a page that repeats itself must not loop forever
        page = await order_page(
            world.sources(top),
            world.resolve,
            first=first,
            after=after,
            accept=lambda _: True,
            resolve_batch=first + 1,
        )
        seen += page.items
        if not page.has_next_page:
            return seen
        after = page.cursors[-1]
    raise AssertionError("the pages never ended")


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize(("first", "top"), [(1, 2), (3, 2), (7, 4), (20, 22)])
async def test_following_cursors_lists_every_order_once_under_its_own_key(
    seed: int, first: int, top: int
) -> None:
    world = World(seed)

    seen = await walk(world, first, top)

    assert [o.key for o in seen] == world.expected()


async def test_a_completed_order_is_dated_by_its_earliest_document_and_has_them_all() -> None:
    world = World(3)

    seen = await walk(world, 2, 3)

    for order in (o for o in seen if o.rebuilt):
        number = order.order.number
        documents = [*world.shipments.of(number), *world.invoices.of(number)]
        assert order.key[0] == min(date.fromisoformat(d["invoiceDate"]) for d in documents)
        assert len(order.shipments) == len(world.shipments.of(number))
        assert len(order.invoices) == len(world.invoices.of(number))


async def test_a_page_that_fits_in_top_is_one_read_per_source_and_one_resolution() -> None:
    world = World(1)

    page = await order_page(
        world.sources(200), world.resolve, first=10, after=None, accept=lambda _: True, resolve_batch=11
    )

    assert [o.key for o in page.items] == world.expected()[:10]
    assert (world.orders.reads, world.shipments.reads, world.invoices.reads) == (1, 1, 1)
    assert len(world.resolved) == 1
    assert len(world.resolved[0]) <= 11


FILTERS = {"every order": lambda _: True, "even numbers": lambda o: int(o.order.number[-1]) % 2 == 0}


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize(("first", "top"), [(3, 2), (7, 9), (10, 12)])
@pytest.mark.parametrize("accept", FILTERS)
@pytest.mark.parametrize("reach", [2, 100])
async def test_a_page_from_an_earlier_pages_reads_is_the_page_read_below_the_cursor_or_none(
    seed: int, first: int, top: int, accept: str, reach: int
) -> None:
    """``page_from`` over reads from the newest row (a first page's: for two pages, or for a
    hundred, which hold everything): for every cursor of a walk, exactly the page ``order_page``
    reads below it, or ``None`` when those reads do not reach far enough — never another page."""
    world, wanted = World(seed), FILTERS[accept]
    after, served = None, []
    while True:
        page = await order_page(
            world.sources(top),
            world.resolve,
            first=first,
            after=after,
            accept=wanted,
            resolve_batch=first + 1,
        )
        if after is not None:
            kept = await page_from(
                world.sources(reach * top),
                world.resolve,
                first=first,
                after=after,
                accept=wanted,
                resolve_batch=first + 1,
            )
            served.append(kept is not None)
            if kept is not None:
                assert (kept.items, kept.cursors, kept.has_next_page, kept.has_previous_page) == (
                    page.items,
                    page.cursors,
                    page.has_next_page,
                    page.has_previous_page,
                )
        if not page.has_next_page:
            break
        after = page.cursors[-1]
    if reach == 100:
        assert all(served)  # every source read to its end: every page is sure
    elif (first, accept) == (10, "every order"):
        assert served[0]  # the second page is within the first page's two pages of reads


async def test_a_first_page_resolves_ahead_what_its_next_page_resolves_first() -> None:
    world = World(2)
    first = await order_page(
        world.sources(2 * 12),
        world.resolve,
        first=10,
        after=None,
        accept=lambda _: True,
        resolve_batch=11,
        ahead=11,
    )
    known = {number for batch in world.resolved for number in batch} | set(world.ahead)
    world.resolved.clear()

    second = await page_from(
        world.sources(2 * 12),
        world.resolve,
        first=10,
        after=first.cursors[-1],
        accept=lambda _: True,
        resolve_batch=11,
    )

    assert second is not None
    assert world.ahead  # what the first page did not need itself
    assert {number for batch in world.resolved for number in batch} <= known
