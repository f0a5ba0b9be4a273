"""A scripted HTTP/1.1 server on loopback, for the gateway's own transport: each test says how
each request is answered (late, in part, chunked, gzipped, over TLS) and counts connections."""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field


@dataclass
class Received:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    connection: int  # which connection carried it, counting from 1


Answer = Callable[[Received, asyncio.StreamWriter], Awaitable[None]]


@dataclass
class LoopbackServer:
    answer: Answer
    port: int = 0
    connections: int = 0
    received: list[Received] = field(default_factory=list)
    writers: list[asyncio.StreamWriter] = field(default_factory=list)
    arrived: asyncio.Event = field(default_factory=asyncio.Event)  # the first request is in

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        connection = self.connections
        self.writers.append(writer)
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                request_line, *lines = head.decode("latin-1").split("\r\n")
                method, path, _ = request_line.split(" ")
                headers = {
                    name.strip().lower(): value.strip()
                    for name, _, value in (line.partition(":") for line in lines if line)
                }
                body = await reader.readexactly(int(headers.get("content-length", "0")))
                received = Received(method, path, headers, body, connection)
                self.received.append(received)
                self.arrived.set()
                await self.answer(received, writer)
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()


def response(body: bytes, *, headers: str = "", status: str = "200 OK") -> bytes:
    return (
        f"HTTP/1.1 {status}\r\nContent-Type: application/xml\r\nContent-Length: {len(body)}\r\n{headers}\r\n"
    ).encode() + body


async def echo_path(received: Received, writer: asyncio.StreamWriter) -> None:
    """Answers each request with its own path: whose answer a client got is plain to see."""
    writer.write(response(received.path.encode()))
    await writer.drain()


@asynccontextmanager
async def loopback_server(
    answer: Answer = echo_path, *, tls: ssl.SSLContext | None = None
) -> AsyncIterator[LoopbackServer]:
    server = LoopbackServer(answer)
    listening = await asyncio.start_server(server._serve, "127.0.0.1", 0, ssl=tls)
    server.port = listening.sockets[0].getsockname()[1]
    try:
        yield server
    finally:
        listening.close()
        for writer in server.writers:
            writer.close()
        await listening.wait_closed()
