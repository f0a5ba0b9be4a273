"""Error hygiene: what a client sees of a failure is a code, a safe message and a reference;
the full detail goes to the log under that reference."""

from __future__ import annotations

import dataclasses
import logging
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.types import Message, Scope

from gateway.app import create_app
from gateway.edge.development import Development
from gateway.settings import Settings
from tests.conftest import TODAY

pytestmark = pytest.mark.anyio

ORDERS = {"query": "{ orders(first: 3) { nodes { number } } }"}
# Planted in BC's failures; the real URL and secret are watched for the whole run (tests/leak_watch.py).
LEAKY = "https://bc-tenant.example.net/internal-path client_secret=planted-secret"


class FailingSalesOrders(httpx.AsyncBaseTransport):
    """BC that fails every company read (plain or in a $batch): with a chatty 500, or by breaking
    the client outright; start-up reads ($metadata, companies) still work."""

    def __init__(self, inner: httpx.AsyncBaseTransport, how: str) -> None:
        self.inner = inner
        self.how = how

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if "companies(" not in request.url.path and not request.url.path.endswith("/$batch"):
            return await self.inner.handle_async_request(request)
        if self.how == "500":
            body = {"error": {"code": "Internal_ServerError", "message": f"failure at {LEAKY}"}}
            return httpx.Response(500, json=body)
        raise RuntimeError(f"unexpected failure talking to {LEAKY}")


async def ask(development: Development, how: str, token: str) -> httpx.Response:
    failing = dataclasses.replace(development, bc_transport=FailingSalesOrders(development.bc_transport, how))
    app = create_app(Settings(), development=failing, today=lambda: TODAY)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gateway.test") as client,
    ):
        return await client.post("/graphql", json=ORDERS, headers={"authorization": f"Bearer {token}"})


async def test_a_bc_failure_is_a_code_and_a_safe_message(development: Development, token_for: Any) -> None:
    customer = development.customers[0]
    response = await ask(development, "500", token_for(customer.customer_number, customer.company_id))
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] in ("BC_UNAVAILABLE", "BC_REJECTED")
    assert "bc-tenant.example.net" not in response.text
    assert "planted-secret" not in response.text
    assert "Traceback" not in response.text


async def test_an_unexpected_error_is_masked_with_a_reference_that_the_log_explains(
    development: Development, token_for: Any, caplog: pytest.LogCaptureFixture
) -> None:
    customer = development.customers[0]
    with caplog.at_level(logging.ERROR, logger="gateway.errors"):
        response = await ask(development, "raise", token_for(customer.customer_number, customer.company_id))
    error = response.json()["errors"][0]
    reference = error["extensions"]["correlationId"]
    assert error["extensions"]["code"] in ("INTERNAL_ERROR", "BC_UNAVAILABLE")
    assert reference in error["message"] or error["extensions"]["code"] == "BC_UNAVAILABLE"
    for leaked in ("bc-tenant.example.net", "planted-secret", "Traceback", "RuntimeError"):
        assert leaked not in response.text
    logged = [r for r in caplog.records if getattr(r, "correlation_id", None) == reference]
    assert len(logged) == 1
    assert logged[0].exc_info is not None  # the full detail is in the log, under the reference


async def test_bc_request_urls_never_reach_the_log(
    client: httpx.AsyncClient, development: Development, token_for: Any, caplog: pytest.LogCaptureFixture
) -> None:
    customer = development.customers[0]
    with caplog.at_level(logging.DEBUG):
        await client.post(
            "/graphql",
            json=ORDERS,
            headers={"authorization": f"Bearer {token_for(customer.customer_number, customer.company_id)}"},
        )
    assert any(record.name == "gateway.audit.bc" for record in caplog.records)
    assert "bc-sandbox.internal" not in caplog.text


@pytest.mark.parametrize(
    "query",
    [
        pytest.param('{ orders(first: 2, after: "not-a-cursor") { nodes { number } } }', id="bad-cursor"),
        pytest.param("{ orders(first: 0) { nodes { number } } }", id="bad-page-size"),
        pytest.param('{ invoice(number: "") { number } }', id="bad-number"),
    ],
)
async def test_a_clients_mistake_is_answered_without_a_traceback_in_the_log(
    client: httpx.AsyncClient,
    development: Development,
    token_for: Any,
    caplog: pytest.LogCaptureFixture,
    query: str,
) -> None:
    customer = development.customers[0]
    with caplog.at_level(logging.DEBUG):
        response = await client.post(
            "/graphql",
            json={"query": query},
            headers={"authorization": f"Bearer {token_for(customer.customer_number, customer.company_id)}"},
        )
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert [r.name for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR] == []


async def test_an_unexpected_error_is_logged_once(
    development: Development, token_for: Any, caplog: pytest.LogCaptureFixture
) -> None:
    customer = development.customers[0]
    with caplog.at_level(logging.DEBUG):
        await ask(development, "raise", token_for(customer.customer_number, customer.company_id))
    tracebacks = [r.name for r in caplog.records if r.exc_info]
    assert tracebacks == ["gateway.errors"]


async def test_a_client_that_disconnects_while_sending_its_body_is_no_error(
    gateway_app: Starlette, development: Development, token_for: Any, caplog: pytest.LogCaptureFixture
) -> None:
    customer = development.customers[0]
    token = token_for(customer.customer_number, customer.company_id)
    parts: list[Message] = [
        {"type": "http.request", "body": b'{"query": "{ me', "more_body": True},
        {"type": "http.disconnect"},
    ]
    sent: list[Message] = []

    async def receive() -> Message:
        return parts.pop(0) if parts else {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        sent.append(message)

    scope: Scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/graphql",
        "raw_path": b"/graphql",
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"host", b"gateway.test"),
            (b"content-type", b"application/json"),
            (b"authorization", f"Bearer {token}".encode()),
        ],
        "client": ("127.0.0.1", 5000),
        "server": ("gateway.test", 80),
    }
    async with gateway_app.router.lifespan_context(gateway_app):
        with caplog.at_level(logging.DEBUG):
            await gateway_app(scope, receive, send)  # raises nothing: uvicorn would log a traceback
    assert [r.name for r in caplog.records if r.exc_info or r.levelno >= logging.WARNING] == []
