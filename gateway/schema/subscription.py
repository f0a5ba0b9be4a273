"""The root Subscription: what a signed-in customer hears as it happens in BC.

Each field iterates its subscription's :class:`LiveFeed` (``info.context.live``) and reads what
changed through the Context that comes with the change, with the resolvers the queries use:
``orderUpdated`` is ``order(number)``, ``documentPosted`` is ``invoice``/``shipment``/
``creditMemo(number)``, ``queryUpdated`` is ``query(id)``, ``itemAvailabilityChanged`` is
``item(number)``.  A change that the customer's own scoped read does not find is not sent.
Served over WebSocket only (``graphql-transport-ws``, docs/subscriptions.md).
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Annotated

import strawberry
from strawberry.types import Info

from gateway.resolvers import credit_memos, customer_queries, invoices, items, orders, shipments
from gateway.resolvers.context import Context
from gateway.resolvers.live import MAX_WATCHED_ITEMS, DocumentPosted, LiveFeed, PostedKind, watched_items
from gateway.schema.types.credit_memos import CreditMemo
from gateway.schema.types.customer_queries import CustomerQuery
from gateway.schema.types.documents import Invoice, SalesOrder, Shipment
from gateway.schema.types.items import Item

PostedDocument = Annotated[
    Invoice | Shipment | CreditMemo,
    strawberry.union("PostedDocument", description="A posted invoice, shipment or credit memo."),
]


@strawberry.type(description="What the signed-in customer hears as it happens in Business Central.")
class Subscription:
    @strawberry.subscription(
        description="One of the customer's orders changed: its status, expected dates, or shipped and "
        "invoiced quantities (as `order(number)` would show it now)."
    )
    async def order_updated(self, info: Info[Context, None]) -> AsyncGenerator[SalesOrder, None]:
        async for change, context in _feed(info).orders():
            found = await orders.get_order(context, change.number)
            if found is not None:
                yield SalesOrder.from_portal(found)

    @strawberry.subscription(description="A new posted invoice, shipment or credit memo of the customer.")
    async def document_posted(self, info: Info[Context, None]) -> AsyncGenerator[PostedDocument, None]:
        async for change, context in _feed(info).documents():
            document = await _posted(context, change)
            if document is not None:
                yield document

    @strawberry.subscription(description="A reply or a status change on one of the customer's queries.")
    async def query_updated(self, info: Info[Context, None]) -> AsyncGenerator[CustomerQuery, None]:
        async for change, context in _feed(info).queries():
            found = await customer_queries.get_query(context, change.query_id)
            if found is not None:
                yield CustomerQuery.from_bc(found)

    @strawberry.subscription(
        description=f"The stock, price or availability of one of these items changed (1 to "
        f"{MAX_WATCHED_ITEMS} item numbers)."
    )
    async def item_availability_changed(
        self, info: Info[Context, None], numbers: list[str]
    ) -> AsyncGenerator[Item, None]:
        watched = watched_items(numbers)
        async for change, context in _feed(info).items(watched):
            found = await items.get_item(context, change.number)
            if found is not None:
                yield Item.from_bc(found)


def _feed(info: Info[Context, None]) -> LiveFeed:
    feed = info.context.live
    if feed is None:  # pragma: no cover - the edge runs subscriptions with a feed only
        raise RuntimeError("a subscription runs over WebSocket only")
    return feed


async def _posted(context: Context, change: DocumentPosted) -> Invoice | Shipment | CreditMemo | None:
    if change.kind is PostedKind.INVOICE:
        invoice = await invoices.get_invoice(context, change.number)
        return Invoice.from_bc(invoice, context.today) if invoice is not None else None
    if change.kind is PostedKind.SHIPMENT:
        shipment = await shipments.get_shipment(context, change.number)
        return Shipment.from_bc(shipment) if shipment is not None else None
    memo = await credit_memos.get_credit_memo(context, change.number)
    return CreditMemo.from_bc(memo) if memo is not None else None
