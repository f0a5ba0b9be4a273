"""The shared store for one process: dictionaries, an injected clock, no I/O.

Every method finishes without awaiting anything, so on one event loop each is atomic, exactly as
the Redis implementation's scripts are across replicas.  Sizes are bounded: expired entries are
swept as the dictionaries grow, and a slow subscriber loses its oldest messages, never memory.
"""

from __future__ import annotations

import asyncio
import itertools
import math
import time
from collections import OrderedDict, deque
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from typing import Final

from ._interfaces import Buckets, Channels, KeyValue, Slots, Windows

__all__ = ["MemoryStore"]

_SWEEP_EVERY: Final = 10_000  # entries added between sweeps of expired keys
_MAX_BUCKETS: Final = 100_000  # least recently used buckets are forgotten beyond this
_SUBSCRIBER_BACKLOG: Final = 1_000

Clock = Callable[[], float]


class _MemoryKeyValue:
    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._entries: dict[str, tuple[bytes, float]] = {}
        self._counters: dict[str, tuple[int, float]] = {}
        self._added = 0

    def _live(self, key: str) -> bytes | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        if entry[1] <= self._clock():
            del self._entries[key]
            return None
        return entry[0]

    def _store(self, key: str, value: bytes, ttl_seconds: float) -> None:
        self._added += 1
        if self._added % _SWEEP_EVERY == 0:
            self._sweep()
        self._entries[key] = (value, self._clock() + ttl_seconds)

    def _sweep(self) -> None:
        now = self._clock()
        self._entries = {k: e for k, e in self._entries.items() if e[1] > now}
        self._counters = {k: c for k, c in self._counters.items() if c[1] > now}

    async def get(self, key: str) -> bytes | None:
        return self._live(key)

    async def get_many(self, keys: Sequence[str]) -> list[bytes | None]:
        return [self._live(key) for key in keys]

    async def put(self, key: str, value: bytes, *, ttl_seconds: float) -> None:
        self._store(key, value, ttl_seconds)

    async def put_many(self, values: Mapping[str, bytes], *, ttl_seconds: float) -> None:
        for key, value in values.items():
            self._store(key, value, ttl_seconds)

    async def claim(self, key: str, value: bytes, *, ttl_seconds: float) -> bytes | None:
        present = self._live(key)
        if present is None:
            self._store(key, value, ttl_seconds)
        return present

    async def swap(self, key: str, expected: bytes, value: bytes, *, ttl_seconds: float) -> bool:
        if self._live(key) != expected:
            return False
        self._store(key, value, ttl_seconds)
        return True

    async def delete(self, key: str, *, expected: bytes | None = None) -> bool:
        present = self._live(key)
        if present is None or (expected is not None and present != expected):
            return False
        del self._entries[key]
        return True

    async def increment(self, key: str, *, ttl_seconds: float) -> int:
        now = self._clock()
        value, expires_at = self._counters.get(key, (0, now))
        value = value + 1 if expires_at > now else 1
        self._counters[key] = (value, now + ttl_seconds)
        return value

    async def losses(self) -> str:
        return "in-process"  # nothing is ever evicted: only expired values go


class _MemoryBuckets:
    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()

    async def take(self, key: str, cost: float, *, per_second: float, burst: float) -> float:
        now = self._clock()
        level, stamp = self._buckets.pop(key, (burst, now))
        level = min(burst, level + (now - stamp) * per_second)
        price = min(cost, burst)
        wait = 0.0 if level >= price else (price - level) / per_second
        if wait == 0.0:
            level -= price
        self._buckets[key] = (level, now)
        while len(self._buckets) > _MAX_BUCKETS:
            self._buckets.popitem(last=False)
        return wait


class _MemoryWindows:
    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._events: dict[str, deque[float]] = {}

    async def admit(self, key: str, *, limit: int, window_seconds: float) -> float:
        now = self._clock()
        events = self._events.setdefault(key, deque())
        while events and events[0] <= now - window_seconds:
            events.popleft()
        if len(events) >= limit:
            return max(events[0] + window_seconds - now, math.ulp(now))
        events.append(now)
        return 0.0


class _MemorySlots:
    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._leases: dict[str, dict[str, float]] = {}
        self._tokens = itertools.count(1)

    def _live(self, pool: str) -> dict[str, float]:
        now = self._clock()
        leases = {t: until for t, until in self._leases.get(pool, {}).items() if until > now}
        self._leases[pool] = leases
        return leases

    async def acquire(self, pool: str, *, limit: int, lease_seconds: float) -> str | None:
        leases = self._live(pool)
        if len(leases) >= limit:
            return None
        token = str(next(self._tokens))
        leases[token] = self._clock() + lease_seconds
        return token

    async def renew(self, pool: str, token: str, *, lease_seconds: float) -> bool:
        leases = self._live(pool)
        if token not in leases:
            return False
        leases[token] = self._clock() + lease_seconds
        return True

    async def release(self, pool: str, token: str) -> None:
        self._live(pool).pop(token, None)

    async def held(self, pool: str) -> int:
        return len(self._live(pool))


class _Subscriber:
    """One subscription's backlog; a full backlog drops its oldest message."""

    def __init__(self) -> None:
        self.backlog: deque[bytes] = deque(maxlen=_SUBSCRIBER_BACKLOG)
        self.wakeup = asyncio.Event()

    def deliver(self, message: bytes) -> None:
        self.backlog.append(message)
        self.wakeup.set()

    async def messages(self) -> AsyncIterator[bytes]:
        while True:
            while self.backlog:
                yield self.backlog.popleft()
            self.wakeup.clear()
            await self.wakeup.wait()


class _MemoryChannels:
    def __init__(self) -> None:
        self._subscribers: dict[str, set[_Subscriber]] = {}

    async def publish(self, channel: str, message: bytes) -> None:
        for subscriber in self._subscribers.get(channel, ()):
            subscriber.deliver(message)

    @asynccontextmanager
    async def subscribe(self, *channels: str) -> AsyncIterator[AsyncIterator[bytes]]:
        subscriber = _Subscriber()
        for channel in channels:
            self._subscribers.setdefault(channel, set()).add(subscriber)
        try:
            yield subscriber.messages()
        finally:
            for channel in channels:
                self._subscribers[channel].discard(subscriber)
                if not self._subscribers[channel]:
                    del self._subscribers[channel]


class MemoryStore:
    """The :class:`~gateway.store.Store` of one process; ``clock`` is injected for exact tests."""

    def __init__(self, *, clock: Clock = time.monotonic) -> None:
        # Typed as the interfaces, so mypy proves each part implements its interface.
        self.kv: KeyValue = _MemoryKeyValue(clock)
        self.buckets: Buckets = _MemoryBuckets(clock)
        self.windows: Windows = _MemoryWindows(clock)
        self.slots: Slots = _MemorySlots(clock)
        self.channels: Channels = _MemoryChannels()

    @property
    def replicated(self) -> bool:
        return False

    async def ping(self) -> bool:
        return True

    async def aclose(self) -> None:
        return None
