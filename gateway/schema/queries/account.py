"""The signed-in customer's own account."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from gateway.resolvers import customer
from gateway.resolvers.context import Context
from gateway.schema.types.customer import Customer


@strawberry.type
class AccountQuery:
    @strawberry.field(description="The signed-in customer's account.")
    async def me(self, info: Info[Context, None]) -> Customer | None:
        found = await customer.get_me(info.context)
        return Customer.from_bc(found) if found is not None else None
