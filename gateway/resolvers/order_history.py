"""One page of order history: each order once, under its one date, newest first.

An order is listed under its key ``(date, number)``: an open order's ``orderDate``; a rebuilt
one's archive Document Date, or else its earliest posted document's date (``order_lookup``).
BC cannot be asked for rebuilt orders by that key — a posted shipment or invoice carries only its
own dates, days or weeks after the order's, and one order's documents are scattered over months
— so a page is found in two steps:

1. **Discovery** (one request per source, run together): open orders by ``(orderDate,
   number)``, with their lines — they are complete as read; and, newest first by their own
   dates, the rows that can carry a rebuilt order's key: posted shipments and invoices by
   ``(invoiceDate, orderNumber)`` and, where the tenant has them, archives by ``(documentDate,
   number)``.  These are *hints*: a rebuilt order's key is never later than any of its rows'
   (its earliest document, or its archive, is among them), so every order whose key lies above
   the lowest key a source has read down to (``lower``) has been seen.
2. **Resolution**: hinted order numbers are looked up whole, by number (``order_lookup``: open
   order, every posted document, archives — the reads ``order(number)`` makes), best hint first,
   until the page's orders are known.  Their keys are exact; an order whose key is not on this
   page (above the cursor, below ``lower``, outside the window) is not listed here.

A page holds the orders with key in ``(lower, cursor)``; when fewer than asked for, discovery
reads on from ``lower`` with a doubled ``$top`` (rare).  The cursor is the last order's key,
base64-encoded: opaque, and stable when new orders arrive.

The same rule answers a page from reads made for an earlier one (``page_from``): a first page
that read two pages' rows and resolved the next page's candidates ahead serves the page after
it, when its rows reach far enough below the cursor (docs/order-status.md, "The next page").
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from gateway.bc import BCProtocolError, Field, Filter, SalesOrder, al_operator_in
from gateway.resolvers.errors import UserInputError
from gateway.resolvers.order_lookup import Key, PortalOrder
from gateway.resolvers.pagination import Page, decode_cursor, encode_cursor

Row = dict[str, Any]
# Rows with a key below the given one (all when None), newest first, at most `top`: plain rows
# of the hint sources, ``SalesOrder``s of the open orders' source.
FetchRows = Callable[[Key | None, int], Awaitable[Sequence[Any]]]
# One read of a source: its rows that also pass `extra` (None: no more), newest first, at most `top`.
ReadRows = Callable[[Filter | None, int], Awaitable[Sequence[Any]]]
# Order numbers → their orders (None: no order the customer may see under that number); the
# second argument names more numbers to resolve ahead, for the next page, if it costs no request.
Resolve = Callable[[Sequence[str], Sequence[str]], Awaitable[Mapping[str, PortalOrder | None]]]
_MAX_ROUNDS = 12


@dataclass
class Source:
    """One keyset-ordered source; ``key`` gives a row's (date, order number)."""

    fetch: FetchRows
    key: Callable[[Any], Key]
    top: int
    exhausted: bool = False
    bound: Key | None = None  # rows below this key are not read yet


@dataclass(frozen=True)
class Sources:
    orders: Source  # open orders, complete as read
    hints: tuple[Source, ...] = ()  # posted shipments and invoices, archives: keys of rebuilt orders

    def all(self) -> list[Source]:
        return [self.orders, *self.hints]


@dataclass
class _Found:
    """What a page knows so far: orders resolved (or read open), and hinted numbers."""

    orders: dict[str, PortalOrder | None] = field(default_factory=dict)
    hints: dict[str, Key] = field(default_factory=dict)  # number → the lowest key seen for it
    ahead: set[str] = field(default_factory=set)  # numbers resolved ahead for the next page

    def hint(self, key: Key) -> None:
        number = key[1]
        if number not in self.hints or key < self.hints[number]:
            self.hints[number] = key

    def unresolved(self, floor: Key | None) -> list[str]:
        """Hinted numbers not resolved yet whose best hint is above ``floor``, best first."""
        pending = (
            (key, number)
            for number, key in self.hints.items()
            if number not in self.orders and (floor is None or key > floor)
        )
        return [number for _, number in sorted(pending, reverse=True)]


