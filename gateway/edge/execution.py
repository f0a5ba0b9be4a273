"""Hands checked operations to Strawberry as plain JSON POSTs and shapes the HTTP answer.

Whatever arrived (GET, a persisted-query hash, a batch), Strawberry sees one ``POST`` with the
resolved document per operation; the edge has already refused mutations over ``GET``.  Answers
to ``GET`` may be cached, but only privately (they hold customer data) and per token and
company; answers to ``POST`` are never stored.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from starlette.datastructures import MutableHeaders
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway.edge.responses import JSON

VARY = "Authorization, X-BC-Company, Accept"


def cache_control(method: str, max_age_seconds: int) -> str:
    if method == "GET":
        return f"private, max-age={max_age_seconds}" if max_age_seconds > 0 else "private, no-cache"
    return "no-store"


async def execute(
    app: ASGIApp,
    scope: Scope,
    bodies: list[Mapping[str, Any]],
    *,
    batch: bool,
    media_type: str,
    cache: str,
    send: Send,
) -> None:
    """Run ``bodies`` through ``app``; one response, or a JSON array for a batch."""
    if not batch:
        await app(_as_post(scope), _replay(bodies[0]), _reshaped(send, media_type, cache))
        return
    results: list[Any] = []
    for body in bodies:
        status, content = await _capture(app, _as_post(scope), body)
        results.append(json.loads(content) if content else {"errors": [{"message": f"HTTP {status}"}]})
    response = Response(json.dumps(results), 200, media_type=media_type)
    response.headers["Cache-Control"] = cache
    response.headers["Vary"] = VARY
    await response(scope, _replay({}), send)


def _as_post(scope: Scope) -> Scope:
    headers = [
        (key, value)
        for key, value in scope["headers"]
        if key.lower() not in (b"content-type", b"content-length")
    ]
    headers.append((b"content-type", JSON.encode()))
    return {**scope, "method": "POST", "query_string": b"", "headers": headers}


def _replay(body: Mapping[str, Any]) -> Receive:
    payload = json.dumps(body).encode()
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": payload, "more_body": False}
        return {"type": "http.disconnect"}

    return receive


def _reshaped(send: Send, media_type: str, cache: str) -> Send:
    async def wrapped(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = MutableHeaders(scope=message)
            if headers.get("content-type", "").startswith(JSON):
                headers["content-type"] = f"{media_type}; charset=utf-8"
            headers["Cache-Control"] = cache
            headers["Vary"] = VARY
        await send(message)

    return wrapped


async def _capture(app: ASGIApp, scope: Scope, body: Mapping[str, Any]) -> tuple[int, bytes]:
    status = 500
    chunks: list[bytes] = []

    async def collect(message: Message) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = int(message["status"])
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await app(scope, _replay(body), collect)
    return status, b"".join(chunks)
