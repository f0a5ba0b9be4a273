"""The caller's posted sales shipments."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from gateway.bc import Field, Filter, SalesShipment, scoped
from gateway.loaders.documents import SHIPMENTS
from gateway.resolvers.context import Context
from gateway.resolvers.errors import require_number
from gateway.resolvers.pagination import Page, newest_first, page_size


@dataclass(frozen=True)
class ShipmentFilter:
    from_date: date | None = None
    to_date: date | None = None
    order_number: str | None = None


async def list_shipments(
    ctx: Context, *, first: int | None, after: str | None, filter: ShipmentFilter
) -> Page[SalesShipment]:
    """Newest posting date first."""
    size = page_size(first, default=ctx.policy.default_page_size, maximum=ctx.policy.max_page_size)
    base = _base_filter(filter)

    async def fetch(extra: Filter | None, limit: int) -> Sequence[SalesShipment]:
        combined = base & extra if base is not None and extra is not None else (base or extra)
        query = SHIPMENTS.query(filter=combined, orderby=("postingDate desc", "number desc"), top=limit)
        return await ctx.bc.fetch(scoped(query, ctx.bc.scope), model=SalesShipment)

    return await newest_first(
        fetch,
        date_field="postingDate",
        first=size,
        after=after,
        key=lambda shipment: (shipment.posting_date, shipment.number),
    )


async def get_shipment(ctx: Context, number: str) -> SalesShipment | None:
    require_number(number)
    shipment: SalesShipment | None = await ctx.loaders.shipment_by_number.load(number)
    return shipment


def _base_filter(filter: ShipmentFilter) -> Filter | None:
    parts: list[Filter] = []
    if filter.from_date is not None:
        parts.append(Field("postingDate").ge(filter.from_date))
    if filter.to_date is not None:
        parts.append(Field("postingDate").le(filter.to_date))
    if filter.order_number is not None:
        require_number(filter.order_number, name="orderNumber", argument="filter")
        parts.append(Field("orderNumber").eq(filter.order_number))
    result: Filter | None = None
    for part in parts:
        result = part if result is None else result & part
    return result
