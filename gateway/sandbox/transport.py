"""The in-process way to reach the sandbox: the gateway talks to it over httpx like to a real BC.

A ``reset`` fault must look like what it is on a real network, a dropped connection: the transport
turns the app's ``DroppedConnection`` into ``httpx.RemoteProtocolError`` (a transport error, as
httpx raises when a server closes the connection without answering), never into a 500.
"""

from __future__ import annotations

import httpx
from starlette.types import ASGIApp

from gateway.sandbox.faults import DroppedConnection


class SandboxTransport(httpx.AsyncBaseTransport):
    def __init__(self, app: ASGIApp) -> None:
        self._inner = httpx.ASGITransport(app=app)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        try:
            return await self._inner.handle_async_request(request)
        except Exception as exc:
            if not _is_drop(exc):
                raise
            raise httpx.RemoteProtocolError(
                "Server disconnected without sending a response.", request=request
            ) from exc

    async def aclose(self) -> None:
        await self._inner.aclose()


def sandbox_transport(app: ASGIApp) -> httpx.AsyncBaseTransport:
    return SandboxTransport(app)


def _is_drop(exc: BaseException) -> bool:
    if isinstance(exc, DroppedConnection):
        return True
    if isinstance(exc, BaseExceptionGroup):
        return any(_is_drop(e) for e in exc.exceptions)
    return False