def order_key(order: SalesOrder) -> Key:
    """An open order's key: its own order date and number."""
    return (order.order_date or date.min, order.number)


def below_key(read: ReadRows, date_field: str, number_field: str) -> FetchRows:
    """A source's rows strictly below a key, whatever the history: BC cannot ``or`` two fields, so
    below ``(day, number)`` is two reads sent at once — the rest of that day below the number,
    and the days before — which, in that order, are the rows below the key.  A page far down a
    long history then reads about as many rows as the first page, however many orders share
    the cursor's day."""

    async def fetch(below: Key | None, top: int) -> Sequence[Any]:
        if below is None:
            return await read(None, top)
        day, number = below
        same_day, earlier = await asyncio.gather(
            read(Field(date_field).eq(day) & Field(number_field).lt(number), top),
            read(Field(date_field).lt(day), top),
        )
        return [*same_day, *earlier][:top]

    return fetch


def row_key(date_field: str, number_field: str) -> Callable[[Row], Key]:
    def key(row: Row) -> Key:
        raw = row.get(date_field)
        return (date.fromisoformat(raw) if isinstance(raw, str) else date.min, str(row.get(number_field)))

    return key


async def order_page(
    sources: Sources,
    resolve: Resolve,
    *,
    first: int,
    after: str | None,
    accept: Callable[[PortalOrder], bool],
    resolve_batch: int,
    ahead: int = 0,
) -> Page[PortalOrder]:
    """``first`` orders after the cursor ``after``, newest first, and whether more follow.

    ``accept`` keeps the orders a filter wants (applied to resolved orders, so an order is shown
    with the date and status ``order(number)`` gives it); ``resolve_batch`` is how many hinted
    numbers are resolved at a time; ``ahead``, how many more each resolution resolves ahead for
    the next page (the hinted numbers that follow, given to ``resolve`` as its second argument)."""
    cursor = _cursor_key(after)
    wanted = _Wanted(first, cursor, accept, resolve_batch, ahead)
    upper = cursor  # read from this key down; rows above the cursor were shown already
    found = _Found()
    for _ in range(_MAX_ROUNDS):
        orders, lower = await _round(sources, upper, found, resolve, wanted)
        if len(orders) > first or lower is None:
            return _page(orders, wanted, after)
        upper = lower
    raise BCProtocolError("order history did not converge: Business Central kept returning full pages")


async def page_from(
    sources: Sources,
    resolve: Resolve,
    *,
    first: int,
    after: str,
    accept: Callable[[PortalOrder], bool],
    resolve_batch: int,
) -> Page[PortalOrder] | None:
    """The page after ``after`` from ``sources`` read from the newest row down — an earlier
    page's reads, whose rows above the cursor are skipped — in one round: ``None`` when their
    rows do not reach far enough below the cursor for every order of the page to be sure (the
    rule of ``order_page``: only orders above each source's last row read are known)."""
    wanted = _Wanted(first, _cursor_key(after), accept, resolve_batch, 0)
    orders, lower = await _round(sources, None, _Found(), resolve, wanted)
    return _page(orders, wanted, after) if len(orders) > first or lower is None else None


@dataclass(frozen=True)
class _Wanted:
    """What a page asks for: ``first`` orders below ``cursor`` that ``accept`` keeps."""

    first: int
    cursor: Key | None
    accept: Callable[[PortalOrder], bool]
    batch: int  # hinted numbers resolved at a time
    ahead: int  # hinted numbers resolved ahead for the next page, with each resolution


