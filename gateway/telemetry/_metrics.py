"""The gateway's Prometheus metrics: one registry per app, families declared once, here.

Labels stay bounded: operation names pass through :class:`OperationNames` (the safelist's names,
or the first ``limit`` names seen, then ``other``); entity sets, mutation names, outcomes, error
codes and cache names come from the gateway's code; customers never appear.  Gauges that
describe something else's state (BC's load, the shared store, the audit sinks) are read when
Prometheus scrapes, from the sources ``watch_*`` registered.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Final

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    disable_created_metrics,
    generate_latest,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector

from ._sinks import failures

__all__ = ["CONTENT_TYPE", "BCPressure", "Metrics", "OperationNames"]

CONTENT_TYPE: Final = CONTENT_TYPE_LATEST
PREFIX: Final = "bc_gateway"
OPERATION_BUCKETS: Final = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)
BC_BUCKETS: Final = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
BREAKER_STATES: Final = ("closed", "open", "half_open")
_NAME: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")


class OperationNames:
    """Operation names as metric labels, from a bounded set.

    ``known`` names (a safelist's) are always their own label; other names get one while fewer
    than ``limit`` have, then ``other``; no name is ``anonymous``.  So however many distinct
    names clients send, a family has at most ``len(known) + limit + 2`` operation labels.
    """

    def __init__(self, known: Iterable[str] = (), *, limit: int = 100) -> None:
        self._known = frozenset(known)
        self._limit = limit
        self._seen: set[str] = set()
        self._lock = threading.Lock()

    def label(self, name: str | None) -> str:
        if name is None:
            return "anonymous"
        if name in self._known:
            return name
        if not _NAME.fullmatch(name):
            return "other"
        with self._lock:
            if name in self._seen:
                return name
            if len(self._seen) < self._limit:
                self._seen.add(name)
                return name
        return "other"


@dataclass(frozen=True)
class BCPressure:
    """BC's client as a scrape sees it: requests holding a slot, requests waiting, the breaker."""

    in_flight: int
    queued: int
    breaker: str  # one of BREAKER_STATES


class Metrics:
    """Every family the gateway exports, and one method per thing that happens."""

    def __init__(self, operation_names: OperationNames | None = None) -> None:
        # No ``…_created`` series: a start time per label set doubles the output and says little.
        disable_created_metrics()  # type: ignore[no-untyped-call]
        self.registry = CollectorRegistry()
        self.operation_names = operation_names or OperationNames()
        self._bc_pressure: Callable[[], BCPressure] | None = None
        self._store_up: Callable[[], bool | None] | None = None
        self._webhook_counts: Callable[[], Mapping[str, int]] | None = None
        self._webhook_subscriptions: Callable[[], Mapping[str, int]] | None = None
        self._live_counts: Callable[[], Mapping[str, int]] | None = None
        # Each label set's child series, as prometheus_client's labels() finds it (validating the
        # values and taking its lock every time): the hot paths record several per request.
        self._children: dict[tuple[object, tuple[str, ...]], Any] = {}
        r = self.registry
        self.operations = Counter(
            f"{PREFIX}_operations",
            "GraphQL operations executed, by name, type and outcome (ok, partial: data with errors, error)",
            ["operation", "type", "outcome"],
            registry=r,
        )
        self.operation_seconds = Histogram(
            f"{PREFIX}_operation_duration_seconds",
            "Time to execute a GraphQL operation, its BC requests included",
            ["operation", "type"],
            buckets=OPERATION_BUCKETS,
            registry=r,
        )
        self.operation_errors = Counter(
            f"{PREFIX}_operation_errors",
            "Errors in GraphQL answers, by the code clients saw",
            ["code"],
            registry=r,
        )
        self.refused = Counter(
            f"{PREFIX}_requests_refused",
            "Requests the edge refused before any operation ran, by code",
            ["code"],
            registry=r,
        )
        self.rate_limited = Counter(
            f"{PREFIX}_rate_limited",
            "Requests refused 429 by a rate limit: a customer's bucket, or a client address's",
            ["bucket"],
            registry=r,
        )
        self.bc_requests = Counter(
            f"{PREFIX}_bc_requests",
            "HTTP requests to Business Central (each attempt), by entity set, method and status "
            "(or the failure when BC gave none)",
            ["entity_set", "method", "status"],
            registry=r,
        )
        self.bc_seconds = Histogram(
            f"{PREFIX}_bc_request_duration_seconds",
            "Time for one HTTP request to Business Central, by entity set",
            ["entity_set"],
            buckets=BC_BUCKETS,
            registry=r,
        )
        self.bc_throttled = Counter(
            f"{PREFIX}_bc_throttled",
            "429 answers from Business Central, by entity set",
            ["entity_set"],
            registry=r,
        )
        self.bc_retries = Counter(
            f"{PREFIX}_bc_retries",
            "Requests to Business Central that were retries of a failed attempt, by entity set",
            ["entity_set"],
            registry=r,
        )
        self.cache_lookups = Counter(
            f"{PREFIX}_cache_lookups",
            "Lookups in the gateway's caches, by cache and result (hit, miss; stale for responses)",
            ["cache", "result"],
            registry=r,
        )
        self.writes = Counter(
            f"{PREFIX}_writes",
            "Write attempts (mutations), by mutation and outcome",
            ["mutation", "outcome"],
            registry=r,
        )
        self.replays = Counter(
            f"{PREFIX}_idempotent_replays",
            "Writes answered from their idempotency key's first answer, without writing again",
            ["mutation"],
            registry=r,
        )
        r.register(_Watched(self))

    # --- what happens -------------------------------------------------------------------

    def record_operation(
        self, name: str | None, kind: str | None, outcome: str, seconds: float, codes: Iterable[str]
    ) -> None:
        label, kind = self.operation_names.label(name), kind or "unknown"
        self._child(self.operations, label, kind, outcome).inc()
        self._child(self.operation_seconds, label, kind).observe(seconds)
        for code in codes:
            self.operation_errors.labels(code).inc()

    def _child(self, family: Any, *values: str) -> Any:
        """``family.labels(*values)``, found once per label set."""
        key = (family, values)
        child = self._children.get(key)
        if child is None:
            child = self._children[key] = family.labels(*values)
        return child

    def record_refusal(self, code: str) -> None:
        self.refused.labels(code).inc()

    def record_rate_limited(self, bucket: str) -> None:
        self.rate_limited.labels(bucket).inc()

    def record_bc_call(
        self, *, entity_set: str, method: str, status: str, seconds: float, attempt: int
    ) -> None:
        self._child(self.bc_requests, entity_set, method, status).inc()
        self._child(self.bc_seconds, entity_set).observe(seconds)
        if status == "429":
            self.bc_throttled.labels(entity_set).inc()
        if attempt > 1:
            self.bc_retries.labels(entity_set).inc()

    def record_lookup(self, cache: str, *, hit: bool, count: int = 1) -> None:
        """``count`` lookups in the cache of BC's answers, as ``answers.<kind of data>``."""
        self.cache_lookups.labels(cache, "hit" if hit else "miss").inc(count)

    def record_response_lookup(self, result: str) -> None:
        """A lookup in the cache of whole responses: ``hit``, ``miss`` or ``stale``."""
        self.cache_lookups.labels("responses", result).inc()

    def record_write(self, mutation: str, outcome: str) -> None:
        self.writes.labels(mutation, outcome).inc()
        if outcome == "replayed":
            self.replays.labels(mutation).inc()

    # --- state read at scrape time ---------------------------------------------------------

    def watch_bc(self, pressure: Callable[[], BCPressure]) -> None:
        self._bc_pressure = pressure

    def watch_store(self, up: Callable[[], bool | None]) -> None:
        """``up``: whether the shared store answered its last ping (``None``: not asked yet)."""
        self._store_up = up

    def watch_webhooks(
        self, counts: Callable[[], Mapping[str, int]], subscriptions: Callable[[], Mapping[str, int]]
    ) -> None:
        """``counts``: the webhook side's counters by event (``WebhookStats``); ``subscriptions``:
        BC's subscriptions by state, as the manager last found them."""
        self._webhook_counts = counts
        self._webhook_subscriptions = subscriptions

    def watch_live(self, counts: Callable[[], Mapping[str, int]]) -> None:
        """``counts``: the GraphQL subscriptions' counters (``connections_open`` is a gauge)."""
        self._live_counts = counts

    def render(self) -> bytes:
        """The exposition text Prometheus scrapes."""
        return generate_latest(self.registry)


class _Watched(Collector):
    """The gauges read from their sources when Prometheus scrapes."""

    def __init__(self, metrics: Metrics) -> None:
        self._metrics = metrics

    def collect(self) -> Iterator[GaugeMetricFamily | CounterMetricFamily]:
        sinks = CounterMetricFamily(
            f"{PREFIX}_audit_sink_failures",
            "Audit records a sink (stdout, file) failed to write: each one is also warned about",
            labels=["sink"],
        )
        for sink, count in sorted(failures().items()):
            sinks.add_metric([sink], count)
        yield sinks
        pressure = self._metrics._bc_pressure() if self._metrics._bc_pressure else BCPressure(0, 0, "closed")
        yield GaugeMetricFamily(
            f"{PREFIX}_bc_in_flight",
            "Requests to Business Central holding one of this replica's slots",
            value=pressure.in_flight,
        )
        yield GaugeMetricFamily(
            f"{PREFIX}_bc_queued",
            "Requests to Business Central waiting in this replica for a slot",
            value=pressure.queued,
        )
        breaker = GaugeMetricFamily(
            f"{PREFIX}_bc_breaker_state",
            "The circuit breaker in front of Business Central: 1 for its current state",
            labels=["state"],
        )
        for state in BREAKER_STATES:
            breaker.add_metric([state], 1.0 if pressure.breaker == state else 0.0)
        yield breaker
        yield from self._webhooks()
        yield from self._live()
        up = self._metrics._store_up() if self._metrics._store_up else None
        if up is not None:
            yield GaugeMetricFamily(
                f"{PREFIX}_store_up",
                "Whether the shared store (Redis, or this process) answered its last ping",
                value=1.0 if up else 0.0,
            )

    def _webhooks(self) -> Iterator[GaugeMetricFamily | CounterMetricFamily]:
        metrics = self._metrics
        if metrics._webhook_counts is None or metrics._webhook_subscriptions is None:
            return
        events = CounterMetricFamily(
            f"{PREFIX}_webhook_events",
            "BC's webhooks on this replica, by event: bodies and notifications accepted or refused, "
            "processed, replayed, failed, resyncs, owner reads, subscriptions created and renewed",
            labels=["event"],
        )
        for event, count in sorted(metrics._webhook_counts().items()):
            events.add_metric([event], count)
        yield events
        states = GaugeMetricFamily(
            f"{PREFIX}_webhook_subscriptions",
            "The gateway's subscriptions in BC by state, as the managing replica last found them",
            labels=["state"],
        )
        for state, count in sorted(metrics._webhook_subscriptions().items()):
            states.add_metric([state], count)
        yield states

    def _live(self) -> Iterator[GaugeMetricFamily | CounterMetricFamily]:
        if self._metrics._live_counts is None:
            return
        counts = dict(self._metrics._live_counts())
        yield GaugeMetricFamily(
            f"{PREFIX}_live_connections",
            "GraphQL subscription WebSockets open on this replica",
            value=counts.pop("connections_open", 0),
        )
        events = CounterMetricFamily(
            f"{PREFIX}_live_events",
            "GraphQL subscriptions on this replica, by event: refused handshakes and tokens, "
            "refreshed tokens, messages sent, BC change events heard and offered to subscribers",
            labels=["event"],
        )
        for event, count in sorted(counts.items()):
            events.add_metric([event], count)
        yield events
