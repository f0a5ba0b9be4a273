"""Idempotency keys: one write per key, the same answer for every retry with that key.

The store is an interface (:class:`KeyStore`) with an in-memory implementation for one process.
It is a fast path and the way concurrent duplicates find each other; it is not what makes a
retry after a lost answer or a restart safe — that is the reference the gateway writes into the
document itself (see ``docs/writes.md``).  The same store holds the claims on customer-query
content that make identical queries sent at once with different keys take turns
(``writes.guard.once_per_content``).  A shared store (Redis, a database) implements the same four
methods, ``reserve`` atomically.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Generic, Literal, Protocol, TypeVar

R = TypeVar("R")

DEFAULT_TTL_SECONDS = 24 * 3600.0
ReservationState = Literal["new", "in_progress", "completed", "mismatch"]


@dataclass(frozen=True)
class Reservation(Generic[R]):
    """What ``reserve`` found: ``new`` (the caller owns the key now), ``in_progress`` (another
    request owns it), ``completed`` (``result`` is the answer to replay) or ``mismatch`` (the key
    was used for a different payload)."""

    state: ReservationState
    result: R | None = None


class KeyStore(Protocol[R]):
    async def reserve(self, key: str, fingerprint: str) -> Reservation[R]: ...

    async def complete(self, key: str, result: R) -> None: ...

    async def release(self, key: str) -> None:
        """Forget a reservation after a definite failure: the same payload may be sent again."""

    async def wait(self, key: str, timeout_seconds: float) -> None:
        """Return when ``key`` stops being in progress, or after ``timeout_seconds``."""


@dataclass
class _Entry(Generic[R]):
    fingerprint: str
    expires_at: float
    result: R | None = None
    done: bool = False
    settled: asyncio.Event = field(default_factory=asyncio.Event)


class InMemoryKeyStore(Generic[R]):
    """One process's keys, kept ``ttl_seconds`` (at least 24 hours) after they were completed."""

    def __init__(
        self, *, ttl_seconds: float = DEFAULT_TTL_SECONDS, clock: Callable[[], float] = time.monotonic
    ) -> None:
        if ttl_seconds < DEFAULT_TTL_SECONDS:
            raise ValueError("idempotency keys must be kept at least 24 hours")
        self._ttl = ttl_seconds
        self._clock = clock
        self._entries: dict[str, _Entry[R]] = {}

    async def reserve(self, key: str, fingerprint: str) -> Reservation[R]:
        # No await before the dict is updated: concurrent callers cannot both see "new".
        self._expire()
        entry = self._entries.get(key)
        if entry is None:
            self._entries[key] = _Entry(fingerprint, self._clock() + self._ttl)
            return Reservation("new")
        if entry.fingerprint != fingerprint:
            return Reservation("mismatch")
        if entry.done:
            return Reservation("completed", entry.result)
        return Reservation("in_progress")

    async def complete(self, key: str, result: R) -> None:
        entry = self._entries.get(key)
        if entry is None:
            return
        entry.result, entry.done = result, True
        entry.expires_at = self._clock() + self._ttl
        entry.settled.set()

    async def release(self, key: str) -> None:
        entry = self._entries.pop(key, None)
        if entry is not None:
            entry.settled.set()

    async def wait(self, key: str, timeout_seconds: float) -> None:
        entry = self._entries.get(key)
        if entry is None or entry.done:
            return
        try:
            await asyncio.wait_for(entry.settled.wait(), timeout_seconds)
        except TimeoutError:
            return

    def __len__(self) -> int:
        self._expire()
        return len(self._entries)

    def _expire(self) -> None:
        now = self._clock()
        for key in [k for k, e in self._entries.items() if e.expires_at <= now]:
            self._entries.pop(key).settled.set()
