"""BCTransport, the gateway's own HTTP to BC: keep-alive, and never one request's answer for another.

Each test talks HTTP over loopback to a scripted server (``tests/bc/loopback_http.py``) through
the BC client as the gateway builds it (no transport passed) unless it needs the transport's knobs.
"""

from __future__ import annotations

import asyncio
import gzip
import ssl
from pathlib import Path

import httpx
import pytest

from gateway.bc import BCClient, BCSettings, BCTimeout, BCTransport, BCTransportError, ResilienceSettings
from tests.bc.loopback_http import Received, echo_path, loopback_server, response
from tests.certificates import self_signed

pytestmark = pytest.mark.anyio
METADATA = "/bc/api/v2.0/$metadata"


def bc_settings(url: str, *, timeout_seconds: float = 5.0) -> BCSettings:
    # One attempt per call: what the transport did is seen, not a retry's second chance.
    return BCSettings(
        f"{url}/bc",
        None,
        timeout_seconds=timeout_seconds,
        resilience=ResilienceSettings(retry_max_attempts=1),
    )


class Numbered:
    """Answers request n with "answer n"; the first answer comes ``first_delay`` seconds late."""

    def __init__(self, first_delay: float = 0.0) -> None:
        self.first_delay = first_delay
        self.count = 0

    async def __call__(self, received: Received, writer: asyncio.StreamWriter) -> None:
        self.count += 1
        number = self.count
        if number == 1:
            await asyncio.sleep(self.first_delay)
        writer.write(response(f"answer {number}".encode()))
        await writer.drain()


async def test_one_connection_carries_one_request_after_another() -> None:
    async with loopback_server() as server, BCClient(bc_settings(server.url)) as bc:
        assert await bc.fetch_metadata() == METADATA
        assert await bc.fetch_metadata() == METADATA
    assert server.connections == 1


async def test_a_timed_out_request_is_bc_timeout_and_the_next_one_gets_its_own_answer() -> None:
    answers = Numbered(first_delay=0.3)
    async with loopback_server(answers) as server:
        async with BCClient(bc_settings(server.url, timeout_seconds=0.1)) as bc:
            with pytest.raises(BCTimeout):
                await bc.fetch_metadata()
            await asyncio.sleep(0.4)  # the late answer has arrived on the first connection by now
            assert await bc.fetch_metadata() == "answer 2"
        assert server.connections == 2


async def test_a_cancelled_request_leaves_no_answer_for_the_next_one() -> None:
    answers = Numbered(first_delay=0.2)
    async with loopback_server(answers) as server, BCClient(bc_settings(server.url)) as bc:
        first = asyncio.create_task(bc.fetch_metadata())
        await server.arrived.wait()
        first.cancel()
        with pytest.raises(asyncio.CancelledError):
            await first
        await asyncio.sleep(0.3)
        assert await bc.fetch_metadata() == "answer 2"
        assert server.connections == 2


async def test_a_download_streams_and_one_closed_midway_is_not_reused() -> None:
    first_part = asyncio.Event()
    read_some = asyncio.Event()

    async def in_two_parts(received: Received, writer: asyncio.StreamWriter) -> None:
        if received.path != "/file":
            await echo_path(received, writer)
            return
        whole = response(b"x" * 600_000, headers="Content-Type: application/pdf\r\n")
        writer.write(whole[:100_000])
        await writer.drain()
        first_part.set()
        await read_some.wait()  # the rest only once the client has read some: it streams
        writer.write(whole[100_000:])
        await writer.drain()

    async with loopback_server(in_two_parts) as server:
        async with httpx.AsyncClient(transport=BCTransport(), base_url=server.url) as http:
            async with http.stream("GET", "/file") as download:
                chunks = download.aiter_bytes()
                assert len(await asyncio.wait_for(anext(chunks), 2)) > 0
                read_some.set()
            answer = await http.get("/next")
        assert answer.text == "/next"
        assert server.connections == 2


async def test_a_connection_the_server_closed_while_idle_is_not_used_again() -> None:
    async def once_per_connection(received: Received, writer: asyncio.StreamWriter) -> None:
        await echo_path(received, writer)
        writer.close()  # without "Connection: close": as a server's idle timeout does

    async with loopback_server(once_per_connection) as server, BCClient(bc_settings(server.url)) as bc:
        assert await bc.fetch_metadata() == METADATA
        await asyncio.sleep(0.1)
        assert await bc.fetch_metadata() == METADATA
        assert server.connections == 2


