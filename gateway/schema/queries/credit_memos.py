"""Posted credit memos: the list, newest first, and one by number."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from gateway.resolvers import credit_memos
from gateway.resolvers.context import Context
from gateway.schema.lookahead import LINE_ITEM_PATHS, selects
from gateway.schema.types.common import LIST_FAILURES, LOOKUP_FAILURES, Connection
from gateway.schema.types.credit_memos import CreditMemo


@strawberry.type
class CreditMemosQuery:
    @strawberry.field(
        description="The customer's posted credit memos, newest first.  Drafts are never shown."
        + LIST_FAILURES
    )
    async def credit_memos(
        self, info: Info[Context, None], first: int | None = None, after: str | None = None
    ) -> Connection[CreditMemo] | None:
        page = await credit_memos.list_credit_memos(
            info.context,
            first=first,
            after=after,
            with_items=selects(info, *LINE_ITEM_PATHS),
        )
        return Connection.of(page.map(CreditMemo.from_bc))

    @strawberry.field(
        description="One of the customer's posted credit memos by its number." + LOOKUP_FAILURES
    )
    async def credit_memo(self, info: Info[Context, None], number: str) -> CreditMemo | None:
        found = await credit_memos.get_credit_memo(info.context, number)
        return CreditMemo.from_bc(found) if found is not None else None
