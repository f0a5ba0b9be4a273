"""The companies the caller's identity spans: one membership (company + customer number) each.

Company names come from BC's top-level ``companies`` (not customer data).  A client picks the
company of a request with the ``X-BC-Company`` header (docs/companies.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from gateway.resolvers.context import Context


@dataclass(frozen=True)
class CompanyMembership:
    company_id: UUID
    name: str | None
    customer_number: str
    active: bool


async def list_companies(ctx: Context) -> list[CompanyMembership]:
    """The identity's memberships in its token's order (the first is the default)."""
    names = await ctx.company_names() if ctx.company_names is not None else {}
    return [
        CompanyMembership(
            company_id=membership.company_id,
            name=names.get(membership.company_id) or None,
            customer_number=membership.customer_number,
            active=membership == ctx.membership,
        )
        for membership in ctx.identity.memberships
    ]
