"""Facts read from BC once for the whole fleet (company names, each company's currency).

A fact lives in the shared store's ``kv`` for ``ttl_seconds``: the first replica that needs it reads
BC and stores it, the others read the store.  Each replica also keeps what it read for at most
``local_seconds``, so a busy replica asks the store about as often as that, not per request.  One
read per fact at a time in a replica: concurrent requests wait for it instead of each asking.

When the store cannot be reached, a fact is read through to BC (and kept locally as above): a
Redis outage costs a few more BC reads, never an answer.  A failed BC read is not kept.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from typing import Final

from gateway.store import KeyValue, StoreUnavailable

DEFAULT_LOCAL_SECONDS: Final = 30.0
Load = Callable[[], Awaitable[bytes]]


class SharedFacts:
    """``get(name, load)``: the bytes of fact ``name``, from this process, the store or ``load``."""

    def __init__(
        self,
        kv: KeyValue,
        clock: Callable[[], float],
        *,
        ttl_seconds: float,
        local_seconds: float = DEFAULT_LOCAL_SECONDS,
    ) -> None:
        self._kv = kv
        self._clock = clock
        self._ttl = ttl_seconds
        self._local_seconds = min(local_seconds, ttl_seconds)
        self._kept: dict[str, tuple[bytes, float]] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    async def get(self, name: str, load: Load) -> bytes:
        kept = self._fresh(name)
        if kept is not None:
            return kept
        lock = self._locks.setdefault(name, asyncio.Lock())
        async with lock:
            kept = self._fresh(name)
            if kept is None:
                kept = await self._shared(name, load)
                self._kept[name] = (kept, self._clock() + self._local_seconds)
        return kept

    def held(self, name: str) -> bytes | None:
        """The fact as ``get`` would answer it without any I/O: held here and fresh; else None."""
        return self._fresh(name)

    def _fresh(self, name: str) -> bytes | None:
        entry = self._kept.get(name)
        if entry is None or entry[1] <= self._clock():
            return None
        return entry[0]

    async def _shared(self, name: str, load: Load) -> bytes:
        try:
            stored = await self._kv.get(name)
        except StoreUnavailable:
            return await load()  # read through to BC while the store is away
        if stored is not None:
            return stored
        value = await load()
        with contextlib.suppress(StoreUnavailable):  # the other replicas read BC themselves this time
            await self._kv.put(name, value, ttl_seconds=self._ttl)
        return value
