"""Rate limiting: a token bucket per key (a customer, or an IP address before sign-in).

Operations are weighed by their estimated cost, so one huge query spends as much as many small
ones.  ``RateLimiter`` is the interface; :class:`StoreRateLimiter` keeps the buckets in the shared
store, so a customer has one budget whatever replica answers.

While the store cannot be reached the limiter fails *open* to buckets of its own process, each
holding ``1 / replicas`` of the budget (``GATEWAY_REPLICAS``), and asks the store again after a few
seconds: refusing every request for an outage of Redis would stop the reads that still work, and
with the real replica count behind a balancing load balancer the fleet keeps about the same budget.
BC itself stays protected meanwhile by the fleet's own fallback limit (``docs/store.md``).
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final, Protocol

from gateway.store import Buckets, MemoryStore, StoreUnavailable

LOGGER = logging.getLogger("gateway.edge.ratelimit")
_STORE_RETRY_SECONDS: Final = 5.0  # after a store failure, how long to keep to the local buckets


@dataclass(frozen=True)
class RateLimit:
    """``per_minute`` units refill a bucket that holds at most ``burst`` units."""

    per_minute: float
    burst: float

    def __post_init__(self) -> None:
        if self.per_minute <= 0 or self.burst <= 0:
            raise ValueError("per_minute and burst must be positive")


@dataclass(frozen=True)
class Decision:
    allowed: bool
    retry_after_seconds: int = 0


class RateLimiter(Protocol):
    async def take(self, key: str, cost: float, limit: RateLimit) -> Decision:
        """Spend ``cost`` from ``key``'s bucket, or refuse and say when it will hold enough."""


class StoreRateLimiter:
    """Token buckets in ``buckets`` (the shared store's), with a local fallback (see the module).

    ``clock`` is the local buckets' and the retry timer's (monotonic seconds).
    """

    def __init__(
        self, buckets: Buckets, *, replicas: int = 1, clock: Callable[[], float] = time.monotonic
    ) -> None:
        if replicas < 1:
            raise ValueError("replicas must be at least 1")
        self._shared = buckets
        self._local = MemoryStore(clock=clock).buckets
        self._replicas = replicas
        self._clock = clock
        self._local_until = -math.inf

    async def take(self, key: str, cost: float, limit: RateLimit) -> Decision:
        if self._clock() >= self._local_until:
            try:
                wait = await self._shared.take(
                    key, cost, per_second=limit.per_minute / 60.0, burst=limit.burst
                )
            except StoreUnavailable:
                self._degraded()
            else:
                self._recovered()
                return _decision(wait)
        share = self._replicas
        wait = await self._local.take(
            key, cost, per_second=limit.per_minute / 60.0 / share, burst=limit.burst / share
        )
        return _decision(wait)

    def _degraded(self) -> None:
        if self._local_until == -math.inf:
            LOGGER.warning(
                "rate_limit_local",
                extra={"replicas": self._replicas, "reason": "shared store unreachable"},
            )
        self._local_until = self._clock() + _STORE_RETRY_SECONDS

    def _recovered(self) -> None:
        if self._local_until != -math.inf:
            LOGGER.warning("rate_limit_shared_again")
        self._local_until = -math.inf


def _decision(wait_seconds: float) -> Decision:
    if wait_seconds <= 0:
        return Decision(True)
    return Decision(False, max(1, math.ceil(wait_seconds)))
