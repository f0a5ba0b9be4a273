"""Stopping gently: once the process is asked to stop, ``/readyz`` answers 503 (``edge/health.py``),
every answer says ``Connection: close``, and a request the server cuts off at the end of its grace
period gets a clear 503 instead of an opaque 500 and a traceback."""

from __future__ import annotations

import asyncio
import logging

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway.edge.responses import graphql_error
from gateway.schema.error_codes import ErrorCode

LOGGER = logging.getLogger("gateway.shutdown")


class Shutdown:
    """Set once, by ``bc-gateway serve`` on SIGTERM; ``request()`` is safe from a signal handler."""

    def __init__(self) -> None:
        self.requested = False

    def request(self) -> None:
        self.requested = True


class DrainingMiddleware:
    """While ``shutdown`` is requested: ``Connection: close`` on every answer, so a client or load
    balancer keeping connections alive opens its next one to another replica instead of finding this
    one closed under a request; and a request still running when the server's grace period ends
    (uvicorn cancels it) answers 503 ``SHUTTING_DOWN`` — a write retried with its idempotency key is
    never made twice."""

    def __init__(self, app: ASGIApp, shutdown: Shutdown) -> None:
        self.app = app
        self.shutdown = shutdown

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def closing(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                if self.shutdown.requested:
                    kept = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"connection"]
                    message = {**message, "headers": [*kept, (b"connection", b"close")]}
            await send(message)

        try:
            await self.app(scope, receive, closing)
        except asyncio.CancelledError:
            if not self.shutdown.requested:
                raise
            LOGGER.warning("request_cut_off: still running when the shutdown grace period ended")
            if not started:
                response = graphql_error(
                    503,
                    ErrorCode.SHUTTING_DOWN,
                    "The gateway stopped before this request finished; retry it (a write retried "
                    "with the same idempotency key is never made twice).",
                    headers={"Retry-After": "1", "Connection": "close"},
                )
                await response(scope, receive, send)
