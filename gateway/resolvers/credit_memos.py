"""The caller's posted sales credit memos.  Drafts are never shown.

``salesCreditMemos`` holds drafts and posted credit memos alike (REFERENCE §6.8); the posted
statuses (Open, Paid, Canceled, Corrective) are filtered in BC.
"""

from __future__ import annotations

from collections.abc import Sequence

from gateway.bc import CreditMemoStatus, Field, Filter, SalesCreditMemo, any_of, scoped
from gateway.loaders.documents import CREDIT_MEMOS
from gateway.resolvers.context import Context
from gateway.resolvers.errors import require_number
from gateway.resolvers.pagination import Page, newest_first, page_size

POSTED_STATUSES = frozenset(
    {CreditMemoStatus.OPEN, CreditMemoStatus.PAID, CreditMemoStatus.CANCELED, CreditMemoStatus.CORRECTIVE}
)


def is_posted(memo: SalesCreditMemo) -> bool:
    return memo.status in POSTED_STATUSES


def posted_filter() -> Filter:
    return any_of(Field("status"), sorted(status.value for status in POSTED_STATUSES))


async def list_credit_memos(
    ctx: Context, *, first: int | None, after: str | None, with_items: bool
) -> Page[SalesCreditMemo]:
    """Newest posting date first."""
    size = page_size(first, default=ctx.policy.default_page_size, maximum=ctx.policy.max_page_size)
    base = posted_filter()

    async def fetch(extra: Filter | None, limit: int) -> Sequence[SalesCreditMemo]:
        query = CREDIT_MEMOS.query(
            filter=base & extra if extra is not None else base,
            with_items=with_items,
            orderby=("postingDate desc", "number desc"),
            top=limit,
        )
        return await ctx.bc.fetch(scoped(query, ctx.bc.scope), model=SalesCreditMemo)

    return await newest_first(
        fetch,
        date_field="postingDate",
        first=size,
        after=after,
        key=lambda memo: (memo.posting_date, memo.number),
    )


async def get_credit_memo(ctx: Context, number: str) -> SalesCreditMemo | None:
    require_number(number)
    memo: SalesCreditMemo | None = await ctx.loaders.credit_memo_by_number.load(number)
    return memo if memo is not None and is_posted(memo) else None
