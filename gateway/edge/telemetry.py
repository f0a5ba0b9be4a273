"""The app's metrics and tracer, and the BC client's observer built on them.

``EdgeTelemetry`` is built once by ``create_app``.  Its :meth:`bc_observer` is what the BC client
calls around each HTTP attempt (``gateway.bc.BCObserver``): a client span per attempt (whose W3C
``traceparent`` goes to BC with the request when tracing is on) and the BC request metrics.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from graphql import GraphQLSyntaxError, OperationDefinitionNode, parse

from gateway.bc import BCClient, BCObserver, CallEnded, CallStarted, CallWatch
from gateway.edge.config import EdgeSettings
from gateway.edge.persisted import load_safelist
from gateway.telemetry import NO_TRACER, BCPressure, Metrics, OperationNames, Span, Tracer

__all__ = ["EdgeTelemetry", "operation_names"]


@dataclass(frozen=True)
class EdgeTelemetry:
    metrics: Metrics
    tracer: Tracer = NO_TRACER

    def bc_observer(self) -> BCObserver:
        return _BCCalls(self.metrics, self.tracer)

    def watch(self, bc: BCClient) -> None:
        """Read BC's load (slots in flight, waiting, the breaker) whenever Prometheus scrapes."""

        def pressure() -> BCPressure:
            load = bc.load()
            return BCPressure(load.in_flight, load.queued, load.breaker.value)

        self.metrics.watch_bc(pressure)


def operation_names(settings: EdgeSettings) -> OperationNames:
    """Metric labels for operation names: in safelist mode exactly the safelist's names; otherwise
    the first hundred names clients send (then ``other``), so labels stay bounded."""
    if settings.persisted_queries != "safelist" or settings.safelist_file is None:
        return OperationNames()
    return OperationNames(_names_in(load_safelist(settings.safelist_file).values()), limit=0)


def _names_in(documents: Iterable[str]) -> set[str]:
    names: set[str] = set()
    for document in documents:
        try:
            definitions = parse(document).definitions
        except GraphQLSyntaxError:
            continue  # refused when it is sent, like any document that does not parse
        names.update(
            d.name.value for d in definitions if isinstance(d, OperationDefinitionNode) and d.name is not None
        )
    return names


class _BCCalls:
    def __init__(self, metrics: Metrics, tracer: Tracer) -> None:
        self._metrics = metrics
        self._tracer = tracer

    def call_started(self, call: CallStarted) -> CallWatch:
        span = self._tracer.client_span(
            f"BC {call.method} {call.entity_set}",
            {
                "http.request.method": call.method,
                "bc.route": call.route,
                "bc.entity_set": call.entity_set,
                "bc.attempt": call.attempt,
                "graphql.operation.name": call.operation,
                "gateway.request_id": call.request_id,
            },
        )
        return _Attempt(self._metrics, call, span)


class _Attempt:
    def __init__(self, metrics: Metrics, call: CallStarted, span: Span) -> None:
        self._metrics = metrics
        self._call = call
        self._span = span

    def headers(self) -> Mapping[str, str]:
        return self._span.headers()

    def ended(self, outcome: CallEnded) -> None:
        call = self._call
        status = str(outcome.status) if outcome.status is not None else (outcome.failure or "unknown")
        self._metrics.record_bc_call(
            entity_set=call.entity_set,
            method=call.method,
            status=status,
            seconds=outcome.duration_seconds,
            attempt=call.attempt,
        )
        self._span.set(
            {"http.response.status_code": outcome.status, "bc.correlation_id": outcome.correlation_id}
        )
        if outcome.status is None or outcome.status >= 400:
            self._span.fail(f"Business Central: {status}")
        self._span.end()
