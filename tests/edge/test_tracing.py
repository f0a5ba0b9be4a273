"""With tracing on: a span per GraphQL operation continuing the caller's trace, a child span per
BC request, and each BC request carrying its own span's ``traceparent``."""

from __future__ import annotations

import dataclasses

import httpx
import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from gateway.app import create_app
from gateway.edge.development import Development, mint_for
from gateway.settings import Settings
from gateway.telemetry import TracingSettings, start_tracing
from tests.conftest import TODAY

pytestmark = pytest.mark.anyio

CALLER_TRACE = "0af7651916cd43dd8448eb211c80319c"
CALLER = f"00-{CALLER_TRACE}-b7ad6b7169203331-01"
DASHBOARD = "query Dashboard { me { number } orders(first: 2) { nodes { number lines { number } } } }"


class Recording(httpx.AsyncBaseTransport):
    """BC's transport, remembering each request the gateway sent."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.requests: list[httpx.Request] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return await self.inner.handle_async_request(request)


async def test_an_operation_is_a_span_whose_children_are_its_bc_requests(development: Development) -> None:
    exporter = InMemorySpanExporter()
    bc = Recording(development.bc_transport)
    settings = dataclasses.replace(Settings(), bc=development.bc_settings, auth=development.auth_settings)
    app = create_app(
        settings,
        bc_transport=bc,
        jwks_transport=development.jwks_transport,
        today=lambda: TODAY,
        tracer=start_tracing(TracingSettings(), exporter=exporter),
    )
    token = mint_for(development, development.customers[0])
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="https://gateway.test") as client,
    ):
        exporter.clear()  # the start-up's capability reads
        bc.requests.clear()
        response = await client.post(
            "/graphql",
            json={"query": DASHBOARD},
            headers={"authorization": f"Bearer {token}", "traceparent": CALLER},
        )
    assert response.status_code == 200

    spans = exporter.get_finished_spans()
    [operation] = [span for span in spans if span.kind is SpanKind.SERVER]
    calls = [span for span in spans if span.kind is SpanKind.CLIENT]
    assert operation.name == "query Dashboard"
    assert operation.context.trace_id == int(CALLER_TRACE, 16)
    assert operation.attributes is not None
    assert operation.attributes["graphql.outcome"] == "ok"
    sent = [request for request in bc.requests if "/api/" in request.url.path]
    assert len(calls) == len(sent) == operation.attributes["bc.requests"]
    assert all(call.parent is not None and call.parent.span_id == operation.context.span_id for call in calls)
    assert sorted(request.headers["traceparent"] for request in sent) == sorted(
        f"00-{call.context.trace_id:032x}-{call.context.span_id:016x}-01" for call in calls
    )
    assert {call.attributes["http.response.status_code"] for call in calls if call.attributes} == {200}
