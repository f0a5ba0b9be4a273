"""The root Query: what a signed-in customer can read.  No argument can name a customer."""

from __future__ import annotations

from datetime import date

import strawberry
from strawberry.types import Info

from gateway.resolvers import customer, invoices, items, orders, shipments
from gateway.resolvers.context import Context
from gateway.schema.lookahead import selected_paths, selects_any
from gateway.schema.types.common import Connection
from gateway.schema.types.customer import Customer
from gateway.schema.types.documents import Invoice, SalesOrder, Shipment
from gateway.schema.types.enums import INVOICE_STATUS_TO_BC, InvoiceStatus, OrderStatus
from gateway.schema.types.items import Item

_LINE_ITEM_PATHS = ("edges.node.lines.item", "nodes.lines.item")


@strawberry.input
class OrderFilter:
    status: list[OrderStatus] | None = None
    from_date: date | None = strawberry.field(default=None, name="from")
    to_date: date | None = strawberry.field(default=None, name="to")


@strawberry.input
class InvoiceFilter:
    status: list[InvoiceStatus] | None = None
    from_date: date | None = strawberry.field(default=None, name="from", description="Posting date from.")
    to_date: date | None = strawberry.field(default=None, name="to", description="Posting date to.")


@strawberry.input
class ShipmentFilter:
    from_date: date | None = strawberry.field(default=None, name="from", description="Posting date from.")
    to_date: date | None = strawberry.field(default=None, name="to", description="Posting date to.")
    order_number: str | None = None


@strawberry.type
class Query:
    @strawberry.field(description="The signed-in customer's account.")
    async def me(self, info: Info[Context, None]) -> Customer | None:
        found = await customer.get_me(info.context)
        return Customer.from_bc(found) if found is not None else None

    @strawberry.field(description="The customer's orders, newest first, within the order history window.")
    async def orders(
        self,
        info: Info[Context, None],
        first: int | None = None,
        after: str | None = None,
        filter: OrderFilter | None = None,
    ) -> Connection[SalesOrder]:
        wanted = filter or OrderFilter()
        page = await orders.list_orders(
            info.context,
            first=first,
            after=after,
            filter=orders.OrderFilter(
                statuses=frozenset(wanted.status or ()), from_date=wanted.from_date, to_date=wanted.to_date
            ),
            with_items=selects_any(selected_paths(info), *_LINE_ITEM_PATHS),
        )
        return Connection.of(page.map(SalesOrder.from_bc))

    @strawberry.field(description="One of the customer's open orders by its number.")
    async def order(self, info: Info[Context, None], number: str) -> SalesOrder | None:
        found = await orders.get_order(info.context, number)
        return SalesOrder.from_bc(found) if found is not None else None

    @strawberry.field(description="The customer's posted invoices, newest first.  Drafts are never shown.")
    async def invoices(
        self,
        info: Info[Context, None],
        first: int | None = None,
        after: str | None = None,
        filter: InvoiceFilter | None = None,
    ) -> Connection[Invoice]:
        wanted = filter or InvoiceFilter()
        page = await invoices.list_invoices(
            info.context,
            first=first,
            after=after,
            filter=invoices.InvoiceFilter(
                statuses=frozenset(INVOICE_STATUS_TO_BC[s] for s in wanted.status or ()),
                from_date=wanted.from_date,
                to_date=wanted.to_date,
            ),
            with_items=selects_any(selected_paths(info), *_LINE_ITEM_PATHS),
        )
        today = info.context.today
        return Connection.of(page.map(lambda invoice: Invoice.from_bc(invoice, today)))

    @strawberry.field(description="One of the customer's posted invoices by its number.")
    async def invoice(self, info: Info[Context, None], number: str) -> Invoice | None:
        found = await invoices.get_invoice(info.context, number)
        return Invoice.from_bc(found, info.context.today) if found is not None else None

    @strawberry.field(description="The customer's posted shipments, newest first.")
    async def shipments(
        self,
        info: Info[Context, None],
        first: int | None = None,
        after: str | None = None,
        filter: ShipmentFilter | None = None,
    ) -> Connection[Shipment]:
        wanted = filter or ShipmentFilter()
        page = await shipments.list_shipments(
            info.context,
            first=first,
            after=after,
            filter=shipments.ShipmentFilter(
                from_date=wanted.from_date, to_date=wanted.to_date, order_number=wanted.order_number
            ),
        )
        return Connection.of(page.map(Shipment.from_bc))

    @strawberry.field(description="One of the customer's posted shipments by its number.")
    async def shipment(self, info: Info[Context, None], number: str) -> Shipment | None:
        found = await shipments.get_shipment(info.context, number)
        return Shipment.from_bc(found) if found is not None else None

    @strawberry.field(
        description="Catalogue items that are not blocked, by number; `search` matches name or number."
    )
    async def items(
        self,
        info: Info[Context, None],
        search: str | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Item]:
        page = await items.search_items(info.context, search=search, first=first, after=after)
        return Connection.of(page.map(Item.from_bc))

    @strawberry.field(description="A catalogue item by its number (blocked items included).")
    async def item(self, info: Info[Context, None], number: str) -> Item | None:
        found = await items.get_item(info.context, number)
        return Item.from_bc(found) if found is not None else None
