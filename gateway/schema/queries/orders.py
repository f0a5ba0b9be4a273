"""Orders: the list, newest first, and one by number."""

from __future__ import annotations

from datetime import date

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
        return SalesOrder.from_portal(found) if found is not None else None
