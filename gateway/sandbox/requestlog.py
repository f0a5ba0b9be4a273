"""Every request the sandbox answered, with counters that tests and benchmarks assert on."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any


@dataclass
class RequestRecord:
    wall_time: float  # time.time() when the request arrived
    monotonic_start: float
    method: str
    route: str | None  # "v2.0", "microsoft/analytics/v1.0", …; None outside an API route
    path: str
    query_string: str
    entity_set: str | None = None
    filter: str | None = None  # decoded $filter
    principal: str | None = None  # client id of the bearer token
    status: int = 0
    duration: float = 0.0
    in_batch: bool = False  # an operation inside a $batch (whose envelope is logged too)
    # Entities sent in the answer (a collection page, or 1 for a single entity); None for anything
    # else ($metadata, writes, media, a $batch envelope, whose reads are logged one by one).
    rows: int | None = None


@dataclass
class RequestLog:
    """API requests in ``entries``; token endpoint calls only counted in ``token_requests``.

    ``in_flight``/``max_in_flight`` count requests being processed, not those waiting in BC's queue
    for a slot (``limits.py``); a ``$batch`` and its operations count once.
    """

    entries: list[RequestRecord] = field(default_factory=list)
    token_requests: int = 0
    in_flight: int = 0
    max_in_flight: int = 0

    def rows_read(self, entity_set: str | None = None) -> int:
        """Entities BC sent in answers to reads (of ``entity_set``, or of every set)."""
        return sum(e.rows or 0 for e in self.entries if entity_set is None or e.entity_set == entity_set)

    def count(self, entity_set: str | None = None, method: str | None = None) -> int:
        return sum(
            1
            for e in self.entries
            if (entity_set is None or e.entity_set == entity_set) and (method is None or e.method == method)
        )

    def clear(self) -> None:
        """Forget entries and counters (not the requests in flight right now)."""
        self.entries.clear()
        self.token_requests = 0
        self.max_in_flight = self.in_flight

    @contextmanager
    def track(self, method: str, path: str, query_string: str) -> Iterator[RequestRecord]:
        """Record one API request; the caller fills in route, entity set, principal and status."""
        record = RequestRecord(time.time(), time.monotonic(), method, None, path, query_string)
        try:
            yield record
        finally:
            record.duration = time.monotonic() - record.monotonic_start
            self.entries.append(record)

    @contextmanager
    def processing(self) -> Iterator[None]:
        """Count a request as in flight while it holds a processing slot."""
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            yield
        finally:
            self.in_flight -= 1

    def stats(self) -> dict[str, Any]:
        """The counters as JSON-ready values (``GET /_sandbox/stats``)."""
        return {
            "requests": len(self.entries),
            # HTTP requests that reached the sandbox: a $batch is one, its operations none.
            "http_requests": sum(1 for e in self.entries if not e.in_batch),
            "token_requests": self.token_requests,
            "in_flight": self.in_flight,
            "max_in_flight": self.max_in_flight,
            "by_status": {str(k): v for k, v in sorted(Counter(e.status for e in self.entries).items())},
            "by_method": dict(sorted(Counter(e.method for e in self.entries).items())),
            "by_entity_set": dict(
                sorted(Counter(e.entity_set or "" for e in self.entries if e.entity_set).items())
            ),
            "rows": self.rows_read(),
        }
