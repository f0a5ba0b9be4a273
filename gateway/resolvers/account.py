"""The caller's account: the customer, its financial details and, when asked, its aging buckets.

One BC request: ``customers`` with ``customerFinancialDetail`` and ``agedAccountsReceivable``
expanded (REFERENCE §6.20: ``customers({id})/agedAccountsReceivable`` is single-valued).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from gateway.bc import AgedReceivable, Customer, CustomerFinancialDetail, Expand, Field, Query, scoped
from gateway.resolvers.context import Context


@dataclass(frozen=True)
class Account:
    customer: Customer
    aging: AgedReceivable | None


async def get_account(ctx: Context, *, with_aging: bool) -> Account | None:
    expand = [Expand("customerFinancialDetail", select=CustomerFinancialDetail.SELECT)]
    if with_aging:
        expand.append(Expand("agedAccountsReceivable", select=AgedReceivable.SELECT))
    query = Query(
        "customers",
        filter=Field("number").eq(ctx.bc.scope.customer_number),
        select=Customer.SELECT,
        expand=tuple(expand),
    )
    customers = await ctx.bc.fetch(scoped(query, ctx.bc.scope), model=Customer)
    if not customers:
        return None
    aging = customers[0].aging
    if aging is not None and aging.customer_number != ctx.bc.scope.customer_number:
        aging = None  # BC answered another customer's row: show nothing rather than that
    return Account(customers[0], aging)


def balance_of(customer: Customer) -> Decimal:
    """Balance (LCY) from the financial details, else the customer's Balance Due."""
    details = customer.financial_detail
    return details.balance if details is not None else customer.balance_due


def available_credit(customer: Customer) -> Decimal | None:
    """Credit limit minus balance; ``None`` when no limit is set (BC's 0 means "no limit")."""
    if customer.credit_limit <= 0:
        return None
    return customer.credit_limit - balance_of(customer)
