"""``order(number)``'s read-ahead: the reads that hang off one order, started together.

The order's lines' items, its shipments' tracking and their proof of delivery would otherwise
reach BC one level at a time, as the field resolvers come to them; started at once they go as
one round trip (one ``$batch``).  Nothing here is awaited by the caller but the order's
shipments, which are kept in the request's loader with the order (docs/order-status.md): the
field resolvers await the same loader futures, and get their errors as before.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from dataclasses import dataclass
from typing import Any

from gateway.bc import InvoiceLineType, SalesOrder
from gateway.resolvers.context import Context
from gateway.resolvers.items import load_line_item
from gateway.resolvers.writes.reference import customer_lines


@dataclass(frozen=True)
class OrderSelection:
    """What a query selects of one order that is read apart from the order."""

    line_items: bool = False
    tracking: bool = False  # a shipment's carrier, tracking number or tracking URL
    proof_of_delivery: bool = False


async def read_ahead(ctx: Context, order: SalesOrder, selected: OrderSelection) -> None:
    """Start the reads ``selected`` needs for ``order``, all in the same loader round."""
    started: list[Awaitable[Any]] = []
    if selected.line_items:
        # The lines the customer is shown whose item did not come with them, as ``item`` reads them.
        lines = customer_lines(order.lines)
        reads = (
            load_line_item(ctx, line.item_id, line.line_object_number)
            for line in lines
            if line.line_type is InvoiceLineType.ITEM and line.item is None
        )
        started += filter(None, reads)
    if selected.tracking or selected.proof_of_delivery:
        shipments = await ctx.loaders.shipments_by_order_number.load(order.number)
        if shipments and selected.tracking:
            started.append(ctx.loaders.tracking_by_shipment_number.load_many([s.number for s in shipments]))
        if shipments and selected.proof_of_delivery:
            started.append(ctx.loaders.delivery_documents_by_shipment_id.load_many([s.id for s in shipments]))
    for loading in started:
        asyncio.ensure_future(loading).add_done_callback(_retrieve)


def _retrieve(done: asyncio.Future[Any]) -> None:
    if not done.cancelled():
        done.exception()  # a failed read reaches the field that awaits it; not logged twice
