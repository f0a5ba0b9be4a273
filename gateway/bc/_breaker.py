"""A circuit breaker per BC environment.

After ``failure_threshold`` consecutive failures (BC unreachable, timing out or answering 5xx)
the breaker opens: calls fail at once with :class:`BCCircuitOpen`, without HTTP.  After
``reset_seconds`` one call is let through as a probe (half-open); its success closes the
breaker, its failure opens it for another ``reset_seconds``.  No restart is ever needed.
"""

from __future__ import annotations

import enum
from collections.abc import Callable

from ._errors import BCCircuitOpen, BCError, BCThrottled, BCTimeout, BCTransportError, BCUnavailable

__all__ = ["BreakerState", "CircuitBreaker", "counts_against_breaker"]


class BreakerState(enum.Enum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


def counts_against_breaker(error: BCError) -> bool:
    """Failures that say BC is unwell.  A 429 says BC is alive and busy, a 4xx that it answered."""
    if isinstance(error, BCCircuitOpen | BCThrottled):
        return False
    if isinstance(error, BCUnavailable):
        return True
    return isinstance(error, BCTransportError | BCTimeout) and error.status is None


class CircuitBreaker:
    def __init__(self, failure_threshold: int, reset_seconds: float, now: Callable[[], float]) -> None:
        self.failure_threshold = failure_threshold
        self.reset_seconds = reset_seconds
        self._now = now
        self._failures = 0
        self._opened_at: float | None = None
        self._probing = False

    @property
    def state(self) -> BreakerState:
        if self._opened_at is None:
            return BreakerState.CLOSED
        if self._probing or self._now() - self._opened_at >= self.reset_seconds:
            return BreakerState.HALF_OPEN
        return BreakerState.OPEN

    def check(self) -> None:
        """Raise :class:`BCCircuitOpen` while open; unlike ``before_call`` it takes no probe turn."""
        if self.state is BreakerState.OPEN:
            raise _open()

    def before_call(self) -> None:
        """Raise :class:`BCCircuitOpen` unless a call may go out now (closed, or the one probe)."""
        state = self.state
        if state is BreakerState.CLOSED:
            return
        if state is BreakerState.HALF_OPEN and not self._probing:
            self._probing = True
            return
        raise _open()

    def record_success(self) -> None:
        self._failures = 0
        self._opened_at = None
        self._probing = False

    def record_failure(self) -> None:
        self._failures += 1
        if self._probing or self._failures >= self.failure_threshold:
            self._opened_at = self._now()
        self._probing = False

    def record_abandoned(self) -> None:
        """A call that ended without an answer either way (cancelled): free the probe slot."""
        self._probing = False


def _open() -> BCCircuitOpen:
    return BCCircuitOpen("Business Central is unavailable: it failed repeatedly (probing again shortly)")
