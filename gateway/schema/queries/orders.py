"""Orders: the list, newest first, and one by number."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from datetime import date
from typing import Any

import strawberry
from strawberry.types import Info

from gateway.resolvers import orders
from gateway.resolvers.context import Context
from gateway.schema.lookahead import LINE_ITEM_PATHS, selects
from gateway.schema.types.common import LIST_FAILURES, LOOKUP_FAILURES, Connection
from gateway.schema.types.documents import SalesOrder
from gateway.schema.types.enums import OrderStatus

# Where a connection's orders' posted documents sit in a selection.
ORDER_DOCUMENT_PATHS = tuple(
    f"{node}.{documents}" for node in ("edges.node", "nodes") for documents in ("shipments", "invoices")
)


@strawberry.input(description="Every condition given must hold.")
class OrderFilter:
    status: list[OrderStatus] | None = strawberry.field(default=None, description="Any of these.")
    from_date: date | None = strawberry.field(default=None, name="from", description="Order date from.")
    to_date: date | None = strawberry.field(default=None, name="to", description="Order date to.")
    number: str | None = strawberry.field(default=None, description="The order number.")
    external_document_number: str | None = strawberry.field(
        default=None, description="The customer's own reference (purchase order number), exactly."
    )
    item_number: str | None = strawberry.field(
        default=None, description="Orders with a line for this item number."
    )


@strawberry.type
class OrdersQuery:
    @strawberry.field(
        description="The customer's orders, newest first, within the order history window: open "
        "orders and those Business Central has deleted after shipping and invoicing them." + LIST_FAILURES
    )
    async def orders(
        self,
        info: Info[Context, None],
        first: int | None = None,
        after: str | None = None,
        filter: OrderFilter | None = None,
    ) -> Connection[SalesOrder] | None:
        wanted = filter or OrderFilter()
        page = await orders.list_orders(
            info.context,
            first=first,
            after=after,
            filter=orders.OrderFilter(
                statuses=frozenset(wanted.status or ()),
                from_date=wanted.from_date,
                to_date=wanted.to_date,
                number=wanted.number,
                external_document_number=wanted.external_document_number,
                item_number=wanted.item_number,
            ),
            with_items=selects(info, *LINE_ITEM_PATHS),
            with_documents=selects(info, *ORDER_DOCUMENT_PATHS),
        )
        return Connection.of(page.map(SalesOrder.from_portal))

    @strawberry.field(
        description="One of the customer's orders by its number, open or completed." + LOOKUP_FAILURES
    )
    async def order(self, info: Info[Context, None], number: str) -> SalesOrder | None:
        found = await orders.get_order(info.context, number)
        if found is None:
            return None
        order = SalesOrder.from_portal(found)
        await _read_ahead(info, order)
        return order


async def _read_ahead(info: Info[Context, None], order: SalesOrder) -> None:
    """Start the reads that hang off the order — its lines' items, its shipments' tracking and
    proof of delivery — together, so they reach BC as one round trip (one ``$batch``) rather than
    one per level at which the field resolvers would come to them.  Not awaited: the resolvers
    await the same loader futures, and get their errors as before."""
    ctx = info.context
    started: list[Awaitable[Any]] = []
    if selects(info, "lines.item"):
        started += filter(None, (line.load_item_ahead(ctx) for line in order.lines))
    tracked = selects(info, *(f"shipments.{name}" for name in ("carrier", "trackingNumber", "trackingUrl")))
    delivered = selects(info, "shipments.proofOfDelivery")
    if tracked or delivered:
        # Read with the order (docs/order-status.md): kept in the request's loader, no request.
        shipments = await ctx.loaders.shipments_by_order_number.load(order.number)
        if shipments and tracked:
            started.append(ctx.loaders.tracking_by_shipment_number.load_many([s.number for s in shipments]))
        if shipments and delivered:
            started.append(ctx.loaders.delivery_documents_by_shipment_id.load_many([s.id for s in shipments]))
    for loading in started:
        asyncio.ensure_future(loading).add_done_callback(_retrieve)


def _retrieve(done: asyncio.Future[Any]) -> None:
    if not done.cancelled():
        done.exception()  # a failed read reaches the field that awaits it; not logged twice
