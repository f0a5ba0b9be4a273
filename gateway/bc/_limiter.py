"""At most N requests of one BC principal in flight, with a bounded wait queue.

BC online processes 5 requests per principal at a time and queues 95 more (REFERENCE §5); past
that it answers 429.  All portal users share one principal, so the gateway keeps its own requests
within those numbers: a request beyond the queue fails at once with :class:`BCQueueFull` instead
of piling on, and a request that cannot get a turn before its deadline fails with ``BCTimeout``.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from ._errors import BCQueueFull, BCTimeout

__all__ = ["ConcurrencyLimiter"]


class ConcurrencyLimiter:
    def __init__(self, limit: int, queue_limit: int) -> None:
        if limit < 1 or queue_limit < 0:
            raise ValueError("limit must be at least 1 and queue_limit not negative")
        self.limit = limit
        self.queue_limit = queue_limit
        self._semaphore = asyncio.Semaphore(limit)
        self.in_flight = 0
        self.waiting = 0

    @asynccontextmanager
    async def slot(self, wait_seconds: float) -> AsyncIterator[None]:
        """Hold one of the ``limit`` slots for the body; wait at most ``wait_seconds`` for it."""
        if self._semaphore.locked() and self.waiting >= self.queue_limit:
            raise BCQueueFull("too many Business Central requests are waiting already")
        self.waiting += 1
        try:
            if self._semaphore.locked():
                # Not asyncio.wait_for: on Python 3.11 it swallows a cancellation that arrives as
                # the semaphore is acquired, and the cancelled task (a shutdown) would run on.
                async with asyncio.timeout(wait_seconds):
                    await self._semaphore.acquire()
            else:
                await self._semaphore.acquire()  # a free slot is taken without waiting: no timer
        except TimeoutError:
            raise BCTimeout("no turn to call Business Central before the operation's deadline") from None
        finally:
            self.waiting -= 1
        self.in_flight += 1
        try:
            yield
        finally:
            self.in_flight -= 1
            self._semaphore.release()
