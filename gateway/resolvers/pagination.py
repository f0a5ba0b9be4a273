"""Relay-style pages over BC with opaque, stable keyset cursors.

BC's ``$skip`` paging shifts when rows are added, and its ``or`` works over one field only, so a
cursor ``(date, number)`` cannot be expressed as one filter.  A page after a cursor is read as
"same date, smaller number" and then "earlier date" — two filters that each respect BC's rule —
and only as far as the page needs.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Generic, TypeVar

from gateway.bc import Field, Filter
from gateway.resolvers.errors import UserInputError

T = TypeVar("T")
U = TypeVar("U")
SortKey = tuple[str, ...]
# Text json.dumps writes as it is: printable ASCII but '"' and '\\'.
_PLAIN_JSON_TEXT = re.compile(r"[ !#-\[\]-~]*")
# Fetches at most `limit` rows matching `extra` (None: no extra condition), in page order.
_FILTERED_BATCH = 100
Fetch = Callable[[Filter | None, int], Awaitable[Sequence[T]]]


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    cursors: list[str]
    has_next_page: bool
    has_previous_page: bool

    def map(self, convert: Callable[[T], U]) -> Page[U]:
        return Page(
            [convert(item) for item in self.items], self.cursors, self.has_next_page, self.has_previous_page
        )

    def head(self, size: int) -> Page[T]:
        """The first ``size`` items of the page; more follow when the page had more."""
        if len(self.items) <= size:
            return self
        return Page(self.items[:size], self.cursors[:size], True, self.has_previous_page)


def encode_cursor(key: SortKey) -> str:
    # A key of dates and numbers is printable ASCII without quotes or backslashes: written as
    # json.dumps writes it (the same bytes), without going through it — every row of a page
    # has its cursor.
    if key and _PLAIN_JSON_TEXT.fullmatch("".join(key)):
        text = '["' + '", "'.join(key) + '"]'
    else:
        text = json.dumps(list(key))
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, size: int) -> SortKey:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        key = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
    except (ValueError, UnicodeEncodeError, binascii.Error):
        raise UserInputError("`after` is not a cursor this API returned", argument="after") from None
    if not (isinstance(key, list) and len(key) == size and all(isinstance(part, str) for part in key)):
        raise UserInputError("`after` is not a cursor this API returned", argument="after")
    return tuple(key)


def rows_to_read(size: int, *, default: int, kept: bool) -> int:
    """How many rows to read for a page of ``size``: a smaller page than the default (the
    dashboard's five) is read as the default page is, the same reads, and answers its head
    (``Page.head``), so the dashboard and the list page serve each other kept (docs/caching.md,
    "The dashboard's orders are the orders page's first five").  Not when nothing is kept
    (``kept`` false: the cache off): the extra rows would serve nobody."""
    return max(size, default) if kept else size


def page_size(first: int | None, *, default: int, maximum: int) -> int:
    if first is None:
        return default
    if not 1 <= first <= maximum:
        raise UserInputError(f"`first` must be between 1 and {maximum}", argument="first")
    return first


async def newest_first(
    fetch: Fetch[T],
    *,
    date_field: str,
    first: int,
    after: str | None,
    key: Callable[[T], tuple[date | None, str]],
    accept: Callable[[T], bool] | None = None,
) -> Page[T]:
    """Rows ordered by ``(date_field desc, number desc)``; ``fetch`` must apply that order.

    ``accept`` filters rows BC cannot filter; once it refused one, rows are read in larger
    batches, so a rare match costs few requests rather than one per page-full.
    """

    def cursor_of(row: T) -> SortKey:
        day, number = key(row)
        return ((day or date.min).isoformat(), number)

    async def after_key(position: SortKey | None, limit: int) -> tuple[list[T], bool]:
        if position is None:
            rows = list(await fetch(None, limit))
            return rows, len(rows) < limit
        day, number = date.fromisoformat(position[0]), position[1]
        same_day = list(await fetch(Field(date_field).eq(day) & Field("number").lt(number), limit))
        if len(same_day) == limit:
            return same_day, False
        earlier = list(await fetch(Field(date_field).lt(day), limit - len(same_day)))
        return same_day + earlier, len(earlier) < limit - len(same_day)

    start = decode_cursor(after, 2) if after is not None else None
    return await _collect(
        after_key,
        start,
        first,
        cursor_of,
        accept or (lambda _: True),
        batch=_FILTERED_BATCH if accept is not None else 0,
        has_previous=after is not None,
    )


async def by_number(
    fetch: Fetch[T],
    *,
    first: int,
    after: str | None,
    number: Callable[[T], str],
    accept: Callable[[T], bool] | None = None,
) -> Page[T]:
    """Rows ordered by ``number asc``; ``fetch`` must apply that order."""

    async def after_key(position: SortKey | None, limit: int) -> tuple[list[T], bool]:
        extra = Field("number").gt(position[0]) if position is not None else None
        rows = list(await fetch(extra, limit))
        return rows, len(rows) < limit

    start = decode_cursor(after, 1) if after is not None else None
    return await _collect(
        after_key,
        start,
        first,
        lambda row: (number(row),),
        accept or (lambda _: True),
        batch=_FILTERED_BATCH if accept is not None else 0,
        has_previous=after is not None,
    )


async def _collect(
    after_key: Callable[[SortKey | None, int], Awaitable[tuple[list[T], bool]]],
    start: SortKey | None,
    first: int,
    cursor_of: Callable[[T], SortKey],
    accept: Callable[[T], bool],
    *,
    batch: int,
    has_previous: bool,
) -> Page[T]:
    # One row more than the page shows tells whether a next page exists.  The first read asks
    # BC for just that many; only once BC sent a row ``accept`` refuses are the reads ``batch``
    # rows long, so a rare match costs few requests while a page whose rows BC filtered
    # exactly (nearly every page) reads no more rows than it shows.
    wanted = first + 1
    kept: list[T] = []
    position = start
    least = 0
    while len(kept) < wanted:
        rows, exhausted = await after_key(position, max(wanted - len(kept), least))
        accepted = [row for row in rows if accept(row)]
        kept.extend(accepted)
        if exhausted or not rows:
            break
        if len(accepted) < len(rows):
            least = batch
        position = cursor_of(rows[-1])
    items = kept[:first]
    return Page(
        items=items,
        cursors=[encode_cursor(cursor_of(row)) for row in items],
        has_next_page=len(kept) > first,
        has_previous_page=has_previous,
    )
