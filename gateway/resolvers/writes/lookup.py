"""Finding an order the gateway created before, by the reference comment line it wrote into it.

Used before every create that the key store cannot answer (a first attempt, a retry after a lost
answer, any attempt after a restart) and right after an ambiguous failure.  Two reads, in
parallel: the caller's orders changed in the last 25 hours and invoices posted since yesterday
(an order shipped and invoiced at once is deleted from ``salesOrders``).
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, time, timedelta
from typing import Any
from uuid import UUID

from gateway.bc import Expand, Field, InvoiceLineType, Query, SalesInvoice, SalesOrder, scoped
from gateway.loaders.documents import INVOICES, ORDERS
from gateway.resolvers.context import Context
from gateway.resolvers.writes.reference import reference_line

# Keys are kept 24 hours; the look-back is one hour longer so a late retry still finds the order.
LOOK_BACK = timedelta(hours=25)


def look_back_start(ctx: Context) -> datetime:
    """At least 25 hours before now: the start of yesterday, or earlier."""
    start_of_yesterday = datetime.combine(ctx.today - timedelta(days=1), time(0), UTC)
    return min(start_of_yesterday, datetime.combine(ctx.today, time(0), UTC) - LOOK_BACK)


def _comment_lines(navigation: str) -> Expand:
    return Expand(
        navigation, select=("description",), filter=Field("lineType").eq(InvoiceLineType.COMMENT.value)
    )


def _carries(row: dict[str, Any], navigation: str, text: str) -> bool:
    return any(line.get("description") == text for line in row.get(navigation) or ())


async def find_by_reference(ctx: Context, reference: str) -> SalesOrder | None:
    """The caller's order carrying ``reference``, as BC has it now (lines and totals)."""
    text = reference_line(reference)["description"]
    since = look_back_start(ctx)
    orders = Query(
        "salesOrders",
        filter=Field("lastModifiedDateTime").ge(since),
        select=("id", "number"),
        expand=(_comment_lines("salesOrderLines"),),
    )
    invoices = Query(
        "salesInvoices",
        filter=Field("postingDate").ge(since.date()),
        select=("id", "number"),
        expand=(_comment_lines("salesInvoiceLines"),),
    )
    order_rows, invoice_rows = await asyncio.gather(
        ctx.bc.fetch(scoped(orders, ctx.bc.scope)), ctx.bc.fetch(scoped(invoices, ctx.bc.scope))
    )
    for row in order_rows:
        if _carries(row, "salesOrderLines", text):
            return await read_order(ctx, str(row["id"]))
    for row in invoice_rows:
        if _carries(row, "salesInvoiceLines", text):
            return await _order_from_invoice(ctx, str(row["id"]))
    return None


async def read_order(ctx: Context, order_id: str) -> SalesOrder | None:
    """One order by id with its lines: what BC holds, numbers and totals as BC computed them."""
    query = ORDERS.query(filter=Field("id").eq(UUID(order_id)), with_items=False)
    orders = await ctx.bc.fetch(scoped(query, ctx.bc.scope), model=SalesOrder)
    return orders[0] if orders else None


async def _order_from_invoice(ctx: Context, invoice_id: str) -> SalesOrder | None:
    """An order BC already shipped and invoiced (and so deleted), told from its invoice."""
    query = INVOICES.query(filter=Field("id").eq(UUID(invoice_id)), with_items=False)
    rows = await ctx.bc.fetch(scoped(query, ctx.bc.scope))
    if not rows:
        return None
    invoice = SalesInvoice.from_row(rows[0])
    row = dict(rows[0])
    lines = [
        {
            **line,
            "shippedQuantity": line.get("quantity", 0),
            "invoicedQuantity": line.get("quantity", 0),
            "shipQuantity": 0,
            "invoiceQuantity": 0,
            "netAmount": line.get("amountExcludingTax", 0),
        }
        for line in row.get("salesInvoiceLines") or ()
    ]
    return SalesOrder.from_row(
        {
            **row,
            "id": str(invoice.order_id or invoice.id),
            "number": invoice.order_number or invoice.number,
            "orderDate": row.get("invoiceDate"),
            "status": "Open",
            "fullyShipped": True,
            "salesOrderLines": lines,
        }
    )
