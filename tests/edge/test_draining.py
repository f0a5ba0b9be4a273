"""Once the process is asked to stop: /readyz 503 at once, answers close their connection, and a
request cut off at the end of the grace period answers 503 SHUTTING_DOWN."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest
from starlette.types import Message, Receive, Scope, Send

from gateway.app import Shutdown, create_app
from gateway.edge.development import Development
from gateway.edge.shutdown import DrainingMiddleware
from gateway.settings import Settings

pytestmark = pytest.mark.anyio


async def test_readyz_answers_503_draining_once_shutdown_is_requested_and_healthz_stays_up(
    development: Development,
) -> None:
    shutdown = Shutdown()
    app = create_app(Settings(), development=development, shutdown=shutdown)
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://t") as client,
    ):
        before = await client.get("/readyz")
        shutdown.request()
        during = await client.get("/readyz")
        alive = await client.get("/healthz")
    assert before.status_code == 200
    assert "connection" not in before.headers
    assert (during.status_code, during.json()) == (503, {"status": "draining"})
    assert during.headers["connection"] == "close"
    assert alive.status_code == 200


async def _cancelled(scope: Scope, receive: Receive, send: Send) -> None:
    raise asyncio.CancelledError


async def _drive(middleware: DrainingMiddleware) -> list[Message]:
    sent: list[Message] = []

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        sent.append(message)

    scope: Scope = {"type": "http", "method": "POST", "path": "/graphql", "headers": []}
    await middleware(scope, receive, send)
    return sent


async def test_a_request_cut_off_while_shutting_down_answers_503_shutting_down() -> None:
    shutdown = Shutdown()
    shutdown.request()
    sent = await _drive(DrainingMiddleware(_cancelled, shutdown))
    start, body = sent[0], sent[1]
    assert start["status"] == 503
    assert (b"retry-after", b"1") in start["headers"]
    assert json.loads(body["body"])["errors"][0]["extensions"]["code"] == "SHUTTING_DOWN"


async def test_a_cancellation_before_shutdown_is_not_swallowed() -> None:
    with pytest.raises(asyncio.CancelledError):
        await _drive(DrainingMiddleware(_cancelled, Shutdown()))
