"""Posted invoices: the list, newest first, and one by number."""

from __future__ import annotations

from datetime import date

import strawberry
from strawberry.types import Info

from gateway.resolvers import invoices
from gateway.resolvers.context import Context
from gateway.schema.lookahead import LINE_ITEM_PATHS, LINE_PATHS, selects
from gateway.schema.types.common import LIST_FAILURES, LOOKUP_FAILURES, Connection
from gateway.schema.types.documents import Invoice
from gateway.schema.types.enums import INVOICE_STATUS_TO_BC, InvoiceStatus


@strawberry.input
class InvoiceFilter:
    status: list[InvoiceStatus] | None = None
    from_date: date | None = strawberry.field(default=None, name="from", description="Posting date from.")
    to_date: date | None = strawberry.field(default=None, name="to", description="Posting date to.")


@strawberry.type
class InvoicesQuery:
    @strawberry.field(
        description="The customer's posted invoices, newest first.  Drafts are never shown." + LIST_FAILURES
    )
    async def invoices(
        self,
        info: Info[Context, None],
        first: int | None = None,
        after: str | None = None,
        filter: InvoiceFilter | None = None,
    ) -> Connection[Invoice] | None:
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
            with_lines=selects(info, *LINE_PATHS),
            with_items=selects(info, *LINE_ITEM_PATHS),
        )
        today = info.context.today
        return Connection.of(page.map(lambda invoice: Invoice.from_bc(invoice, today)))

    @strawberry.field(description="One of the customer's posted invoices by its number." + LOOKUP_FAILURES)
    async def invoice(self, info: Info[Context, None], number: str) -> Invoice | None:
        found = await invoices.get_invoice(info.context, number)
        return Invoice.from_bc(found, info.context.today) if found is not None else None
