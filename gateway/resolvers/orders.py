"""The caller's sales orders: open ones, and those BC deleted after posting, rebuilt.

Filters BC can apply go into each source's ``$filter`` (dates, order number, the customer's
reference, approval statuses); the rest — statuses decided by the lines, and the item, since BC
cannot filter headers by a line's item — are applied here, on rows read in larger batches.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import partial
from typing import Any

from gateway.bc import BCError, Field, Filter, NotKept, Query, RowsByKey, SalesOrder, any_of, scoped
from gateway.loaders.archives import ARCHIVES, archive_query, fetch_archives
from gateway.loaders.batching import KEYS_PER_REQUEST
from gateway.loaders.documents import INVOICES, ORDERS, SHIPMENTS, DocumentKind
from gateway.resolvers.context import Context
from gateway.resolvers.dates import months_before
from gateway.resolvers.errors import UserInputError, require_number
from gateway.resolvers.order_history import (
    FetchRows,
    Row,
    Source,
    Sources,
    below_key,
    order_key,
    order_page,
    page_from,
    row_key,
)
from gateway.resolvers.order_lookup import (
    PortalOrder,
    documents_reads,
    kept_orders_by_number,
    orders_by_number,
)
from gateway.resolvers.order_status import BC_STATUS_FILTERS, OrderStatus, order_status
from gateway.resolvers.pagination import Page, encode_cursor, page_size, rows_to_read

# Statuses an order rebuilt from posted documents can have (it has shipped or been invoiced).
REBUILT_STATUSES = frozenset(
    {OrderStatus.PARTIALLY_SHIPPED, OrderStatus.SHIPPED, OrderStatus.PARTIALLY_INVOICED, OrderStatus.INVOICED}
)
# Rows read per source when the gateway filters what BC cannot, so rare matches cost few requests.
_FILTERED_BATCH = 100
# BC Code[20]/Code[35] values as BC stores them; nothing of AL's filter language (REFERENCE §14).
_CODE = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9 _/+#-]|\.(?!\.)){0,34}$")
# What discovery needs of a posted document or an archive: which order, and the row's own date.
_POSTED_HINT = ("id", "orderNumber", "invoiceDate")
_ARCHIVE_HINT = ("id", "number", "documentDate")


@dataclass(frozen=True)
class OrderFilter:
    statuses: frozenset[OrderStatus] = frozenset()
    from_date: date | None = None
    to_date: date | None = None
    number: str | None = None
    external_document_number: str | None = None
    item_number: str | None = None


async def list_orders(
    ctx: Context,
    *,
    first: int | None,
    after: str | None,
    filter: OrderFilter,
    with_items: bool,
    with_documents: bool = False,
) -> Page[PortalOrder]:
    """Newest first (order date, then number), within the history window; lines always come
    along (the status needs them).  docs/order-status.md, "One page of history".

    ``with_items``: the lines' items are wanted; ``with_documents``: each order's shipments or
    invoices are (the open orders' are then read in the same round as the rebuilt ones')."""
    size = page_size(first, default=ctx.policy.default_page_size, maximum=ctx.policy.max_page_size)
    start, end = _window(ctx, filter)
    if filter.number is not None:
        return await _one_number(ctx, _code(filter.number, "filter"), after, filter, (start, end), with_items)
    filtered = bool(filter.statuses - set(BC_STATUS_FILTERS)) or filter.item_number is not None
    # The dashboard's five newest are the head of a default page: the same reads.
    read_size = rows_to_read(size, default=ctx.policy.default_page_size, kept=ctx.bc.keeps_answers)
    # Resolved together, one request per entity set (an `or` over up to 30 numbers).
    batch = KEYS_PER_REQUEST if filtered else min(read_size + 1, KEYS_PER_REQUEST)
    accept = partial(_wanted, filter=filter, start=start, end=end)
    two_pages = _reads_two_pages(ctx, read_size, filtered=filtered, with_items=with_items)
    if two_pages and after is not None:
        kept = await _next_page_kept(ctx, filter, (start, end), read_size, after, accept, batch)
        if kept is not None:
            return kept.head(size)
    read_open: list[SalesOrder] = []

    async def resolve(numbers: Sequence[str], later: Sequence[str]) -> dict[str, PortalOrder | None]:
        # With documents wanted, the open orders' are read in this round too, not one later.
        also = [order.number for order in read_open] if with_documents else []
        ahead = [] if with_items else _room_left(numbers, also, read_open)
        return await orders_by_number(
            ctx, numbers, with_items=with_items, documents_of=also, read_ahead=ahead, resolve_ahead=later
        )

    for_next = two_pages and after is None  # a first page, read for the next one too
    reach = 2 * read_size if for_next else read_size  # the orders discovery is sized for
    page = await order_page(
        _sources(ctx, filter, (start, end), reach, with_items=with_items, read_open=read_open),
        resolve,
        first=read_size,
        after=after,
        accept=accept,
        resolve_batch=batch,
        ahead=batch if for_next else 0,
    )
    return page.head(size)


def _reads_two_pages(
    ctx: Context, read_size: int, *, filtered: bool, with_items: bool, kept: bool | None = None
) -> bool:
    """Whether a first page reads for the next page too (its discovery `$top`s and, riding along
    its resolution, the next page's candidates), and so the next page tries what it kept first
    (docs/order-status.md, "The next page"): a default page while answers are kept (``kept``:
    whether they are, the session's ``keeps_answers`` unless given).  Not when the gateway
    filters — its matches are too sparse for two pages' rows to hold them — nor with the lines'
    items (other reads than the orders page's)."""
    kept = ctx.bc.keeps_answers if kept is None else kept
    return kept and read_size == ctx.policy.default_page_size and not (filtered or with_items)


async def read_first_page_ahead(ctx: Context, new_order: str | None = None) -> None:
    """After the customer's own order was written: the discovery reads of their first page of
    orders — the default page, no cursor, no filter, as the dashboard and the orders page ask
    them — and what ``order(number)`` of the new order (``new_order``, its number) reads beside
    the order (its posted documents and archives by number), riding along a read the write
    needs (``BCSession.riding_along``: never a request of their own), kept under the
    generations the write's invalidation put in place, so the next dashboard and orders page
    list the new order, and its view shows it, without asking BC (docs/writes.md, "What a
    reorder costs").  Nothing when they would not be kept (``keeps_read_ahead``); a read that
    did not ride along is simply not kept."""
    if not ctx.bc.keeps_read_ahead:
        return
    nothing = OrderFilter()
    size = ctx.policy.default_page_size
    two_pages = _reads_two_pages(ctx, size, filtered=False, with_items=False, kept=True)
    first_page = _sources(
        ctx, nothing, _window(ctx, nothing), 2 * size if two_pages else size, with_items=False, read_open=[]
    )
    # The read-back never asks the answer cache: it waits for these to come from it.
    with ctx.bc.riding_along(wait=True):
        # Each read as the first round of ``order_page`` makes it: from the newest row down.
        outcomes = await asyncio.gather(
            *(s.fetch(None, s.top) for s in first_page.all()),
            *(documents_reads(ctx, [new_order]) if new_order else ()),
            return_exceptions=True,
        )
    for outcome in outcomes:
        if isinstance(outcome, BaseException) and not isinstance(outcome, BCError):
            raise outcome  # a read ahead BC did not answer, or that was not sent, fails nothing


async def _next_page_kept(
    ctx: Context,
    filter: OrderFilter,
    window: tuple[date, date | None],
    size: int,
    after: str,
    accept: Callable[[PortalOrder], bool],
    batch: int,
) -> Page[PortalOrder] | None:
    """The page after ``after`` from the first page's kept answers alone — its discovery reads
    (the reads of a first page: from the newest row, for two pages) and the orders it resolved,
    and resolved ahead, by number — or ``None`` when one of them is not kept or they do not
    reach far enough below the cursor: then the page is read as any later page is."""

    async def resolve(numbers: Sequence[str], _: Sequence[str]) -> dict[str, PortalOrder | None]:
        return await kept_orders_by_number(ctx, numbers)

    first_page = _sources(ctx, filter, window, 2 * size, with_items=False, read_open=[])
    try:
        with ctx.bc.kept_only():
            return await page_from(
                first_page, resolve, first=size, after=after, accept=accept, resolve_batch=batch
            )
    except NotKept:
        return None


def _room_left(
    numbers: Sequence[str], also: Sequence[str], read_open: Sequence[SalesOrder]
) -> list[SalesOrder]:
    """The newest open orders that fit in the room a resolution round's reads have left (30
    numbers each): their documents, archives and items are read ahead in the same round — no
    more requests, a few more rows — and kept by key, so ``order(number)`` of an order the
    customer clicks on this page is served kept (docs/caching.md, "Read along with the page").
    Not with items: the invoices' shape then differs from ``order(number)``'s."""
    taken = {*numbers, *also}
    room = KEYS_PER_REQUEST - len(taken)
    return [order for order in read_open if order.number not in taken][: max(room, 0)]


def _sources(
    ctx: Context,
    filter: OrderFilter,
    window: tuple[date, date | None],
    size: int,
    *,
    with_items: bool,
    read_open: list[SalesOrder],
) -> Sources:
    """Discovery: open orders, and the rows that date completed orders (docs/order-status.md)."""
    filtered = bool(filter.statuses - set(BC_STATUS_FILTERS)) or filter.item_number is not None
    open_top = max(size + 2, _FILTERED_BATCH) if filtered else size + 2
    # An order has a few shipments and invoices: four rows per order keep it to one request.
    posted_top = max(4 * (size + 2), _FILTERED_BATCH) if filtered else 4 * (size + 2)
    orders = Source(
        _open_orders(ctx, _order_filter(filter, *window), with_items, read_open), order_key, open_top
    )
    if filter.statuses and not filter.statuses & REBUILT_STATUSES:
        return Sources(orders)  # only approval states: no completed order can match
    posted = _posted_filter(filter, *window)
    hints = [
        Source(_hints(ctx, SHIPMENTS, posted), row_key("invoiceDate", "orderNumber"), posted_top),
        Source(_hints(ctx, INVOICES, posted), row_key("invoiceDate", "orderNumber"), posted_top),
    ]
    if ctx.bc.offers(ARCHIVES):  # where the tenant has archives: one more source, same round
        archives = _archive_hints(ctx, _archive_filter(filter, *window))
        hints.append(Source(archives, row_key("documentDate", "number"), open_top))
    return Sources(orders, tuple(hints))


async def get_order(ctx: Context, number: str) -> PortalOrder | None:
    """An open order, or else one rebuilt from its posted documents; its reads run at once."""
    require_number(number)
    if not _CODE.match(number):
        return None  # not a BC document number: nothing to ask BC
    return (await orders_by_number(ctx, [number]))[number]


async def _one_number(
    ctx: Context,
    number: str,
    after: str | None,
    filter: OrderFilter,
    window: tuple[date, date | None],
    with_items: bool,
) -> Page[PortalOrder]:
    """The page of one order number: that order, if the rest of the filter wants it."""
    order = (await orders_by_number(ctx, [number], with_items=with_items))[number]
    start, end = window
    shown = [order] if order is not None and _wanted(order, filter=filter, start=start, end=end) else []
    if after is not None:
        shown = []  # the one order was on the first page
    return Page(
        items=shown,
        cursors=[encode_cursor((o.key[0].isoformat(), o.key[1])) for o in shown],
        has_next_page=False,
        has_previous_page=after is not None,
    )


def _open_orders(ctx: Context, base: Filter, with_items: bool, read: list[SalesOrder]) -> FetchRows:
    """Open orders newest first, lines (and items) expanded: each is the order, decoded straight
    from BC's answer.  The orders read are appended to ``read``."""

    # Each open order read is also the whole answer to `order(number)`'s read of it (the
    # loaders' read by number, lines without items): kept as that too, so the order a customer
    # clicks on a page just read is served kept (docs/caching.md, "One answer per key").
    by_number = None if with_items else RowsByKey("number", ORDERS.by_key("number", ctx.bc.scope))

    async def fetch(extra: Filter | None, top: int) -> list[SalesOrder]:
        newest_first = ("orderDate desc", "number desc")
        query = ORDERS.query(filter=_and(base, extra), with_items=with_items, orderby=newest_first, top=top)
        orders = await ctx.bc.fetch(scoped(query, ctx.bc.scope), model=SalesOrder, rows_by_key=by_number)
        read.extend(orders)
        return orders

    return below_key(fetch, "orderDate", "number")


def _hints(ctx: Context, kind: DocumentKind[Any], base: Filter) -> FetchRows:
    """Posted documents with an order number, newest first by their own date; no lines."""

    async def fetch(extra: Filter | None, top: int) -> list[Row]:
        query = Query(
            kind.entity_set,
            filter=_and(base, extra),
            select=_POSTED_HINT,
            orderby=("invoiceDate desc", "orderNumber desc"),
            top=top,
        )
        return await ctx.bc.fetch(scoped(query, ctx.bc.scope))

    return below_key(fetch, "invoiceDate", "orderNumber")


def _archive_hints(ctx: Context, base: Filter) -> FetchRows:
    """Archives newest first by the order's Document Date; no lines."""

    async def fetch(extra: Filter | None, top: int) -> list[Row]:
        query = archive_query(_and(base, extra), select=_ARCHIVE_HINT, with_lines=False, top=top)
        return await fetch_archives(ctx.bc, query)

    return below_key(fetch, "documentDate", "number")


def _and(base: Filter, extra: Filter | None) -> Filter:
    return base if extra is None else base & extra


def _wanted(order: PortalOrder, *, filter: OrderFilter, start: date, end: date | None) -> bool:
    """Whether the order, as resolved, is one the filter asks for: BC's filters found the
    candidates, but the order's own date, status, reference and items decide."""
    day = order.key[0]
    if day < start or (end is not None and day > end):
        return False
    if filter.statuses and order_status(order.order) not in filter.statuses:
        return False
    reference = filter.external_document_number
    if (
        reference is not None
        and (order.order.external_document_number or "").casefold() != reference.casefold()
    ):
        return False
    return filter.item_number is None or _has_item(order.order, filter.item_number)


def _has_item(order: SalesOrder, item_number: str) -> bool:
    wanted = item_number.casefold()
    return any(
        line.item_id is not None and (line.line_object_number or "").casefold() == wanted
        for line in order.lines or ()
    )


def _window(ctx: Context, filter: OrderFilter) -> tuple[date, date | None]:
    earliest = months_before(ctx.today, ctx.policy.order_history_months)
    start = max(filter.from_date, earliest) if filter.from_date else earliest
    if filter.to_date is not None and filter.to_date < start:
        raise UserInputError("`to` is before `from` (or before the order history window)", argument="filter")
    return start, filter.to_date


def _order_filter(filter: OrderFilter, start: date, end: date | None) -> Filter:
    result = Field("orderDate").ge(start)
    if end is not None:
        result = result & Field("orderDate").le(end)
    if filter.number is not None:
        result = result & Field("number").eq(_code(filter.number, "filter"))
    if filter.external_document_number is not None:
        reference = _code(filter.external_document_number, "filter")
        result = result & Field("externalDocumentNumber").eq(reference)
    document_statuses = {BC_STATUS_FILTERS[s] for s in filter.statuses if s in BC_STATUS_FILTERS}
    # Only when every requested status is a document status can BC do the filtering.
    if document_statuses and len(document_statuses) == len(filter.statuses):
        result = result & any_of(Field("status"), sorted(s.value for s in document_statuses))
    return result


def _posted_filter(filter: OrderFilter, start: date, end: date | None) -> Filter:
    # A posted document's own Document Date (the API's invoiceDate): a completed order dated in
    # the window has its earliest document there (and is checked again once resolved).
    result = Field("invoiceDate").ge(start)
    if end is not None:
        result = result & Field("invoiceDate").le(end)
    if filter.number is not None:
        result = result & Field("orderNumber").eq(_code(filter.number, "filter"))
    else:
        result = result & Field("orderNumber").ne("")
    if filter.external_document_number is not None:
        reference = _code(filter.external_document_number, "filter")
        result = result & Field("externalDocumentNumber").eq(reference)
    return result


def _archive_filter(filter: OrderFilter, start: date, end: date | None) -> Filter:
    # An archive keeps the order's Document Date: the date of an archived completed order.
    result = Field("documentDate").ge(start)
    if end is not None:
        result = result & Field("documentDate").le(end)
    if filter.number is not None:
        result = result & Field("number").eq(_code(filter.number, "filter"))
    if filter.external_document_number is not None:
        reference = _code(filter.external_document_number, "filter")
        result = result & Field("externalDocumentNumber").eq(reference)
    return result


def _code(value: str, argument: str) -> str:
    if not _CODE.match(value):
        raise UserInputError(
            "document numbers and references are 1 to 35 letters, digits and - _ / . + # or spaces",
            argument=argument,
        )
    return value
