"""One HTTP/1.1 connection to BC: h11 over an asyncio protocol.

A connection carries one request at a time and may carry the next only when the last one's
response was read to its end and nothing else arrived: it is ``reusable`` then and at no other
time.  Anything else — a failure, a cancellation, a response read only in part, bytes or a close
from the server while idle — closes it, so the next request never reads what was meant for an
earlier one.
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import AsyncIterable, Iterable

import h11
import httpx

__all__ = ["Wire"]

_READ_HIGH_WATER = 256 * 1024  # stop reading the socket beyond this much unread (a large download)
_WRITE_AT_ONCE = 64 * 1024  # a request body larger than this goes out in parts


class _Protocol(asyncio.Protocol):
    """The socket's bytes as they arrive, with flow control both ways."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.closed = False  # the server closed, or the connection was lost
        self._paused = False
        self._waiter: asyncio.Future[None] | None = None
        self._writable: asyncio.Future[None] | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)  # noqa: S101 - a stream socket, always
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        if len(self.buffer) > _READ_HIGH_WATER and self.transport is not None and not self._paused:
            self._paused = True
            self.transport.pause_reading()
        self._wake()

    def eof_received(self) -> bool:
        self.closed = True
        self._wake()
        return False

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        self._wake()
        if self._writable is not None and not self._writable.done():
            self._writable.set_result(None)

    def pause_writing(self) -> None:
        self._writable = asyncio.get_running_loop().create_future()

    def resume_writing(self) -> None:
        if self._writable is not None and not self._writable.done():
            self._writable.set_result(None)
        self._writable = None

    @property
    def writing_paused(self) -> bool:
        """The socket's buffer is full: ``drained`` would wait."""
        return self._writable is not None

    async def drained(self) -> None:
        if self._writable is not None:
            await self._writable
        if self.closed:
            raise httpx.WriteError("Business Central closed the connection while the request was sent")

    async def received(self) -> bytes:
        """The bytes that came since the last call, waiting for some; ``b""`` once closed."""
        while not self.buffer and not self.closed:
            self._waiter = asyncio.get_running_loop().create_future()
            try:
                await self._waiter
            finally:
                self._waiter = None
        data = bytes(self.buffer)
        self.buffer.clear()
        if self._paused and self.transport is not None and not self.closed:
            self._paused = False
            self.transport.resume_reading()
        return data

    def _wake(self) -> None:
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)


