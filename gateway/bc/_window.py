"""BC's request window — 6,000 requests per principal per 5 minutes — kept by one process.

With a replicated store the fleet counts every replica's requests in one shared window
(``_fleet.py``).  Without one, the gateway is a single replica (production refuses to start
otherwise unless told, ``docs/store.md``), and its own count is exact: so it keeps it, rather than
sending what BC can only answer with 429.  A request that finds the window full waits until the
oldest counted request leaves it, when the operation's deadline allows; otherwise it fails at
once with ``BC_THROTTLED`` — what BC's 429 would have meant, without spending BC's patience.
"""

from __future__ import annotations

from collections import deque

from ._deadline import Deadline
from ._errors import BCThrottled
from ._resilience import Clock

__all__ = ["ProcessWindow"]


class ProcessWindow:
    """One principal's sliding window of ``limit`` requests per ``seconds``, on ``clock``."""

    def __init__(self, limit: int, seconds: float, clock: Clock) -> None:
        self._limit = limit
        self._seconds = seconds
        self._clock = clock
        self._sent: deque[float] = deque()  # when each counted request was admitted, oldest first

    async def admit(self, deadline: Deadline) -> None:
        """Count one request, waiting for room while ``deadline`` allows."""
        while True:
            now = self._clock.now()
            while self._sent and self._sent[0] <= now - self._seconds:
                self._sent.popleft()
            if len(self._sent) < self._limit:
                self._sent.append(now)
                return
            wait = self._sent[0] + self._seconds - now
            if wait >= deadline.remaining():
                raise BCThrottled("the Business Central principal's request window is full", retry_after=wait)
            await self._clock.sleep(wait)
