"""A WebSocket client that speaks to the app in process (ASGI), the way uvicorn hands it sockets.

Like uvicorn, it answers the app's ``websocket.close`` with a ``websocket.disconnect`` at once, and
a close before ``websocket.accept`` is a refused handshake (``accepted`` stays false).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import anyio
from starlette.types import ASGIApp, Message

SUBPROTOCOL = "graphql-transport-ws"


@dataclass
class Socket:
    accepted: bool = False
    subprotocol: str | None = None
    close_code: int | None = None
    close_reason: str = ""
    _to_app: asyncio.Queue[Message] = field(default_factory=asyncio.Queue)
    _to_client: asyncio.Queue[Message] = field(default_factory=asyncio.Queue)
    _settled: asyncio.Event = field(default_factory=asyncio.Event)  # accepted or refused

    async def send(self, message: dict[str, Any]) -> None:
        await self._to_app.put({"type": "websocket.receive", "text": json.dumps(message)})

    async def send_text(self, text: str) -> None:
        await self._to_app.put({"type": "websocket.receive", "text": text})

    async def receive(self) -> dict[str, Any]:
        """The server's next message (a hang guard fails the test after 5 s)."""
        with anyio.fail_after(5):
            message = await self._to_client.get()
        if message["type"] == "websocket.close":
            raise AssertionError(f"closed {message.get('code')}: {message.get('reason')}")
        received: dict[str, Any] = json.loads(message["text"])
        return received

    async def receive_until(self, kind: str) -> dict[str, Any]:
        """The next message of type ``kind``; pings on the way are answered."""
        while True:
            message = await self.receive()
            if message["type"] == kind:
                return message
            if message["type"] == "ping":
                await self.send({"type": "pong"})

    async def closed(self) -> tuple[int | None, str]:
        """Wait for the server to close the socket: its code and reason."""
        with anyio.fail_after(5):
            while self.close_code is None:
                message = await self._to_client.get()
                if message["type"] == "websocket.close":
                    break
        return self.close_code, self.close_reason

    def pending(self) -> list[dict[str, Any]]:
        """The server's messages that arrived and were not read, pings aside (none are waited for)."""
        found = []
        while not self._to_client.empty():
            message = self._to_client.get_nowait()
            if message["type"] == "websocket.send":
                found.append(json.loads(message["text"]))
        return [message for message in found if message["type"] != "ping"]

    async def _app_send(self, message: Message) -> None:
        if message["type"] == "websocket.accept":
            self.accepted = True
            self.subprotocol = message.get("subprotocol")
            self._settled.set()
        elif message["type"] == "websocket.close":
            self.close_code, self.close_reason = message.get("code", 1000), message.get("reason") or ""
            self._settled.set()
            await self._to_app.put({"type": "websocket.disconnect", "code": self.close_code})
            await self._to_client.put(message)
        else:
            await self._to_client.put(message)


@contextlib.asynccontextmanager
async def connect(
    app: ASGIApp,
    *,
    headers: Sequence[tuple[str, str]] = (),
    subprotocols: Sequence[str] = (SUBPROTOCOL,),
    path: str = "/graphql",
    host: str = "gateway.test",
) -> AsyncIterator[Socket]:
    """A socket to ``app`` (whose lifespan runs already); the client hangs up when the block ends."""
    socket = Socket()
    scope = {
        "type": "websocket",
        "asgi": {"version": "3.0"},
        "scheme": "ws",
        "http_version": "1.1",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [(b"host", host.encode()), *((k.lower().encode(), v.encode()) for k, v in headers)],
        "client": ("127.0.0.1", 50000),
        "server": (host, 80),
        "subprotocols": list(subprotocols),
    }
    await socket._to_app.put({"type": "websocket.connect"})
    task = asyncio.create_task(app(scope, socket._to_app.get, socket._app_send))
    with anyio.fail_after(5):
        await socket._settled.wait()
    try:
        yield socket
    finally:
        if socket.close_code is None:
            await socket._to_app.put({"type": "websocket.disconnect", "code": 1000})
        with anyio.fail_after(5):
            await task


async def initialised(socket: Socket, token: str) -> dict[str, Any]:
    """``connection_init`` with ``token``; the server's ``connection_ack``."""
    await socket.send({"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}})
    return await socket.receive_until("connection_ack")
