"""The caller's posted sales invoices.  Drafts are never shown.

``salesInvoices`` holds drafts and posted invoices alike, and its ``Open`` status means both
"released draft" and "posted, not fully paid" (REFERENCE.md §7.2).  Posted statuses are filtered
in BC; an ``Open`` invoice with nothing remaining is a released draft (a posted one still owing
nothing would be ``Paid``) and is dropped here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from gateway.bc import Field, Filter, InvoiceStatus, SalesInvoice, any_of, scoped
from gateway.loaders.documents import INVOICES
from gateway.resolvers.context import Context
from gateway.resolvers.errors import require_number
from gateway.resolvers.pagination import Page, newest_first, page_size, rows_to_read

POSTED_STATUSES = frozenset(
    {InvoiceStatus.OPEN, InvoiceStatus.PAID, InvoiceStatus.CANCELED, InvoiceStatus.CORRECTIVE}
)


@dataclass(frozen=True)
class InvoiceFilter:
    statuses: frozenset[InvoiceStatus] = frozenset()
    from_date: date | None = None
    to_date: date | None = None


def is_posted(invoice: SalesInvoice) -> bool:
    if invoice.status not in POSTED_STATUSES:
        return False
    return not (invoice.status is InvoiceStatus.OPEN and invoice.remaining_amount <= Decimal(0))


def days_overdue(invoice: SalesInvoice, today: date) -> int:
    """Days past the due date of an invoice that still has something to pay; 0 otherwise."""
    if invoice.status is not InvoiceStatus.OPEN or invoice.remaining_amount <= 0 or invoice.due_date is None:
        return 0
    return max((today - invoice.due_date).days, 0)


async def list_invoices(
    ctx: Context,
    *,
    first: int | None,
    after: str | None,
    filter: InvoiceFilter,
    with_lines: bool = True,
    with_items: bool = False,
) -> Page[SalesInvoice]:
    """Newest posting date first.  Without ``with_lines`` (a list that shows no lines, like the
    dashboard's) the invoices come without them: BC sends, and the gateway decodes, a fraction."""
    size = page_size(first, default=ctx.policy.default_page_size, maximum=ctx.policy.max_page_size)
    # The dashboard's five open invoices are the head of the invoices page's twenty: one read.
    rows = rows_to_read(size, default=ctx.policy.default_page_size, kept=ctx.bc.keeps_answers)
    base = _base_filter(filter)

    async def fetch(extra: Filter | None, limit: int) -> Sequence[SalesInvoice]:
        query = INVOICES.query(
            filter=base & extra if extra is not None else base,
            with_lines=with_lines,
            with_items=with_items,
            orderby=("postingDate desc", "number desc"),
            top=limit,
        )
        return await ctx.bc.fetch(scoped(query, ctx.bc.scope), model=SalesInvoice)

    page = await newest_first(
        fetch,
        date_field="postingDate",
        first=rows,
        after=after,
        key=lambda invoice: (invoice.posting_date, invoice.number),
        accept=is_posted,
    )
    return page.head(size)


async def get_invoice(ctx: Context, number: str) -> SalesInvoice | None:
    require_number(number)
    invoice: SalesInvoice | None = await ctx.loaders.invoice_by_number.load(number)
    return invoice if invoice is not None and is_posted(invoice) else None


def _base_filter(filter: InvoiceFilter) -> Filter:
    statuses = filter.statuses or POSTED_STATUSES
    result = any_of(Field("status"), sorted(status.value for status in statuses & POSTED_STATUSES))
    if filter.from_date is not None:
        result = result & Field("postingDate").ge(filter.from_date)
    if filter.to_date is not None:
        result = result & Field("postingDate").le(filter.to_date)
    return result
