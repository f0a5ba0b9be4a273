"""Tracing: a span per GraphQL operation and per BC request, when OpenTelemetry is switched on.

Off unless the standard ``OTEL_*`` variables ask for it (``TracingSettings``, read by the
settings code); then the ``otel`` extra (``pip install 'bc-gateway[otel]'``) must be installed,
and ``_otel.py`` is imported — never otherwise, so the gateway runs without OpenTelemetry.  The
gateway keeps a tracer provider of its own (not OpenTelemetry's global one), so tests can give
each app an in-memory exporter.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, Protocol

if TYPE_CHECKING:
    from opentelemetry.sdk.trace.export import SpanExporter

__all__ = ["NO_TRACER", "Span", "Tracer", "TracingSettings", "start_tracing"]

Exporter = Literal["otlp", "console", "none"]


@dataclass(frozen=True)
class TracingSettings:
    exporter: Exporter = "none"
    endpoint: str | None = None  # where OTLP/HTTP spans go, ``…/v1/traces``; None: the SDK's default
    service_name: str = "bc-gateway"

    @property
    def enabled(self) -> bool:
        return self.exporter != "none"


class Span(Protocol):
    def headers(self) -> Mapping[str, str]:
        """The W3C trace context (``traceparent``) naming this span, for the next hop."""

    def set(self, attributes: Mapping[str, Any]) -> None: ...

    def fail(self, description: str) -> None: ...

    def end(self) -> None: ...


class Tracer(Protocol):
    @property
    def enabled(self) -> bool: ...

    def operation(
        self, name: str | None, kind: str | None, incoming: Mapping[str, str]
    ) -> contextlib.AbstractContextManager[Span]:
        """A server span for one GraphQL operation, current while the body runs (BC calls made
        meanwhile are its children); its parent is the caller's ``traceparent``, if any."""

    def client_span(self, name: str, attributes: Mapping[str, Any]) -> Span:
        """A started client span, child of the current one; the caller ends it."""

    def shutdown(self) -> None:
        """Send what is buffered and stop."""


class _NoSpan:
    def headers(self) -> Mapping[str, str]:
        return {}

    def set(self, attributes: Mapping[str, Any]) -> None:
        return None

    def fail(self, description: str) -> None:
        return None

    def end(self) -> None:
        return None


class _NoTracer:
    enabled = False
    _span = _NoSpan()

    @contextlib.contextmanager
    def operation(self, name: str | None, kind: str | None, incoming: Mapping[str, str]) -> Iterator[Span]:
        yield self._span

    def client_span(self, name: str, attributes: Mapping[str, Any]) -> Span:
        return self._span

    def shutdown(self) -> None:
        return None


NO_TRACER: Tracer = _NoTracer()


def start_tracing(settings: TracingSettings, *, exporter: SpanExporter | None = None) -> Tracer:
    """The tracer ``settings`` ask for; ``exporter`` (tests: an in-memory one) replaces theirs.

    Raises ``ImportError`` when tracing is asked for and the ``otel`` extra is missing."""
    if exporter is None and not settings.enabled:
        return NO_TRACER
    from ._otel import OtelTracer

    return OtelTracer.start(settings, exporter)
