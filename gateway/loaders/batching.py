"""Turning many keys into few OData requests.

BC supports ``or`` over one field, so a batch of keys becomes ``(f eq k1 or f eq k2 …)``; never
``in (…)``, which real BC has been seen to ignore silently (REFERENCE.md §14).  Keys are chunked
so no request URL grows past what BC and the proxies in front of it accept.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable, Iterable, Iterator, Sequence
from typing import TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

# 30 GUID comparisons make a $filter of about 1.4 KB; URLs stay well under 4 KB with the rest.
KEYS_PER_REQUEST = 30


def chunked(keys: Sequence[K], size: int = KEYS_PER_REQUEST) -> Iterator[Sequence[K]]:
    for start in range(0, len(keys), size):
        yield keys[start : start + size]


def unique(keys: Iterable[K]) -> list[K]:
    return list(dict.fromkeys(keys))


async def load_by_key(
    keys: Sequence[K],
    fetch: Callable[[Sequence[K]], Awaitable[Iterable[V]]],
    key_of: Callable[[V], K],
) -> list[V | None]:
    """One result per key, in key order, ``None`` for keys BC did not return.

    Rows answering a key nobody asked for are ignored: a filter BC dropped silently must not
    turn into data the caller did not ask for.
    """
    wanted = unique(keys)
    asked = set(wanted)
    found: dict[K, V] = {}
    for rows in await asyncio.gather(*(fetch(chunk) for chunk in chunked(wanted))):
        for row in rows:
            key = key_of(row)
            if key in asked:
                found[key] = row
    return [found.get(key) for key in keys]
