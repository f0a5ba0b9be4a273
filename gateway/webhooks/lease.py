"""A lease in the shared store: one holder at a time, lost by a holder that stops renewing it."""

from __future__ import annotations

import uuid

from gateway.store import KeyValue


class Lease:
    """``acquire`` claims ``key`` for ``ttl_seconds``; ``renew`` extends it only while it is still
    this holder's (compare-and-set); ``release`` gives it up only while it is.  A holder that dies
    simply stops renewing, and the key expires for the next one."""

    def __init__(self, kv: KeyValue, key: str, ttl_seconds: float, holder: str | None = None) -> None:
        self._kv = kv
        self.key = key
        self.ttl_seconds = ttl_seconds
        self.token = (holder or uuid.uuid4().hex).encode()
        self.held = False

    async def acquire(self) -> bool:
        """Keep the lease if it is ours, or take it if it is free (it may have lapsed while this
        holder was away: then it is as free as for anyone)."""
        if self.held and await self.renew():
            return True
        self.held = await self._kv.claim(self.key, self.token, ttl_seconds=self.ttl_seconds) is None
        return self.held

    async def renew(self) -> bool:
        self.held = await self._kv.swap(self.key, self.token, self.token, ttl_seconds=self.ttl_seconds)
        return self.held

    async def release(self) -> None:
        if self.held:
            self.held = False
            await self._kv.delete(self.key, expected=self.token)
