"""The item catalogue: search and lookup.  Catalogue data is not customer-owned.

Search text comes from end users and would reach BC's own filter language, where ``* ? | & ..
< > = @ ( ) '`` change a comparison's meaning even inside a quoted literal (REFERENCE.md §14).
So BC is asked only for the longest run of the text free of those characters, and the exact
text is matched here.  BC's filters are case-sensitive unless the property is read through
``tolower()`` (REFERENCE.md §3.2), so both BC's match and the one here ignore case.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Sequence
from uuid import UUID

from gateway.bc import Field, Filter, Item, Query, longest_literal_run
from gateway.loaders.queries import ITEM_EXPANDS
from gateway.resolvers.context import Context
from gateway.resolvers.errors import UserInputError, require_number
from gateway.resolvers.pagination import Fetch, Page, by_number, page_size

MAX_SEARCH_LENGTH = 100
# An item category code as BC stores it (Code[20]): nothing of AL's filter language.
_CATEGORY_CODE = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9 _/+#-]|\.(?!\.)){0,19}$")


def search_fragment(text: str) -> str:
    """What BC is asked to find, in lower case: the longest part of ``text`` that means nothing
    to BC's filter language ('' if none)."""
    return longest_literal_run(text).lower()


async def search_items(
    ctx: Context,
    *,
    search: str | None,
    first: int | None,
    after: str | None,
    category: str | None = None,
) -> Page[Item]:
    """Items that are not blocked, by number; with ``search``, those whose name or number
    contains it; with ``category``, those of that item category."""
    size = page_size(first, default=ctx.policy.default_page_size, maximum=ctx.policy.max_page_size)
    text = (search or "").strip()
    if len(text) > MAX_SEARCH_LENGTH:
        raise UserInputError(f"`search` must be at most {MAX_SEARCH_LENGTH} characters", argument="search")
    in_category = _category_filter(category)
    if not text:
        return await by_number(
            _catalogue(ctx, in_category), first=size, after=after, number=lambda item: item.number
        )
    fragment = search_fragment(text)
    if not fragment:
        return Page(items=[], cursors=[], has_next_page=False, has_previous_page=after is not None)
    by_name = _catalogue(ctx, _both(in_category, Field("displayName").lower().contains(fragment)))
    by_item_number = _catalogue(ctx, _both(in_category, Field("number").lower().contains(fragment)))
    needle = text.casefold()

    async def fetch(extra: Filter | None, limit: int) -> Sequence[Item]:
        # BC's `or` spans one field only, so name and number are two requests, sent together.
        named, numbered = await asyncio.gather(by_name(extra, limit), by_item_number(extra, limit))
        merged = {item.id: item for item in [*named, *numbered]}
        return sorted(merged.values(), key=lambda item: item.number)[:limit]

    def matches(item: Item) -> bool:
        return needle in (item.display_name or "").casefold() or needle in item.number.casefold()

    return await by_number(fetch, first=size, after=after, number=lambda item: item.number, accept=matches)


async def get_item(ctx: Context, number: str) -> Item | None:
    require_number(number)
    item: Item | None = await ctx.loaders.items_by_number.load(number)
    return item


def load_line_item(ctx: Context, item_id: UUID | None, number: str | None) -> Awaitable[Item | None] | None:
    """Start reading a document line's item through the request's loader: by the id the line
    names, else by its number; ``None`` for a line with neither."""
    if item_id is not None:
        return ctx.loaders.items_by_id.load(item_id)
    return ctx.loaders.items_by_number.load(number) if number else None


def _catalogue(ctx: Context, condition: Filter | None) -> Fetch[Item]:
    async def fetch(extra: Filter | None, limit: int) -> Sequence[Item]:
        result = Field("blocked").eq(False)
        for part in (condition, extra):
            if part is not None:
                result = result & part
        query = Query(
            "items",
            filter=result,
            select=Item.SELECT,
            expand=ITEM_EXPANDS,
            orderby=("number asc",),
            top=limit,
        )
        # Catalogue rows are the same for every customer: one answer serves them all (docs/caching.md).
        return await ctx.bc.fetch(query, model=Item)

    return fetch


def _category_filter(category: str | None) -> Filter | None:
    if category is None:
        return None
    if not _CATEGORY_CODE.match(category):
        raise UserInputError("`category` must be an item category code", argument="category")
    # BC stores codes in upper case.
    return Field("itemCategoryCode").eq(category.upper())


def _both(first: Filter | None, second: Filter) -> Filter:
    return second if first is None else first & second
