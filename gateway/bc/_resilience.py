"""The knobs of the BC client's resilience, and the clock it runs on.

One ``ResilienceSettings`` per environment; the clock, sleep and random source are injectable so
retries, deadlines, the limiter and the breaker can be tested exactly, without waiting.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

__all__ = ["Clock", "ResilienceSettings"]


@dataclass(frozen=True)
class ResilienceSettings:
    """How hard the gateway leans on BC.  Defaults follow BC online's limits (REFERENCE §5)."""

    max_concurrency: int = 5  # BC processes 5 requests per principal at a time
    # Our own waiting line, in front of BC's: BC only ever sees ``max_concurrency`` of ours, so this
    # bounds the gateway's memory and latency (with the deadline), not BC's queue of 95.
    queue_limit: int = 500
    retry_max_attempts: int = 4  # attempts, the first one included
    retry_base_seconds: float = 0.25
    retry_max_backoff_seconds: float = 8.0
    retry_after_cap_seconds: float = 30.0
    operation_deadline_seconds: float = 30.0
    breaker_failures: int = 5
    breaker_reset_seconds: float = 30.0
    batch: bool = True
    capability_refresh_seconds: float = 300.0
    # Across replicas (a replicated shared store only): each BC request holds a leased slot of the
    # principal, renewed while in flight; a killed replica's slots come back after one lease.
    slot_lease_seconds: float = 10.0
    window_requests: int = 6000  # BC's sliding window per principal: 6,000 requests ...
    window_seconds: float = 300.0  # ... per 5 minutes
    # Replicas sharing the principal; read only while the shared store is unreachable, when each
    # replica keeps max_concurrency // replicas (at least 1) requests in flight on its own.
    replicas: int = 2

    def __post_init__(self) -> None:
        for name in (
            "max_concurrency",
            "retry_max_attempts",
            "breaker_failures",
            "window_requests",
            "replicas",
        ):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1")
        if self.queue_limit < 0:
            raise ValueError("queue_limit must not be negative")
        for name in (
            "retry_base_seconds",
            "retry_max_backoff_seconds",
            "retry_after_cap_seconds",
            "operation_deadline_seconds",
            "breaker_reset_seconds",
            "capability_refresh_seconds",
            "slot_lease_seconds",
            "window_seconds",
        ):
            if not getattr(self, name) > 0:
                raise ValueError(f"{name} must be positive")


@dataclass(frozen=True)
class Clock:
    """Monotonic time, sleeping and randomness: real by default, fakes in tests."""

    now: Callable[[], float] = time.monotonic
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
    random: Callable[[], float] = field(default=random.random)
