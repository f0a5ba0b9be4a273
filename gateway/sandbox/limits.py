"""BC online's per-user limits (REFERENCE §5), per principal (the token's client id).

At most ``concurrent`` requests are processed at once, up to ``queue`` more wait for a slot, and
beyond that a request is refused with 429; so is a request beyond ``window_requests`` in the
sliding ``window_seconds``.  The window reads an injectable clock, so tests need no sleeping.  A
request that waits in the queue longer than ``queue_timeout_seconds`` gets 503, as BC's do after
8 minutes.  ``stats()`` reports, per principal, the most requests it ever held at once
(processing plus queued), so tests can prove a fleet of gateways never exceeded BC's limit.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

import anyio

from gateway.sandbox.errors import SandboxError

Clock = Callable[[], float]


@dataclass(frozen=True)
class Limits:
    concurrent: int = 5
    queue: int = 95
    window_requests: int = 6000
    window_seconds: float = 300
    queue_timeout_seconds: float = 480


@dataclass
class _Principal:
    active: int = 0
    waiters: deque[anyio.Event] = field(default_factory=deque)
    window: deque[float] = field(default_factory=deque)
    peak: int = 0  # the most processing plus queued at once

    @property
    def held(self) -> int:
        return self.active + len(self.waiters)


def too_many_requests(actual: int, maximum: int) -> SandboxError:
    return SandboxError(
        429, "TooManyRequests", f"Too many requests reached. Actual ({actual}). Maximum ({maximum})."
    )


class Limiter:
    def __init__(self, limits: Limits, clock: Clock = time.monotonic) -> None:
        self.limits = limits
        self._clock = clock
        self._principals: dict[str, _Principal] = {}

    @asynccontextmanager
    async def slot(self, principal: str) -> AsyncIterator[None]:
        """Hold one of ``principal``'s processing slots, waiting in the queue if need be."""
        state = self._principals.setdefault(principal, _Principal())
        self._admit(state)
        if state.active >= self.limits.concurrent:
            await self._wait(state)
        else:
            state.active += 1
            state.peak = max(state.peak, state.held)
        try:
            yield
        finally:
            self._release(state)

    def _admit(self, state: _Principal) -> None:
        limits = self.limits
        now = self._clock()
        while state.window and state.window[0] <= now - limits.window_seconds:
            state.window.popleft()
        if len(state.window) >= limits.window_requests:
            raise too_many_requests(len(state.window) + 1, limits.window_requests)
        connections = state.active + len(state.waiters)
        if connections >= limits.concurrent + limits.queue:
            raise too_many_requests(connections + 1, limits.concurrent + limits.queue)
        state.window.append(now)

    async def _wait(self, state: _Principal) -> None:
        event = anyio.Event()
        state.waiters.append(event)
        state.peak = max(state.peak, state.held)
        try:
            # The releasing request hands its slot over (``active`` stays the same).
            with anyio.move_on_after(self.limits.queue_timeout_seconds):
                await event.wait()
            if not event.is_set():
                state.waiters.remove(event)
                raise SandboxError(
                    503, "ServiceUnavailable", "The request waited too long in the queue and was canceled."
                )
        except BaseException:
            if event.is_set():
                self._release(state)  # handed a slot while being cancelled: pass it on
            elif event in state.waiters:
                state.waiters.remove(event)
            raise

    def stats(self) -> dict[str, dict[str, int]]:
        """Per principal: ``processing`` and ``queued`` now, ``max_processing_and_queued`` ever."""
        return {
            principal: {
                "processing": state.active,
                "queued": len(state.waiters),
                "max_processing_and_queued": state.peak,
            }
            for principal, state in sorted(self._principals.items())
        }

    def _release(self, state: _Principal) -> None:
        if state.waiters:
            state.waiters.popleft().set()
        else:
            state.active -= 1
