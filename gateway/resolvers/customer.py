"""The caller's own customer account."""

from __future__ import annotations

from gateway.bc import Customer, CustomerFinancialDetail, Expand, Field, Query, scoped
from gateway.resolvers.context import Context


async def get_me(ctx: Context) -> Customer | None:
    """The customer the token names, with its financial details (balance, overdue amount)."""
    query = Query(
        "customers",
        filter=Field("number").eq(ctx.bc.scope.customer_number),
        select=Customer.SELECT,
        expand=(Expand("customerFinancialDetail", select=CustomerFinancialDetail.SELECT),),
    )
    customers = await ctx.bc.fetch(scoped(query, ctx.bc.scope), model=Customer)
    return customers[0] if customers else None
