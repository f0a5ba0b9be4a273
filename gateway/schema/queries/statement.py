"""The account statement for a date range."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import strawberry
from strawberry.types import Info

from gateway.resolvers import statement
from gateway.resolvers.context import Context
from gateway.schema.types.statement import Statement


@strawberry.type
class StatementQuery:
    @strawberry.field(
        description="The statement of account from `from` to `to` (default today), both inclusive: "
        "opening balance, every movement with a running balance, closing balance.  From Business "
        "Central's analytics API; CAPABILITY_UNAVAILABLE where the tenant does not offer it."
    )
    async def statement(
        self,
        info: Info[Context, None],
        from_date: Annotated[date, strawberry.argument(name="from")],
        to_date: Annotated[date | None, strawberry.argument(name="to")] = None,
    ) -> Statement | None:
        found = await statement.get_statement(info.context, from_date, to_date)
        return Statement.from_resolver(found, await info.context.local_currency())