class Wire:
    """A connection to one origin; ``open`` it, then ``send`` and read each response to its end."""

    def __init__(self, protocol: _Protocol) -> None:
        self._protocol = protocol
        self._h11 = h11.Connection(h11.CLIENT)
        self.idle_since = 0.0  # set by the pool when it takes the connection back

    @classmethod
    async def open(cls, url: httpx.URL, tls_context: ssl.SSLContext, connect_timeout: float | None) -> Wire:
        """A new connection to ``url``'s origin (TLS for https, the certificate verified)."""
        loop = asyncio.get_running_loop()
        host = url.raw_host.decode("ascii")  # IDNA-encoded, as TLS and DNS want it
        port = url.port or (443 if url.scheme == "https" else 80)
        tls = tls_context if url.scheme == "https" else None
        try:
            async with asyncio.timeout(connect_timeout):
                _, protocol = await loop.create_connection(
                    _Protocol, host, port, ssl=tls, server_hostname=host if tls is not None else None
                )
        except TimeoutError as exc:
            raise httpx.ConnectTimeout("timed out connecting to Business Central") from exc
        except OSError as exc:  # refused, unreachable, name not found, TLS verification failed
            raise httpx.ConnectError(f"could not connect to Business Central: {exc}") from exc
        return cls(protocol)

    @property
    def reusable(self) -> bool:
        """The last response was read whole, and nothing came since: the next request's answer
        can only be its own."""
        return (
            self._h11.our_state is h11.IDLE
            and self._h11.their_state is h11.IDLE
            and not self._h11.trailing_data[0]
            and not self._protocol.buffer
            and not self._protocol.closed
        )

    def close(self) -> None:
        transport = self._protocol.transport
        if transport is not None:
            transport.close()
        self._protocol.closed = True

    async def send(
        self, request: httpx.Request, write_timeout: float | None, read_timeout: float | None
    ) -> h11.Response:
        """Send ``request`` and read its response's head (informational answers skipped)."""
        head = h11.Request(
            method=request.method.encode(), target=request.url.raw_path, headers=request.headers.raw
        )
        try:
            body = b"".join(request.stream) if isinstance(request.stream, httpx.ByteStream) else None
            if body is not None and len(body) < _WRITE_AT_ONCE:
                # A small body at hand (every request to BC): head and body in one write, one
                # system call, one packet.  Only a full socket buffer can make it wait, and
                # only then is a timer armed.
                events = (
                    (head, h11.Data(data=body), h11.EndOfMessage()) if body else (head, h11.EndOfMessage())
                )
                self._put(b"".join(self._h11.send(event) or b"" for event in events))
                if self._protocol.writing_paused:
                    async with asyncio.timeout(write_timeout):
                        await self._protocol.drained()
                else:
                    await self._protocol.drained()  # at once (or the error, if BC closed meanwhile)
            else:
                async with asyncio.timeout(write_timeout):
                    pending = [self._h11.send(head) or b""]
                    async for chunk in _chunks(request.stream):
                        pending.append(self._h11.send(h11.Data(data=chunk)) or b"")
                        if sum(map(len, pending)) >= _WRITE_AT_ONCE:
                            await self._write(b"".join(pending))
                            pending = []
                    pending.append(self._h11.send(h11.EndOfMessage()) or b"")
                    await self._write(b"".join(pending))
        except TimeoutError as exc:
            raise httpx.WriteTimeout("timed out sending to Business Central") from exc
        except h11.LocalProtocolError as exc:
            raise httpx.LocalProtocolError(str(exc)) from exc
        while True:
            event = await self.next_event(read_timeout)
            if isinstance(event, h11.Response):
                return event
            if not isinstance(event, h11.InformationalResponse):
                raise httpx.RemoteProtocolError("Business Central sent no response head")

    async def next_event(self, read_timeout: float | None) -> h11.Event:
        """The next piece of the response: its head, a part of its body, or its end."""
        try:
            while True:
                event = self._h11.next_event()
                if event is not h11.NEED_DATA:
                    assert isinstance(event, h11.Event)  # noqa: S101 - PAUSED cannot come to a client
                    return event
                async with asyncio.timeout(read_timeout):
                    data = await self._protocol.received()
                self._h11.receive_data(data)
        except TimeoutError as exc:
            raise httpx.ReadTimeout("timed out waiting for Business Central") from exc
        except h11.RemoteProtocolError as exc:
            raise httpx.RemoteProtocolError(str(exc)) from exc

    def finish(self) -> bool:
        """After the response's end: ready the connection for another request, if it may carry one."""
        if self._h11.our_state is not h11.DONE or self._h11.their_state is not h11.DONE:
            return False
        self._h11.start_next_cycle()
        return self.reusable

    async def _write(self, data: bytes) -> None:
        self._put(data)
        await self._protocol.drained()

    def _put(self, data: bytes) -> None:
        """``data`` to the socket's buffer (``drained`` waits until it may take more)."""
        transport = self._protocol.transport
        if not data or transport is None:
            return
        if self._protocol.closed:
            raise httpx.WriteError("Business Central closed the connection")
        transport.write(data)


async def _chunks(stream: Iterable[bytes] | AsyncIterable[bytes]) -> AsyncIterable[bytes]:
    if isinstance(stream, AsyncIterable):
        async for chunk in stream:
            if chunk:
                yield chunk
    else:
        for chunk in stream:
            if chunk:
                yield chunk
