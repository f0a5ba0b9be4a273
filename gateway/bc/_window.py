"""BC's request window — 6,000 requests per principal per 5 minutes — and waiting for room in it.

With a replicated store the fleet counts every replica's requests in one shared window
(``_fleet.py``).  Without one, the gateway is a single replica (production refuses to start
otherwise unless told, ``docs/store.md``), and its own count is exact: so it keeps it
(:class:`ProcessWindow`), rather than sending what BC can only answer with 429.  Either way a
request that finds the window full waits until the oldest counted request leaves it, when the
operation's deadline allows; otherwise it fails at once with ``BC_THROTTLED`` — what BC's 429
would have meant, without spending BC's patience (:func:`wait_for_room`).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Awaitable, Callable

from ._deadline import Deadline
from ._errors import BCThrottled
from ._resilience import Clock

__all__ = ["ProcessWindow", "wait_for_room"]


async def wait_for_room(admit: Callable[[], Awaitable[float]], deadline: Deadline, clock: Clock) -> None:
    """Count one request with ``admit`` (0 when counted, else how long until there is room),
    sleeping on ``clock`` for room while ``deadline`` allows."""
    while (wait := await admit()) > 0:
        if wait >= deadline.remaining():
            raise BCThrottled("the Business Central principal's request window is full", retry_after=wait)
        await clock.sleep(wait)


class ProcessWindow:
    """One principal's sliding window of ``limit`` requests per ``seconds``, on ``clock``."""

    def __init__(self, limit: int, seconds: float, clock: Clock) -> None:
        self._limit = limit
        self._seconds = seconds
        self._clock = clock
        self._sent: deque[float] = deque()  # when each counted request was admitted, oldest first

    async def admit(self, deadline: Deadline) -> None:
        """Count one request, waiting for room while ``deadline`` allows."""
        await wait_for_room(self._count, deadline, self._clock)

    async def _count(self) -> float:
        now = self._clock.now()
        while self._sent and self._sent[0] <= now - self._seconds:
            self._sent.popleft()
        if len(self._sent) < self._limit:
            self._sent.append(now)
            return 0.0
        return self._sent[0] + self._seconds - now
