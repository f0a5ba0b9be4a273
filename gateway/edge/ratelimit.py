"""Rate limiting: a token bucket per key (a customer, or an IP address before sign-in).

Operations are weighed by their estimated cost, so one huge query spends as much as many small
ones.  ``RateLimiter`` is the interface; ``TokenBuckets`` keeps buckets in this process, and a
shared store (Redis, …) can implement the same one method for a fleet of gateways.
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol


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


class TokenBuckets:
    """In-process token buckets; the least recently used are forgotten beyond ``max_keys``."""

    def __init__(self, *, clock: Callable[[], float] = time.monotonic, max_keys: int = 100_000) -> None:
        self._clock = clock
        self._max_keys = max_keys
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()

    async def take(self, key: str, cost: float, limit: RateLimit) -> Decision:
        now = self._clock()
        level, stamp = self._buckets.pop(key, (limit.burst, now))
        rate = limit.per_minute / 60.0
        level = min(limit.burst, level + (now - stamp) * rate)
        # An operation dearer than the whole bucket may still run when the bucket is full.
        price = min(cost, limit.burst)
        allowed = level >= price
        if allowed:
            level -= price
        self._buckets[key] = (level, now)
        while len(self._buckets) > self._max_keys:
            self._buckets.popitem(last=False)
        if allowed:
            return Decision(True)
        return Decision(False, max(1, math.ceil((price - level) / rate)))
