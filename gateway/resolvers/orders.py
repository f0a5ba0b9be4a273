"""The caller's sales orders."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from gateway.bc import Field, Filter, SalesOrder, any_of, scoped
from gateway.loaders.documents import ORDERS
from gateway.resolvers.context import Context
from gateway.resolvers.dates import months_before
from gateway.resolvers.errors import UserInputError
from gateway.resolvers.order_status import BC_STATUS_FILTERS, OrderStatus, order_status
from gateway.resolvers.pagination import Page, newest_first, page_size


@dataclass(frozen=True)
class OrderFilter:
    statuses: frozenset[OrderStatus] = frozenset()
    from_date: date | None = None
    to_date: date | None = None


async def list_orders(
    ctx: Context, *, first: int | None, after: str | None, filter: OrderFilter, with_items: bool
) -> Page[SalesOrder]:
    """Newest first, within the history window; lines always come along (the status needs them)."""
    size = page_size(first, default=ctx.policy.default_page_size, maximum=ctx.policy.max_page_size)
    base = _base_filter(ctx, filter)

    async def fetch(extra: Filter | None, limit: int) -> Sequence[SalesOrder]:
        query = ORDERS.query(
            filter=base & extra if extra is not None else base,
            with_items=with_items,
            orderby=("orderDate desc", "number desc"),
            top=limit,
        )
        return [SalesOrder.from_json(row) for row in await ctx.bc.fetch(scoped(query, ctx.bc.scope))]

    def wanted(order: SalesOrder) -> bool:
        return not filter.statuses or order_status(order) in filter.statuses

    return await newest_first(
        fetch,
        date_field="orderDate",
        first=size,
        after=after,
        key=lambda order: (order.order_date, order.number),
        accept=wanted,
    )


async def get_order(ctx: Context, number: str) -> SalesOrder | None:
    order: SalesOrder | None = await ctx.loaders.order_by_number.load(_document_number(number))
    return order


def _base_filter(ctx: Context, filter: OrderFilter) -> Filter:
    earliest = months_before(ctx.today, ctx.policy.order_history_months)
    start = max(filter.from_date, earliest) if filter.from_date else earliest
    if filter.to_date is not None and filter.to_date < start:
        raise UserInputError("`to` is before `from` (or before the order history window)", argument="filter")
    result = Field("orderDate").ge(start)
    if filter.to_date is not None:
        result = result & Field("orderDate").le(filter.to_date)
    document_statuses = {BC_STATUS_FILTERS[s] for s in filter.statuses if s in BC_STATUS_FILTERS}
    # Only when every requested status is a document status can BC do the filtering.
    if document_statuses and len(document_statuses) == len(filter.statuses):
        result = result & any_of(Field("status"), sorted(s.value for s in document_statuses))
    return result


def _document_number(number: str) -> str:
    if not 1 <= len(number) <= 20:
        raise UserInputError("`number` must be 1 to 20 characters", argument="number")
    return number
