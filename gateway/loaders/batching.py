"""Turning many keys into few OData requests.

BC supports ``or`` over one field, so a batch of keys becomes ``(f eq k1 or f eq k2 …)``; never
``in (…)``, which real BC has been seen to ignore silently (REFERENCE.md §14).  Keys are chunked
so no request URL grows past what BC and the proxies in front of it accept.

With JSON ``$batch`` on (``BCSession.batching``), the reads of one tick reach BC together, up to
100 per HTTP request; then more keys than fit one ``or`` chunk are asked one ``eq`` each, which
turns ``ceil(n / 30)`` requests into ``ceil(n / 100)``.  Up to 30 keys stay one ``or`` read: a
``$batch`` would not lower the count there.
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


def keys_per_request(count: int, *, batching: bool) -> int:
    """Keys per read: one ``eq`` each inside ``$batch`` where that saves requests (see above)."""
    return 1 if batching and count > KEYS_PER_REQUEST else KEYS_PER_REQUEST


async def load_by_key(
    keys: Sequence[K],
    fetch: Callable[[Sequence[K]], Awaitable[Iterable[V]]],
    key_of: Callable[[V], K],
    *,
    batching: bool = False,
) -> list[V | None]:
    """One result per key, in key order, ``None`` for keys BC did not return; the first failed
    read's exception is raised.

    Rows answering a key nobody asked for are ignored: a filter BC dropped silently must not
    turn into data the caller did not ask for.
    """
    results = await load_each_key(keys, fetch, key_of, batching=batching)
    for result in results:
        if isinstance(result, Exception):
            raise result
    return [result for result in results if not isinstance(result, Exception)]


async def load_each_key(
    keys: Sequence[K],
    fetch: Callable[[Sequence[K]], Awaitable[Iterable[V]]],
    key_of: Callable[[V], K],
    *,
    batching: bool = False,
) -> list[V | Exception | None]:
    """Like :func:`load_by_key`, but a failed read fails its own keys only: their places hold
    its exception (a DataLoader raises it for those keys), so other fields still resolve."""
    wanted = unique(keys)
    asked = set(wanted)
    found: dict[K, V | Exception] = {}
    chunks = list(chunked(wanted, keys_per_request(len(wanted), batching=batching)))
    outcomes = await asyncio.gather(*(fetch(chunk) for chunk in chunks), return_exceptions=True)
    for chunk, outcome in zip(chunks, outcomes, strict=True):
        if isinstance(outcome, BaseException):
            if not isinstance(outcome, Exception):
                raise outcome  # cancellation and the like are nobody's result
            found.update(dict.fromkeys(chunk, outcome))
            continue
        for row in outcome:
            key = key_of(row)
            if key in asked:
                found[key] = row
    return [found.get(key) for key in keys]
