"""Orders by number, as the portal shows them: open in BC, or rebuilt from their posted documents.

One answer per order number, however it is asked for — ``order(number)``, a page of ``orders``
under any filter, a reorder, a query about it — because every path decides it here, from the same
complete reads: the open order (``salesOrders``), every posted shipment and invoice that carries
its number, and its archives (newer BC).  So an order has one date and one status everywhere
(docs/order-status.md):

1. an open order is the order, dated by its ``orderDate``;
2. else its posted documents rebuild it (``order_rebuild``), with its archive's ordered
   quantities and Document Date where BC archived it;
3. else (no posted documents: never an order the customer received) there is none.

The reads go through the request's DataLoaders, so many numbers are one request per entity set
and the documents read here serve ``SalesOrder.shipments``/``invoices`` without another request.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Sequence
from dataclasses import dataclass
from datetime import date

from gateway.bc import BCError, SalesInvoice, SalesOrder, SalesOrderArchive, SalesShipment
from gateway.loaders import load_documents, load_items
from gateway.loaders.archives import ARCHIVES, load_archives
from gateway.loaders.batching import KEYS_PER_REQUEST
from gateway.loaders.by_order import load_by_order_number
from gateway.loaders.documents import INVOICES, ORDERS, SHIPMENTS
from gateway.resolvers.context import Context
from gateway.resolvers.order_rebuild import latest_archive, posted_invoices, rebuild_order

Key = tuple[date, str]


@dataclass(frozen=True)
class PortalOrder:
    """An order as the portal shows it: open in BC, or rebuilt from its posted documents."""

    order: SalesOrder
    rebuilt: bool
    # The posted documents an order was rebuilt from, so they need not be read again.
    shipments: tuple[SalesShipment, ...] = ()
    invoices: tuple[SalesInvoice, ...] = ()

    @property
    def key(self) -> Key:
        """Where the order stands in the history: (its date, its number), newest first."""
        return (self.order.order_date or date.min, self.order.number)


def portal_order(
    number: str,
    open_order: SalesOrder | None,
    shipments: Sequence[SalesShipment],
    invoices: Sequence[SalesInvoice],
    archives: Sequence[SalesOrderArchive],
) -> PortalOrder | None:
    """The order numbered ``number`` from everything BC holds of it (all of it: a partial read
    would give another date or status)."""
    if open_order is not None:
        return PortalOrder(open_order, rebuilt=False)
    posted = posted_invoices(invoices)
    if not shipments and not posted:
        return None  # an archive alone is an order deleted unposted: nothing the customer received
    order = rebuild_order(number, shipments, posted, latest_archive(archives))
    return PortalOrder(order, True, tuple(shipments), tuple(posted))


async def orders_by_number(
    ctx: Context,
    numbers: Sequence[str],
    *,
    with_items: bool = False,
    documents_of: Sequence[str] = (),
    read_ahead: Sequence[SalesOrder] = (),
    resolve_ahead: Sequence[str] = (),
) -> dict[str, PortalOrder | None]:
    """Each order number's order, or None; four reads at once (three without archives), one
    request per entity set for all the numbers.  ``with_items``: invoice lines come with their
    items expanded (a rebuilt order's lines take them from there).  ``documents_of``: more order
    numbers (open orders already read) whose posted documents to load in the same reads, for
    ``SalesOrder.shipments``/``invoices``.  ``read_ahead``: open orders already read whose
    documents, archives and lines' items are read ahead, only to be kept for their own
    ``order(number)`` — when these reads go to BC anyway (``_read_ahead``); ``resolve_ahead``:
    order numbers whose reads (the open check, documents, archives) are read ahead the same
    way, for the next page of orders to resolve them kept."""
    wanted = list(dict.fromkeys(numbers))
    loaders = ctx.loaders
    documents = list(dict.fromkeys([*wanted, *documents_of]))
    open_orders, shipments, invoices, archives, _ = await asyncio.gather(
        loaders.order_by_number.load_many(wanted),
        loaders.shipments_by_order_number.load_many(documents),
        _invoices(ctx, documents, with_items),
        _archives(ctx, wanted),
        _read_ahead(
            ctx,
            [order for order in read_ahead if order.number not in documents],
            [number for number in dict.fromkeys(resolve_ahead) if number not in documents],
        ),
    )
    # `documents` starts with `wanted`, in order: zip stops at the numbers asked for.
    return {
        number: portal_order(number, order, shipped, invoiced, archived)
        for number, order, shipped, invoiced, archived in zip(
            wanted, open_orders, shipments, invoices, archives, strict=False
        )
    }


async def kept_orders_by_number(ctx: Context, numbers: Sequence[str]) -> dict[str, PortalOrder | None]:
    """``orders_by_number``'s answer from kept answers alone: to be called in the session's
    ``kept_only`` block, where a read no kept answer serves raises ``NotKept``.  Its reads are
    the loaders' (the same requests, so the same kept answers), made without the request's
    loaders: a read refused here is no loader's remembered failure for another field."""
    session = ctx.bc
    wanted = list(dict.fromkeys(numbers))
    open_orders, shipments, invoices, archives = await asyncio.gather(
        load_documents(session, ORDERS, "number", wanted),
        load_by_order_number(session, SHIPMENTS, wanted),
        load_by_order_number(session, INVOICES, wanted),
        load_archives(session, wanted) if session.offers(ARCHIVES) else _nothing(wanted),
    )
    return {
        number: portal_order(number, order, shipped, invoiced, archived)
        for number, order, shipped, invoiced, archived in zip(
            wanted, open_orders, shipments, invoices, archives, strict=True
        )
    }


async def _nothing(numbers: Sequence[str]) -> list[list[SalesOrderArchive]]:
    return [[] for _ in numbers]


async def _read_ahead(ctx: Context, orders: Sequence[SalesOrder], numbers_ahead: Sequence[str] = ()) -> None:
    """What ``order(number)`` of ``orders`` reads beside the order — its shipments, invoices and
    archives by its number, its lines' items by id — read ahead with this round's reads and kept
    (the BC client keeps an answer per key), so that the order a customer clicks on the page is
    served kept: riding along (``BCSession.riding_along``), in the $batch of the reads the page
    needs, never in a request of its own (after the customer's own order, the new order's
    documents ride along the write's read-back instead: docs/caching.md, "Read with the write's
    read-back").  ``numbers_ahead``, orders the next page will resolve: their open check
    too, and their documents and archives with the open orders' (one read each, up to 30)."""
    session = ctx.bc
    if not (orders or numbers_ahead) or not session.keeps_answers:
        return
    numbers = [*(order.number for order in orders), *numbers_ahead]
    items = [line.item_id for order in orders for line in order.lines or () if line.item_id is not None]
    reads = [
        *documents_reads(ctx, numbers),
        load_items(session, "id", list(dict.fromkeys(items))[:KEYS_PER_REQUEST]),
    ]
    if numbers_ahead:
        reads.append(load_documents(session, ORDERS, "number", numbers_ahead))
    with session.riding_along():
        outcomes = await asyncio.gather(*reads, return_exceptions=True)
    for outcome in outcomes:
        if isinstance(outcome, BaseException) and not isinstance(outcome, BCError):
            raise outcome  # a read ahead BC did not answer, or that was not sent, fails nothing


def documents_reads(ctx: Context, numbers: Sequence[str]) -> list[Awaitable[object]]:
    """The reads ``order(number)`` of ``numbers`` makes beside the order itself — its shipments
    and invoices by its number, its archives — made as its loaders make them, so that their
    answers, kept, serve it; for a caller that reads them ahead (``riding_along``)."""
    session = ctx.bc
    reads: list[Awaitable[object]] = [
        load_by_order_number(session, SHIPMENTS, numbers),
        load_by_order_number(session, INVOICES, numbers),
    ]
    if session.offers(ARCHIVES):
        reads.append(load_archives(session, numbers))
    return reads


async def _invoices(ctx: Context, numbers: list[str], with_items: bool) -> list[list[SalesInvoice]]:
    if not with_items:
        return await ctx.loaders.invoices_by_order_number.load_many(numbers)
    found = await load_by_order_number(ctx.bc, INVOICES, numbers, with_items=True)
    for number, rows in zip(numbers, found, strict=True):
        ctx.loaders.invoices_by_order_number.prime(number, rows)
    return found


async def _archives(ctx: Context, numbers: list[str]) -> list[list[SalesOrderArchive]]:
    # Where the tenant has no archives (BC 2025), nothing is asked.
    if not ctx.bc.offers(ARCHIVES):
        return [[] for _ in numbers]
    return await ctx.loaders.archives_by_order_number.load_many(numbers)
