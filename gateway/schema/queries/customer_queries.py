"""Customer queries: the list, newest first, and one by id, each with its message thread."""

from __future__ import annotations

from uuid import UUID

import strawberry
from strawberry.types import Info

from gateway.resolvers import customer_queries
from gateway.resolvers.context import Context
from gateway.resolvers.errors import UserInputError
from gateway.schema.lookahead import selects
from gateway.schema.types.common import Connection
from gateway.schema.types.customer_queries import QUERY_STATUS_TO_BC, CustomerQuery, QueryStatus


@strawberry.type
class CustomerQueriesQuery:
    @strawberry.field(
        description="The customer's queries, newest first, optionally only those in `status`.  From "
        "the portal custom API; CAPABILITY_UNAVAILABLE where the tenant does not have it."
    )
    async def queries(
        self,
        info: Info[Context, None],
        first: int | None = None,
        after: str | None = None,
        status: list[QueryStatus] | None = None,
    ) -> Connection[CustomerQuery] | None:
        page = await customer_queries.list_queries(
            info.context,
            first=first,
            after=after,
            filter=customer_queries.QueryFilter(frozenset(QUERY_STATUS_TO_BC[s] for s in status or ())),
            with_messages=selects(info, "nodes.messages", "edges.node.messages"),
        )
        return Connection.of(page.map(CustomerQuery.from_bc))

    @strawberry.field(description="One of the customer's queries by its id, with its thread.")
    async def query(self, info: Info[Context, None], id: strawberry.ID) -> CustomerQuery | None:
        try:
            query_id = UUID(str(id))
        except ValueError:
            raise UserInputError("`id` is not a query id", argument="id") from None
        found = await customer_queries.get_query(info.context, query_id)
        return CustomerQuery.from_bc(found) if found is not None else None
