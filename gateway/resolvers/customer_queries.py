"""The caller's customer queries (statement disputes, delivery and product questions) with their
message threads, from the portal custom API (docs/bc-extension.md).  Read-only here: creating and
replying belong to the write path.

Newest first by query number (BC numbers them from a No. Series, so number order is creation
order); the thread comes in the same request through ``$expand=customerQueryMessages``.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from gateway.bc import (
    PORTAL_API,
    CustomerQuery,
    CustomerQueryMessage,
    Expand,
    Field,
    Filter,
    Query,
    QueryStatus,
    any_of,
    scoped,
)
from gateway.resolvers.context import Context
from gateway.resolvers.pagination import Page, decode_cursor, encode_cursor, page_size

_MESSAGES = Expand("customerQueryMessages", select=CustomerQueryMessage.SELECT, orderby=("sequence asc",))


@dataclass(frozen=True)
class QueryFilter:
    statuses: frozenset[QueryStatus] = frozenset()


def _query(filter: Filter | None, *, with_messages: bool, top: int | None = None) -> Query:
    return Query(
        "customerQueries",
        filter=filter,
        select=CustomerQuery.SELECT,
        expand=(_MESSAGES,) if with_messages else (),
        orderby=("number desc",),
        top=top,
    )


async def list_queries(
    ctx: Context, *, first: int | None, after: str | None, filter: QueryFilter, with_messages: bool
) -> Page[CustomerQuery]:
    size = page_size(first, default=ctx.policy.default_page_size, maximum=ctx.policy.max_page_size)
    parts: list[Filter] = []
    if filter.statuses:
        parts.append(any_of(Field("status"), sorted(status.value for status in filter.statuses)))
    if after is not None:
        parts.append(Field("number").lt(decode_cursor(after, 1)[0]))
    combined: Filter | None = None
    for part in parts:
        combined = part if combined is None else combined & part
    query = _query(combined, with_messages=with_messages, top=size + 1)
    found = await ctx.bc.fetch(scoped(query, ctx.bc.scope), model=CustomerQuery, route=PORTAL_API)
    items = found[:size]
    return Page(
        items=items,
        cursors=[encode_cursor((item.number,)) for item in items],
        has_next_page=len(found) > size,
        has_previous_page=after is not None,
    )


async def get_query(ctx: Context, query_id: UUID) -> CustomerQuery | None:
    query = _query(Field("id").eq(query_id), with_messages=True)
    found = await ctx.bc.fetch(scoped(query, ctx.bc.scope), model=CustomerQuery, route=PORTAL_API)
    return next((q for q in found if q.id == query_id), None)