async def test_a_chunked_gzipped_answer_is_read_whole_and_decoded() -> None:
    body = b"<edmx>" + b"entity " * 5_000 + b"</edmx>"
    packed = gzip.compress(body)

    async def chunked_gzip(received: Received, writer: asyncio.StreamWriter) -> None:
        head = b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n"
        chunks = [packed[start : start + 1000] for start in range(0, len(packed), 1000)]
        writer.write(
            head + b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for chunk in chunks) + b"0\r\n\r\n"
        )
        await writer.drain()

    async with loopback_server(chunked_gzip) as server, BCClient(bc_settings(server.url)) as bc:
        assert await bc.fetch_metadata() == body.decode()
        assert "gzip" in server.received[0].headers["accept-encoding"]


async def test_requests_beyond_the_pool_wait_for_a_connection_and_time_out() -> None:
    async with loopback_server(Numbered(first_delay=0.5)) as server:
        timeout = httpx.Timeout(5.0, pool=0.1)
        transport = BCTransport(max_connections=1)
        async with httpx.AsyncClient(transport=transport, base_url=server.url, timeout=timeout) as http:
            first = asyncio.create_task(http.get("/one"))
            await server.arrived.wait()
            with pytest.raises(httpx.PoolTimeout):
                await http.get("/two")
            assert (await first).text == "answer 1"
        assert server.connections == 1


async def test_bc_over_tls_is_reached_only_with_a_certificate_the_gateway_trusts(tmp_path: Path) -> None:
    certificate = self_signed(tmp_path)
    server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_tls.load_cert_chain(certificate.cert_file, certificate.key_file)
    async with loopback_server(tls=server_tls) as server:
        settings = bc_settings(server.url.replace("http://", "https://"))
        async with BCClient(settings) as bc:
            with pytest.raises(BCTransportError):
                await bc.fetch_metadata()  # a self-signed certificate: not one of certifi's roots
        trusting = BCTransport(tls_context=ssl.create_default_context(cafile=certificate.cert_file))
        async with BCClient(settings, transport=trusting) as bc:
            assert await bc.fetch_metadata() == METADATA


async def test_the_environment_s_certificate_file_is_trusted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    certificate = self_signed(tmp_path)
    server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_tls.load_cert_chain(certificate.cert_file, certificate.key_file)
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate.cert_file))
    async with (
        loopback_server(tls=server_tls) as server,
        BCClient(bc_settings(server.url.replace("http://", "https://"))) as bc,
    ):
        assert await bc.fetch_metadata() == METADATA


async def test_a_proxy_in_the_environment_carries_the_requests_to_bc(monkeypatch: pytest.MonkeyPatch) -> None:
    async with loopback_server() as proxy:
        monkeypatch.setenv("HTTP_PROXY", proxy.url)
        monkeypatch.delenv("NO_PROXY", raising=False)
        monkeypatch.delenv("no_proxy", raising=False)
        async with BCClient(bc_settings("http://bc.example")) as bc:
            assert await bc.fetch_metadata() == f"http://bc.example{METADATA}"


async def test_a_connection_idle_longer_than_keep_alive_allows_is_not_used_again() -> None:
    now = [0.0]
    transport = BCTransport(keepalive_expiry=5.0, clock=lambda: now[0])
    async with loopback_server() as server, BCClient(bc_settings(server.url), transport=transport) as bc:
        await bc.fetch_metadata()
        now[0] += 4.0
        await bc.fetch_metadata()
        assert server.connections == 1
        now[0] += 5.0
        await bc.fetch_metadata()
        assert server.connections == 2


@pytest.mark.parametrize("size", [0, 2_000, 64 * 1024 - 1, 64 * 1024, 300_000])
async def test_a_request_body_of_any_size_arrives_whole_and_the_connection_carries_the_next(
    size: int,
) -> None:
    # Small bodies (every $batch) go out with their head in one write; larger ones in parts.
    body = bytes(range(256)) * (size // 256) + b"x" * (size % 256)
    async with (
        loopback_server() as server,
        httpx.AsyncClient(transport=BCTransport(), base_url=server.url) as http,
    ):
        first = await http.post("/bc/first", content=body)
        second = await http.post("/bc/second", content=b"{}")

    assert (first.text, second.text) == ("/bc/first", "/bc/second")
    assert [received.body for received in server.received] == [body, b"{}"]
    assert server.connections == 1
