"""A lease in the shared store: one holder at a time, lost by a holder that stops renewing it."""

from __future__ import annotations

import contextlib
import logging
import uuid
from collections.abc import Awaitable, Callable

from gateway.store import KeyValue, StoreUnavailable

log = logging.getLogger("gateway.webhooks")


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


async def holding(lease: Lease) -> bool:
    """Whether this replica holds ``lease`` now, taking it if it is free; ``False`` (nobody here
    knows who holds it) when the shared store does not answer."""
    try:
        return await lease.acquire()
    except StoreUnavailable:
        lease.held = False
        log.warning("lease_unknown: the shared store does not answer", extra={"lease": lease.key})
        return False


async def take_turns(
    step: Callable[[], Awaitable[None]],
    lease: Lease,
    *,
    pause_seconds: float,
    sleep: Callable[[float], Awaitable[None]],
    failed: Callable[[], None],
) -> None:
    """Run ``step`` (which takes part in ``lease``'s election) every ``pause_seconds`` until
    cancelled.  A step that raises is counted (``failed``) and logged, and the next one comes as
    usual: a bug must not end the loop.  At the end the lease is given up, so that the next
    replica need not wait for it to expire."""
    try:
        while True:
            try:
                await step()
            except Exception:
                failed()
                log.exception("elected_step_failed", extra={"lease": lease.key})
            await sleep(pause_seconds)
    finally:
        with contextlib.suppress(StoreUnavailable):
            await lease.release()
