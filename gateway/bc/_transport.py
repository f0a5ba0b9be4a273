"""The gateway's own HTTP transport to BC: h11 over asyncio, in place of httpcore's pool.

A POST of a ``$batch`` costs half the CPU through it that it costs through httpcore
(``bench/http_post.py``), and a dashboard makes two.  It keeps what httpcore gives the gateway:
TLS with the certificate verified as httpx verifies it (certifi, or ``SSL_CERT_FILE`` /
``SSL_CERT_DIR``), keep-alive connections within httpx's limits (100 at a time, 20 idle per
origin, idle for at most 5 s), each request's connect, read, write and pool timeouts, and
responses that stream.  A connection goes back to the pool only when its response was read to
the end (``Wire.reusable``); a request that failed, timed out or was cancelled midway closes it.
HTTP/1.1 only (httpx's default too); a proxy named in the environment leaves BC's requests to
httpx's own transport, which honours it (``default_transport``).
"""

from __future__ import annotations

import asyncio
import ssl
import time
import urllib.request
from collections.abc import AsyncIterator, Callable

import h11
import httpx

from ._wire import Wire

__all__ = ["BCTransport", "default_transport"]

_Origin = tuple[str, str, int | None]


def default_transport() -> httpx.AsyncBaseTransport | None:
    """This transport; ``None`` (httpx's own, which honours it) when the environment names a proxy."""
    proxies = urllib.request.getproxies()
    if any(proxies.get(scheme) for scheme in ("http", "https", "all")):
        return None
    return BCTransport()


class BCTransport(httpx.AsyncBaseTransport):
    """HTTP/1.1 over a pool of keep-alive connections, one per request in flight; ``clock``
    (seconds) says how long a connection has been idle."""

    def __init__(
        self,
        *,
        tls_context: ssl.SSLContext | None = None,
        max_connections: int = 100,
        max_idle_per_origin: int = 20,
        keepalive_expiry: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._tls = tls_context if tls_context is not None else _verifying_context()
        self._slots = asyncio.Semaphore(max_connections)
        self._max_idle = max_idle_per_origin
        self._keepalive_expiry = keepalive_expiry
        self._clock = clock
        self._idle: dict[_Origin, list[Wire]] = {}
        self._closed = False

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        url = request.url
        if url.scheme not in ("http", "https"):
            raise httpx.UnsupportedProtocol(f"no transport for {url.scheme!r} URLs")
        timeouts = request.extensions.get("timeout", {})
        origin = (url.scheme, url.host, url.port)
        await self._take_slot(timeouts.get("pool"))
        try:
            wire = self._idle_wire(origin) or await Wire.open(url, self._tls, timeouts.get("connect"))
            try:
                head = await wire.send(request, timeouts.get("write"), timeouts.get("read"))
            except BaseException:
                wire.close()  # cancelled or failed midway: never carries another request
                raise
        except BaseException:
            self._slots.release()
            raise
        return httpx.Response(
            head.status_code,
            headers=list(head.headers),
            stream=_Body(self, wire, origin, timeouts.get("read")),
            extensions={"http_version": b"HTTP/1.1", "reason_phrase": bytes(head.reason)},
        )

    async def aclose(self) -> None:
        self._closed = True
        for wires in self._idle.values():
            for wire in wires:
                wire.close()
        self._idle.clear()

    async def _take_slot(self, pool_timeout: float | None) -> None:
        if not self._slots.locked():
            await self._slots.acquire()  # a free slot is taken without waiting: no timer
            return
        try:
            async with asyncio.timeout(pool_timeout):
                await self._slots.acquire()
        except TimeoutError as exc:
            raise httpx.PoolTimeout("timed out waiting for a connection to Business Central") from exc

    def _idle_wire(self, origin: _Origin) -> Wire | None:
        """The most recently used idle connection that is still good; stale ones are closed."""
        wires = self._idle.get(origin)
        now = self._clock()
        while wires:
            wire = wires.pop()
            if wire.reusable and now - wire.idle_since < self._keepalive_expiry:
                return wire
            wire.close()
        return None

    def _ended(self, wire: Wire, origin: _Origin, reusable: bool) -> None:
        """A response's end (or abandonment): its connection goes back to the pool or is closed."""
        self._slots.release()
        if not reusable or self._closed:
            wire.close()
            return
        wire.idle_since = self._clock()
        wires = self._idle.setdefault(origin, [])
        wires.append(wire)
        if len(wires) > self._max_idle:
            wires.pop(0).close()


class _Body(httpx.AsyncByteStream):
    """A response's body as it arrives; its connection is released once, at the end or on close."""

    def __init__(self, pool: BCTransport, wire: Wire, origin: _Origin, read_timeout: float | None) -> None:
        self._pool = pool
        self._wire = wire
        self._origin = origin
        self._read_timeout = read_timeout
        self._released = False

    async def __aiter__(self) -> AsyncIterator[bytes]:
        try:
            while True:
                event = await self._wire.next_event(self._read_timeout)
                if isinstance(event, h11.Data):
                    yield bytes(event.data)
                elif isinstance(event, h11.EndOfMessage):
                    break
                else:
                    raise httpx.RemoteProtocolError("Business Central sent something else inside a response")
        except BaseException:
            self._release(reusable=False)
            raise
        self._release(reusable=self._wire.finish())

    async def aclose(self) -> None:
        self._release(reusable=False)  # closed before its end: the rest of it is still on the way

    def _release(self, *, reusable: bool) -> None:
        if not self._released:
            self._released = True
            self._pool._ended(self._wire, self._origin, reusable)


def _verifying_context() -> ssl.SSLContext:
    """httpx's default: certificates verified against certifi's roots (or the environment's)."""
    context = httpx.create_ssl_context()
    context.set_alpn_protocols(["http/1.1"])
    return context
