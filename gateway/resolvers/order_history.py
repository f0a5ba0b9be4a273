"""One page of order history, merged from three (or four) keyset-ordered sources.

- open orders: ``salesOrders`` by ``(orderDate, number)``;
- posted shipments and posted invoices that carry an ``orderNumber``, by ``(invoiceDate,
  orderNumber)`` — BC copies the order's Document Date into them (the API calls it
  ``invoiceDate`` there and ``orderDate`` on the order), so their key is the order's key;
- where the tenant has them, ``salesOrderArchives`` by ``(documentDate, number)``: the archive BC
  made when it deleted the order, with the original ordered quantities.

They are read concurrently, newest first, each with ``$top`` sized for the page: one request
per source for a page.  A source that filled its ``$top`` may have cut its last order in two, so
its last key is dropped and everything at or below it is unknown until read; the page holds only
orders above every unfinished source's last key, and asks again (from there, with a larger
``$top``) only when that is not enough.  An order still open is the open one; one that is only in
posted documents is rebuilt from them (``order_rebuild``), its ordered quantities taken from its
archive when there is one (open order > archive > rebuilt).  See docs/order-status.md.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from gateway.bc import BCProtocolError, SalesOrder
from gateway.resolvers.errors import UserInputError
from gateway.resolvers.order_rebuild import latest_archive, posted_invoices, rebuild_order
from gateway.resolvers.pagination import Page, decode_cursor, encode_cursor

Row = dict[str, Any]
Key = tuple[date, str]
# Rows with date <= the given day (all when None), newest first, at most `top`.
FetchRows = Callable[[date | None, int], Awaitable[list[Row]]]
_MAX_ROUNDS = 12


@dataclass(frozen=True)
class PortalOrder:
    """An order as the portal shows it: open in BC, or rebuilt from its posted documents."""

    order: SalesOrder
    rebuilt: bool
    # The posted documents an order was rebuilt from (BC rows), so they need not be read again.
    shipments: tuple[Row, ...] = ()
    invoices: tuple[Row, ...] = ()

    @property
    def key(self) -> Key:
        return (self.order.order_date or date.min, self.order.number)


@dataclass
class Source:
    """One keyset-ordered source; ``key`` gives a row's (date, order number)."""

    fetch: FetchRows
    key: Callable[[Row], Key]
    top: int
    rows: dict[str, Row] = field(default_factory=dict)
    exhausted: bool = False
    bound: Key | None = None  # rows at or below this key are not all read yet


@dataclass(frozen=True)
class Sources:
    orders: Source
    shipments: Source | None
    invoices: Source | None
    archives: Source | None = None  # salesOrderArchives, where the tenant has them

    def all(self) -> list[Source]:
        return [s for s in (self.orders, self.shipments, self.invoices, self.archives) if s is not None]


def row_key(date_field: str, number_field: str) -> Callable[[Row], Key]:
    def key(row: Row) -> Key:
        raw = row.get(date_field)
        return (date.fromisoformat(raw) if isinstance(raw, str) else date.min, str(row.get(number_field)))

    return key


async def order_page(
    sources: Sources, *, first: int, after: str | None, accept: Callable[[PortalOrder], bool]
) -> Page[PortalOrder]:
    """``first`` orders after the cursor ``after``, newest first, and whether more follow."""
    cursor = _cursor_key(after)
    upper = cursor  # read from this key down; rows at or above the cursor were shown already
    orders: list[PortalOrder] = []
    for _ in range(_MAX_ROUNDS):
        active = [s for s in sources.all() if not s.exhausted]
        results = await asyncio.gather(*(s.fetch(upper[0] if upper else None, s.top) for s in active))
        for source, raw in zip(active, results, strict=True):
            _take(source, raw, cursor)
        lower = max((s.bound for s in sources.all() if not s.exhausted and s.bound), default=None)
        orders = [o for o in _assemble(sources) if (lower is None or o.key > lower) and accept(o)]
        if len(orders) > first or lower is None:
            break
        upper = lower
    else:
        raise BCProtocolError("order history did not converge: Business Central kept returning full pages")
    items = orders[:first]
    return Page(
        items=items,
        cursors=[encode_cursor((o.key[0].isoformat(), o.key[1])) for o in items],
        has_next_page=len(orders) > first,
        has_previous_page=after is not None,
    )


def _cursor_key(after: str | None) -> Key | None:
    if after is None:
        return None
    day, number = decode_cursor(after, 2)
    try:
        return (date.fromisoformat(day), number)
    except ValueError:
        raise UserInputError("`after` is not a cursor this API returned", argument="after") from None


def _take(source: Source, raw: Sequence[Row], cursor: Key | None) -> None:
    full = len(raw) >= source.top
    last = source.key(raw[-1]) if full and raw else None
    if last is not None and cursor is not None and last > cursor:
        # Every row read was at or above the cursor (same day, later number): nothing below it
        # is known yet from this source.
        last = cursor
    for row in raw:
        key = source.key(row)
        if cursor is not None and key >= cursor:
            continue  # shown before the cursor
        if last is not None and key == last:
            continue  # this order may continue beyond $top: read it next round
        source.rows[str(row.get("id"))] = row
    source.exhausted = not full
    source.bound = last
    # A full page whose rows all share one key makes no progress: ask for more next time.
    source.top *= 2


def _assemble(sources: Sources) -> list[PortalOrder]:
    """Open orders, then orders found only in posted documents (rebuilt), newest first."""
    found: dict[str, PortalOrder] = {}
    for row in sources.orders.rows.values():
        order = SalesOrder.from_json(row)
        found[order.number] = PortalOrder(order, rebuilt=False)
    shipments = _by_order(sources.shipments)
    invoices = _by_order(sources.invoices)
    archives = _by_order(sources.archives, "number")
    for number in shipments.keys() | invoices.keys():
        if number in found:
            continue
        posted = posted_invoices(invoices.get(number, ()))
        if not posted and not shipments.get(number):
            continue
        # An archive only adds to an order BC deleted after posting: one without posted documents
        # (deleted unposted) is no order the customer received.
        archive = latest_archive(archives.get(number, ()))
        order = rebuild_order(number, shipments.get(number, []), posted, archive)
        found[number] = PortalOrder(order, True, tuple(shipments.get(number, ())), tuple(posted))
    return sorted(found.values(), key=lambda o: o.key, reverse=True)


def _by_order(source: Source | None, number_field: str = "orderNumber") -> dict[str, list[Row]]:
    grouped: dict[str, list[Row]] = {}
    for row in source.rows.values() if source is not None else ():
        number = row.get(number_field)
        if number:
            grouped.setdefault(str(number), []).append(row)
    return grouped