async def _round(
    sources: Sources, upper: Key | None, found: _Found, resolve: Resolve, wanted: _Wanted
) -> tuple[list[PortalOrder], Key | None]:
    """One round of discovery below ``upper`` (from the newest row when None), then resolution:
    the page's orders so far (up to ``first + 1``) and the key above which all are known."""
    active = [s for s in sources.all() if not s.exhausted]
    results = await asyncio.gather(*(s.fetch(upper, s.top) for s in active))
    for source, raw in zip(active, results, strict=True):
        _take(source, raw, wanted.cursor, found, opens=source is sources.orders)
    lower = max((s.bound for s in sources.all() if not s.exhausted and s.bound), default=None)
    return await _settle(found, resolve, lower, wanted), lower


def _page(orders: list[PortalOrder], wanted: _Wanted, after: str | None) -> Page[PortalOrder]:
    items = orders[: wanted.first]
    return Page(
        items=items,
        cursors=[encode_cursor((o.key[0].isoformat(), o.key[1])) for o in items],
        has_next_page=len(orders) > wanted.first,
        has_previous_page=after is not None,
    )


async def _settle(found: _Found, resolve: Resolve, lower: Key | None, wanted: _Wanted) -> list[PortalOrder]:
    """The page's orders (up to ``first + 1``), resolving hinted numbers best hint first until
    no unresolved one could still belong to them."""
    first, cursor = wanted.first, wanted.cursor

    def on_page(key: Key) -> bool:
        return (lower is None or key > lower) and (cursor is None or key < cursor)

    while True:
        shown = sorted(
            (o for o in found.orders.values() if o is not None and on_page(o.key) and wanted.accept(o)),
            key=lambda o: o.key,
            reverse=True,
        )[: first + 1]
        # An order's key is at most its best hint: a number hinted at or below this cannot
        # displace any order already on the page.
        floor = shown[first].key if len(shown) > first else lower
        pending = found.unresolved(floor)
        if not pending:
            return shown
        numbers = pending[: wanted.batch]
        later = _next_candidates(found, numbers, lower, wanted.ahead)
        resolved = await resolve(numbers, later)
        found.orders.update({number: resolved.get(number) for number in numbers})


def _next_candidates(found: _Found, numbers: Sequence[str], lower: Key | None, ahead: int) -> list[str]:
    """Up to ``ahead`` hinted numbers the next page will resolve first: the best hints left
    (above ``lower``: below it nothing is sure), not resolved nor asked ahead before."""
    if not ahead:
        return []
    asked = {*numbers, *found.ahead}
    later = [number for number in found.unresolved(lower) if number not in asked][:ahead]
    found.ahead.update(later)
    return later


def _cursor_key(after: str | None) -> Key | None:
    """The key ``(date, number)`` an ``after`` cursor stands for (None: from the newest)."""
    if after is None:
        return None
    day, number = decode_cursor(after, 2)
    try:
        key = (date.fromisoformat(day), number)
    except ValueError:
        key = None
    # Its number goes into a filter: a number BC could hold is all a cursor of ours carries.
    if key is None or not number or al_operator_in(number):
        raise UserInputError("`after` is not a cursor this API returned", argument="after")
    return key


def _take(source: Source, raw: Sequence[Any], cursor: Key | None, found: _Found, *, opens: bool) -> None:
    full = len(raw) >= source.top
    last = source.key(raw[-1]) if full and raw else None
    if last is not None and cursor is not None and last > cursor:
        # Every row read was at or above the cursor (same day, later number): nothing below it
        # is known yet from this source.
        last = cursor
    for row in raw:
        key = source.key(row)
        if opens:
            # Open orders are complete as read: the order itself, under its own key — above the
            # cursor too (an earlier page's reads), so that its documents hint at nothing here.
            found.orders[key[1]] = PortalOrder(row, rebuilt=False)
        elif cursor is None or key < cursor:
            # At or above the cursor: an order whose key-bearing row is below it has that row
            # read too (every row above `lower` is), so a number seen only up there is no order
            # of this page.
            found.hint(key)
    source.exhausted = not full
    source.bound = last
    # A full page whose rows all share one key makes no progress: ask for more next time.
    source.top *= 2
