"""The OpenTelemetry tracer behind ``_tracing.Tracer``; imported only when tracing is on."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator, Mapping
from typing import Any

from opentelemetry import trace
from opentelemetry.sdk.resources import SERVICE_NAME, Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import (
    BatchSpanProcessor,
    ConsoleSpanExporter,
    SimpleSpanProcessor,
    SpanExporter,
)
from opentelemetry.trace import SpanKind, Status, StatusCode
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

from ._tracing import Span, TracingSettings

_PROPAGATOR = TraceContextTextMapPropagator()
_SCOPE = "bc_gateway"


class _OtelSpan:
    def __init__(self, span: trace.Span) -> None:
        self._span = span

    def headers(self) -> Mapping[str, str]:
        carrier: dict[str, str] = {}
        _PROPAGATOR.inject(carrier, context=trace.set_span_in_context(self._span))
        return carrier

    def set(self, attributes: Mapping[str, Any]) -> None:
        self._span.set_attributes({key: value for key, value in attributes.items() if value is not None})

    def fail(self, description: str) -> None:
        self._span.set_status(Status(StatusCode.ERROR, description))

    def end(self) -> None:
        self._span.end()


class OtelTracer:
    enabled = True

    def __init__(self, provider: TracerProvider) -> None:
        self._provider = provider
        self._tracer = provider.get_tracer(_SCOPE)

    @classmethod
    def start(cls, settings: TracingSettings, exporter: SpanExporter | None) -> OtelTracer:
        resource = Resource.create({SERVICE_NAME: settings.service_name})
        provider = TracerProvider(resource=resource, shutdown_on_exit=False)
        if exporter is not None:  # tests: every span at once, in order
            provider.add_span_processor(SimpleSpanProcessor(exporter))
        elif settings.exporter == "console":  # stderr: standard output holds the log lines
            provider.add_span_processor(SimpleSpanProcessor(ConsoleSpanExporter(out=sys.stderr)))
        else:
            from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

            provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=settings.endpoint)))
        return cls(provider)

    @contextlib.contextmanager
    def operation(self, name: str | None, kind: str | None, incoming: Mapping[str, str]) -> Iterator[Span]:
        parent = _PROPAGATOR.extract(dict(incoming))
        attributes = {"graphql.operation.type": kind or "unknown"}
        if name is not None:
            attributes["graphql.operation.name"] = name
        title = " ".join(part for part in (kind, name) if part) or "GraphQL operation"
        with self._tracer.start_as_current_span(
            title, context=parent, kind=SpanKind.SERVER, attributes=attributes
        ) as span:
            yield _OtelSpan(span)

    def client_span(self, name: str, attributes: Mapping[str, Any]) -> Span:
        span = self._tracer.start_span(
            name,
            kind=SpanKind.CLIENT,
            attributes={key: value for key, value in attributes.items() if value is not None},
        )
        return _OtelSpan(span)

    def shutdown(self) -> None:
        self._provider.shutdown()
