"""Catalogue and stock shared across customers, for at most a minute.

Items, their availability and shipping agents are not customer-owned: every customer of a
company sees the same rows, so one BC read can serve them all.  The cache is owned by the app
(opened in its lifespan), keyed by company, and injected into each request's loaders.  Nothing
customer-owned is ever put in it: only :class:`SharedReader` writes to it, and it refuses
customer-owned entity sets.  Each lookup is reported as a hit or a miss to the app's metrics
(``LookupRecorder``), as ``shared.<kind>`` (``shared.item``, ``shared.availability``, …).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable
from typing import Any, Final, Protocol, TypeVar, overload
from uuid import UUID

from gateway.bc import CUSTOMER_OWNED, STANDARD_API, ApiRoute, BCSession, Entity, Query, ScopeViolation

__all__ = ["MAX_AGE_SECONDS", "LookupRecorder", "SharedCache", "SharedReader"]

E = TypeVar("E", bound=Entity)

# Stock is never more than a minute stale (issue "The complete portal", item 5).
MAX_AGE_SECONDS: Final = 60.0
_MAX_ENTRIES: Final = 20_000
_MISSING: Final = object()


class LookupRecorder(Protocol):
    """Where cache hits and misses are counted (``gateway.telemetry.Metrics`` is one)."""

    def record_lookup(self, cache: str, *, hit: bool) -> None: ...


class SharedCache:
    """A small TTL cache keyed by (company, key); ``clock`` is injected so tests can move time."""

    def __init__(
        self,
        *,
        max_age_seconds: float = MAX_AGE_SECONDS,
        clock: Callable[[], float] = time.monotonic,
        recorder: LookupRecorder | None = None,
    ) -> None:
        if not 0 < max_age_seconds <= MAX_AGE_SECONDS:
            raise ValueError(f"max_age_seconds must be in (0, {MAX_AGE_SECONDS}]")
        self._max_age = max_age_seconds
        self._clock = clock
        self._recorder = recorder
        self._entries: dict[tuple[UUID, Hashable], tuple[float, Any]] = {}

    def get(self, company: UUID, key: Hashable) -> Any:
        """The cached value, or ``SharedCache.MISSING`` when absent or older than the maximum age."""
        value = self._fresh(company, key)
        if self._recorder is not None:
            self._recorder.record_lookup(_cache_name(key), hit=value is not _MISSING)
        return value

    def _fresh(self, company: UUID, key: Hashable) -> Any:
        entry = self._entries.get((company, key))
        if entry is None:
            return _MISSING
        stored_at, value = entry
        if self._clock() - stored_at >= self._max_age:
            del self._entries[(company, key)]
            return _MISSING
        return value

    def put(self, company: UUID, key: Hashable, value: Any) -> None:
        if len(self._entries) >= _MAX_ENTRIES:
            self._evict()
        self._entries[(company, key)] = (self._clock(), value)

    def _evict(self) -> None:
        now = self._clock()
        self._entries = {k: v for k, v in self._entries.items() if now - v[0] < self._max_age}
        if len(self._entries) >= _MAX_ENTRIES:
            # Still full of fresh rows: drop the oldest half rather than grow without bound.
            ordered = sorted(self._entries.items(), key=lambda kv: kv[1][0])
            self._entries = dict(ordered[len(ordered) // 2 :])

    MISSING: Final = _MISSING


def _cache_name(key: Hashable) -> str:
    """``shared.<kind>``: keys are tuples that start with their kind (a name from the code)."""
    kind = key[0] if isinstance(key, tuple) and key and isinstance(key[0], str) else "other"
    return f"shared.{kind}"


class SharedReader:
    """Reads non-customer-owned BC data through a :class:`SharedCache` for one request's company."""

    def __init__(self, session: BCSession, cache: SharedCache) -> None:
        self._session = session
        self._cache = cache
        self.company: UUID = session.scope.company_id

    @overload
    async def fetch(
        self, query: Query, *, model: None = None, route: ApiRoute = STANDARD_API
    ) -> list[dict[str, Any]]: ...

    @overload
    async def fetch(self, query: Query, *, model: type[E], route: ApiRoute = STANDARD_API) -> list[E]: ...

    async def fetch(
        self, query: Query, *, model: type[E] | None = None, route: ApiRoute = STANDARD_API
    ) -> list[E] | list[dict[str, Any]]:
        """All rows of ``query`` (as ``model`` instances, or plain rows), from the cache while
        they are younger than the maximum age."""
        if query.entity_set in CUSTOMER_OWNED:
            raise ScopeViolation(f"{query.entity_set} is customer-owned and is never shared")
        shape = model.__qualname__ if model is not None else None
        key = ("query", route.path, query.entity_set, tuple(sorted(query.params().items())), shape)
        cached = self._cache.get(self.company, key)
        if cached is not _MISSING:
            return list(cached)
        rows: list[Any] = await self._session.fetch(query, model=model, route=route)
        self._cache.put(self.company, key, tuple(rows))
        return rows

    def get(self, key: Hashable) -> Any:
        return self._cache.get(self.company, key)

    def put(self, key: Hashable, value: Any) -> None:
        self._cache.put(self.company, key, value)
