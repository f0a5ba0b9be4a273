"""The signed-in customer's own account, and the companies the identity spans."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from gateway.resolvers import account, companies
from gateway.resolvers.context import Context
from gateway.schema.lookahead import selects
from gateway.schema.types.customer import Customer


@strawberry.type(description="A company the signed-in person may act in, as one of its customers.")
class CompanyMembership:
    id: strawberry.ID = strawberry.field(description="The company id: send it as `X-BC-Company`.")
    name: str | None
    customer_number: str
    active: bool = strawberry.field(description="Whether this request runs in this company.")


@strawberry.type
class AccountQuery:
    @strawberry.field(description="The signed-in customer's account.")
    async def me(self, info: Info[Context, None]) -> Customer | None:
        with_aging = selects(info, "aging")
        found = await account.get_account(info.context, with_aging=with_aging)
        if found is None:
            return None
        return Customer.from_bc(found.customer, found.aging, info.context.known_local_currency())

    @strawberry.field(
        description="The companies the identity spans (the token's memberships), the active one "
        "marked.  Choose one per request with the `X-BC-Company` header."
    )
    async def companies(self, info: Info[Context, None]) -> list[CompanyMembership] | None:
        found = await companies.list_companies(info.context)
        return [
            CompanyMembership(
                id=strawberry.ID(str(c.company_id)),
                name=c.name,
                customer_number=c.customer_number,
                active=c.active,
            )
            for c in found
        ]
