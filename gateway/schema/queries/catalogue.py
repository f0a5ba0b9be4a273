"""The item catalogue."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from gateway.resolvers import items
from gateway.resolvers.context import Context
from gateway.schema.types.common import LIST_FAILURES, LOOKUP_FAILURES, Connection
from gateway.schema.types.items import Item


@strawberry.type
class CatalogueQuery:
    @strawberry.field(
        description="Catalogue items that are not blocked, by number; `search` matches name or number, "
        "`category` is an item category code.  Shared by all customers, at most a minute old." + LIST_FAILURES
    )
    async def items(
        self,
        info: Info[Context, None],
        search: str | None = None,
        category: str | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Item] | None:
        page = await items.search_items(
            info.context, search=search, category=category, first=first, after=after
        )
        return Connection.of(page.map(Item.from_bc))

    @strawberry.field(
        description="A catalogue item by its number (blocked items included)." + LOOKUP_FAILURES
    )
    async def item(self, info: Info[Context, None], number: str) -> Item | None:
        found = await items.get_item(info.context, number)
        return Item.from_bc(found) if found is not None else None
