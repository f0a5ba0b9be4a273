"""The caller's sales orders: open ones, and those BC deleted after posting, rebuilt.

Filters BC can apply go into each source's ``$filter`` (dates, order number, the customer's
reference, approval statuses); the rest — statuses decided by the lines, and the item, since BC
cannot filter headers by a line's item — are applied here, on rows read in larger batches.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from gateway.bc import (
    BCNotFound,
    CapabilityUnavailable,
    Expand,
    Field,
    Filter,
    Query,
    SalesOrder,
    any_of,
    scoped,
)
from gateway.loaders.documents import INVOICES, ORDERS, SHIPMENTS, DocumentKind
from gateway.resolvers.context import Context
from gateway.resolvers.dates import months_before
from gateway.resolvers.errors import UserInputError
from gateway.resolvers.order_history import FetchRows, PortalOrder, Row, Source, Sources, order_page, row_key
from gateway.resolvers.order_rebuild import latest_archive, posted_invoices, rebuild_order
from gateway.resolvers.order_status import BC_STATUS_FILTERS, OrderStatus, order_status
from gateway.resolvers.pagination import Page, page_size

# Statuses an order rebuilt from posted documents can have (it has shipped or been invoiced).
REBUILT_STATUSES = frozenset(
    {OrderStatus.PARTIALLY_SHIPPED, OrderStatus.SHIPPED, OrderStatus.PARTIALLY_INVOICED, OrderStatus.INVOICED}
)
# Rows read per source when the gateway filters what BC cannot, so rare matches cost few requests.
_FILTERED_BATCH = 100
# BC Code[20]/Code[35] values as BC stores them; nothing of AL's filter language (REFERENCE §14).
_CODE = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9 _/+#-]|\.(?!\.)){0,34}$")
# Newer BC (REFERENCE §9): the archive BC makes of an order it deletes after posting.
ARCHIVES = "salesOrderArchives"
_ARCHIVE_SELECT = (
    "id",
    "number",
    "docNoOccurrence",
    "versionNumber",
    "documentDate",
    "externalDocumentNumber",
    "requestedDeliveryDate",
)
_ARCHIVE_LINES = Expand(
    "salesOrderArchiveLines",
    select=(
        "sequence",
        "lineType",
        "lineObjectNumber",
        "description",
        "unitOfMeasureCode",
        "quantity",
        "unitPrice",
        "lineDiscountPercent",
    ),
)


@dataclass(frozen=True)
class OrderFilter:
    statuses: frozenset[OrderStatus] = frozenset()
    from_date: date | None = None
    to_date: date | None = None
    number: str | None = None
    external_document_number: str | None = None
    item_number: str | None = None


async def list_orders(
    ctx: Context, *, first: int | None, after: str | None, filter: OrderFilter, with_items: bool
) -> Page[PortalOrder]:
    """Newest first (order date, then number), within the history window; lines always come
    along (the status needs them)."""
    size = page_size(first, default=ctx.policy.default_page_size, maximum=ctx.policy.max_page_size)
    start, end = _window(ctx, filter)
    filtered = bool(filter.statuses - set(BC_STATUS_FILTERS)) or filter.item_number is not None
    open_top = max(size + 2, _FILTERED_BATCH) if filtered else size + 2
    # An order has a few shipments and invoices: four rows per order keep it to one request.
    posted_top = max(4 * (size + 2), _FILTERED_BATCH) if filtered else 4 * (size + 2)
    with_history = not filter.statuses or bool(filter.statuses & REBUILT_STATUSES)
    sources = Sources(
        orders=Source(
            _fetch(ctx, ORDERS, _order_filter(filter, start, end), "orderDate", "number", with_items),
            row_key("orderDate", "number"),
            open_top,
        ),
        shipments=Source(
            _fetch(ctx, SHIPMENTS, _posted_filter(filter, start, end), "invoiceDate", "orderNumber", False),
            row_key("invoiceDate", "orderNumber"),
            posted_top,
        )
        if with_history
        else None,
        invoices=Source(
            _fetch(
                ctx, INVOICES, _posted_filter(filter, start, end), "invoiceDate", "orderNumber", with_items
            ),
            row_key("invoiceDate", "orderNumber"),
            posted_top,
        )
        if with_history
        else None,
        # Where the tenant has archives: one more source, read in the same round (same $batch).
        archives=Source(
            _fetch_archives(ctx, _archive_filter(filter, start, end)),
            row_key("documentDate", "number"),
            open_top,
        )
        if with_history and ctx.bc.offers(ARCHIVES)
        else None,
    )
    page = await order_page(sources, first=size, after=after, accept=lambda o: _wanted(o, filter))
    for order in page.items:
        if order.rebuilt:
            # Their documents are already here: SalesOrder.shipments/invoices need no request.
            ctx.loaders.shipments_by_order_number.prime(order.order.number, list(order.shipments))
            ctx.loaders.invoices_by_order_number.prime(order.order.number, list(order.invoices))
    return page


async def get_order(ctx: Context, number: str) -> PortalOrder | None:
    """An open order, or else one rebuilt from its posted documents; the three reads run at once."""
    if not 1 <= len(number) <= 20:
        raise UserInputError("`number` must be 1 to 20 characters", argument="number")
    if not _CODE.match(number):
        return None  # not a BC document number: nothing to ask BC
    wanted = number
    loaders = ctx.loaders
    archives = _fetch_archives(ctx, Field("number").eq(wanted)) if ctx.bc.offers(ARCHIVES) else None
    open_order, shipments, invoices, archived = await asyncio.gather(
        loaders.order_by_number.load(wanted),
        loaders.shipments_by_order_number.load(wanted),
        loaders.invoices_by_order_number.load(wanted),
        archives(None, _FILTERED_BATCH) if archives is not None else _no_rows(),
    )
    if open_order is not None:
        return PortalOrder(open_order, rebuilt=False)
    posted = posted_invoices(invoices)
    if not shipments and not posted:
        return None
    order = rebuild_order(wanted, shipments, posted, latest_archive(archived))
    return PortalOrder(order, True, tuple(shipments), tuple(posted))


async def _no_rows() -> list[Row]:
    return []


def _fetch_archives(ctx: Context, base: Filter) -> FetchRows:
    """``salesOrderArchives`` newest first, lines expanded; a tenant that turns out not to have
    them (its ``$metadata`` not read yet) gives no rows rather than an error."""

    async def fetch(up_to: date | None, top: int) -> list[Row]:
        condition = base & Field("documentDate").le(up_to) if up_to is not None else base
        query = Query(
            ARCHIVES,
            filter=condition,
            select=_ARCHIVE_SELECT,
            expand=(_ARCHIVE_LINES,),
            orderby=("documentDate desc", "number desc"),
            top=top,
        )
        try:
            return await ctx.bc.fetch(scoped(query, ctx.bc.scope))
        except (BCNotFound, CapabilityUnavailable):
            return []

    return fetch


def _fetch(
    ctx: Context,
    kind: DocumentKind[Any],
    base: Filter,
    date_field: str,
    number_field: str,
    with_items: bool,
) -> FetchRows:
    async def fetch(up_to: date | None, top: int) -> list[Row]:
        condition = base & Field(date_field).le(up_to) if up_to is not None else base
        query = kind.query(
            filter=condition,
            with_items=with_items,
            orderby=(f"{date_field} desc", f"{number_field} desc"),
            top=top,
        )
        return await ctx.bc.fetch(scoped(query, ctx.bc.scope))

    return fetch


def _wanted(order: PortalOrder, filter: OrderFilter) -> bool:
    if filter.statuses and order_status(order.order) not in filter.statuses:
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
    # Posted documents keep the order's Document Date, which the API calls invoiceDate.
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
    # An archive keeps the order's Document Date, the key the posted documents carry too.
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
