"""Posted shipments: the list, newest first, and one by number."""

from __future__ import annotations

from datetime import date

import strawberry
from strawberry.types import Info

from gateway.resolvers import shipments
from gateway.resolvers.context import Context
from gateway.schema.types.common import LIST_FAILURES, LOOKUP_FAILURES, Connection
from gateway.schema.types.documents import Shipment


@strawberry.input
class ShipmentFilter:
    from_date: date | None = strawberry.field(default=None, name="from", description="Posting date from.")
    to_date: date | None = strawberry.field(default=None, name="to", description="Posting date to.")
    order_number: str | None = None


@strawberry.type
class ShipmentsQuery:
    @strawberry.field(description="The customer's posted shipments, newest first." + LIST_FAILURES)
    async def shipments(
        self,
        info: Info[Context, None],
        first: int | None = None,
        after: str | None = None,
        filter: ShipmentFilter | None = None,
    ) -> Connection[Shipment] | None:
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

    @strawberry.field(description="One of the customer's posted shipments by its number." + LOOKUP_FAILURES)
    async def shipment(self, info: Info[Context, None], number: str) -> Shipment | None:
        found = await shipments.get_shipment(info.context, number)
        return Shipment.from_bc(found) if found is not None else None
