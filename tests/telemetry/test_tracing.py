"""Tracing: nothing without OpenTelemetry switched on; with it, operation spans parent BC spans."""

from __future__ import annotations

from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from gateway.telemetry import NO_TRACER, TracingSettings, start_tracing

CALLER = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"


def test_tracing_is_off_unless_settings_ask_for_it() -> None:
    assert start_tracing(TracingSettings()) is NO_TRACER
    with NO_TRACER.operation("Dashboard", "query", {}) as span:
        assert span.headers() == {}


def test_an_operation_span_continues_the_callers_trace_and_parents_the_bc_spans() -> None:
    exporter = InMemorySpanExporter()
    tracer = start_tracing(TracingSettings(), exporter=exporter)

    with tracer.operation("Dashboard", "query", {"traceparent": CALLER}):
        bc = tracer.client_span("BC GET items", {"bc.entity_set": "items", "bc.attempt": 1, "none": None})
        sent = bc.headers()
        bc.set({"http.response.status_code": 200})
        bc.end()
    tracer.shutdown()

    call, operation = exporter.get_finished_spans()
    assert (operation.name, operation.kind) == ("query Dashboard", SpanKind.SERVER)
    assert operation.attributes == {"graphql.operation.type": "query", "graphql.operation.name": "Dashboard"}
    assert operation.context.trace_id == int(CALLER.split("-")[1], 16)
    assert operation.parent is not None
    assert operation.parent.span_id == int(CALLER.split("-")[2], 16)
    assert (call.name, call.kind) == ("BC GET items", SpanKind.CLIENT)
    assert call.parent is not None
    assert call.parent.span_id == operation.context.span_id
    assert call.attributes == {"bc.entity_set": "items", "bc.attempt": 1, "http.response.status_code": 200}
    assert sent["traceparent"] == f"00-{call.context.trace_id:032x}-{call.context.span_id:016x}-01"
