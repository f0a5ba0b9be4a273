"""Hands checked operations to Strawberry as plain JSON POSTs and shapes the HTTP answer.

Whatever arrived (GET, a persisted-query hash, a batch), Strawberry sees one ``POST`` with the
resolved document per operation; the edge has already refused mutations over ``GET``.  Answers
to ``GET`` may be cached, but only privately (they hold customer data) and per token and
company; answers to ``POST`` are never stored.  Each operation runs inside its own span (when
tracing is on), with its :class:`OperationRecord` in the scope for ``get_context`` and
``process_result`` to fill in, and its duration measured.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping, Sequence
from typing import Any, Final

from starlette.datastructures import MutableHeaders
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway.edge.access import OperationRecord
from gateway.edge.responses import JSON
from gateway.telemetry import NO_TRACER, Tracer

VARY = "Authorization, X-BC-Company, Accept"
OPERATION_KEY: Final = "gateway.operation"
Run = tuple[Mapping[str, Any], OperationRecord]  # an operation's body, and its record


def operation_record(scope: Scope) -> OperationRecord | None:
    """The record of the operation this (replayed) request executes."""
    found = scope.get(OPERATION_KEY)
    return found if isinstance(found, OperationRecord) else None


def cache_control(method: str, max_age_seconds: int) -> str:
    if method == "GET":
        return f"private, max-age={max_age_seconds}" if max_age_seconds > 0 else "private, no-cache"
    return "no-store"


async def execute(
    app: ASGIApp,
    scope: Scope,
    runs: Sequence[Run],
    *,
    batch: bool,
    media_type: str,
    cache: str,
    send: Send,
    tracer: Tracer = NO_TRACER,
) -> None:
    """Run each operation through ``app``; one response, or a JSON array for a batch."""
    if not batch:
        body, record = runs[0]
        await _run(app, scope, record, tracer, _replay(body), _reshaped(send, media_type, cache))
        return
    results: list[Any] = []
    for body, record in runs:
        status, content = await _capture(app, scope, record, tracer, body)
        results.append(json.loads(content) if content else {"errors": [{"message": f"HTTP {status}"}]})
    response = Response(json.dumps(results), 200, media_type=media_type)
    response.headers["Cache-Control"] = cache
    response.headers["Vary"] = VARY
    await response(scope, _replay({}), send)


async def _run(
    app: ASGIApp, scope: Scope, record: OperationRecord, tracer: Tracer, receive: Receive, send: Send
) -> None:
    started = time.perf_counter()
    incoming = {key.decode("latin-1").lower(): value.decode("latin-1") for key, value in scope["headers"]}
    try:
        with tracer.operation(record.name, record.kind, incoming) as span:
            await app(_as_post(scope, record), receive, send)
            span.set({"graphql.outcome": record.outcome, "bc.requests": record.bc_calls})
            if record.outcome == "error":
                span.fail(",".join(record.error_codes) or "error")
    finally:
        record.seconds = time.perf_counter() - started


def _as_post(scope: Scope, record: OperationRecord) -> Scope:
    headers = [
        (key, value)
        for key, value in scope["headers"]
        if key.lower() not in (b"content-type", b"content-length")
    ]
    headers.append((b"content-type", JSON.encode()))
    return {**scope, "method": "POST", "query_string": b"", "headers": headers, OPERATION_KEY: record}


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


async def _capture(
    app: ASGIApp, scope: Scope, record: OperationRecord, tracer: Tracer, body: Mapping[str, Any]
) -> tuple[int, bytes]:
    status = 500
    chunks: list[bytes] = []

    async def collect(message: Message) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = int(message["status"])
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await _run(app, scope, record, tracer, _replay(body), collect)
    return status, b"".join(chunks)
