"""CPU per POST to BC: what each layer of the HTTP stack costs the gateway.

httpx's client over httpcore's pool (as before ``BCTransport``: ``AsyncClient.request``, its
``send`` of a prebuilt request, the transport alone), and the gateway's own: ``BCTransport``
under httpx's client, under ``Exchange`` (what ``BCClient`` sends with), and alone.

A server in another process answers every POST with ~20 KB of JSON over loopback, keep-alive
(as the sandbox answers a ``$batch``); this process sends ~2 KB JSON bodies, one at a time, and
its CPU time (``time.process_time``) per request is the client's alone.  Each way of sending
runs in turns with the others, so a change in the machine's load touches all of them alike.

Run: .venv/bin/python bench/http_post.py [--requests N] [--rounds N]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from gateway.bc import BCTransport
from gateway.bc._exchange import Exchange

BODY = json.dumps({"requests": [{"id": str(n), "method": "GET", "url": "x" * 150} for n in range(10)]})
ANSWER = json.dumps({"responses": [{"id": str(n), "body": "y" * 1_950} for n in range(10)]}).encode()


def _serve(port_out: multiprocessing.connection.Connection) -> None:  # pragma: no cover - a process
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(
            ANSWER
        )
        while True:
            try:
                header = await reader.readuntil(b"\r\n\r\n")
            except (asyncio.IncompleteReadError, ConnectionError):
                break
            length = 0
            for line in header.split(b"\r\n"):
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            await reader.readexactly(length)
            writer.write(head + ANSWER)
            await writer.drain()
        writer.close()

    async def main() -> None:
        server = await asyncio.start_server(handle, "127.0.0.1", 0)
        port_out.send(server.sockets[0].getsockname()[1])
        await server.serve_forever()

    asyncio.run(main())


Send = Callable[[], Awaitable[int]]
CONTENT = BODY.encode()
HEADERS = {"Content-Type": "application/json", "Authorization": "Bearer " + "t" * 1200}


def through_client(client: httpx.AsyncClient, url: httpx.URL, *, prebuilt: bool = False) -> Send:
    async def send() -> int:
        if prebuilt:
            built = client.build_request("POST", url, headers=HEADERS, content=CONTENT)
            response = await client.send(built)
        else:
            response = await client.request("POST", url, headers=HEADERS, content=CONTENT)
        return len(response.content)

    return send


def through_transport(transport: httpx.AsyncBaseTransport, url: httpx.URL) -> Send:
    async def send() -> int:
        built = httpx.Request("POST", url, headers=HEADERS, content=CONTENT)
        response = await transport.handle_async_request(built)
        try:
            return len(await response.aread())
        finally:
            await response.aclose()

    return send


def through_exchange(exchange: Exchange, url: httpx.URL) -> Send:
    async def send() -> int:
        response = await exchange.send("POST", url, None, HEADERS, CONTENT, 30.0, None)
        return len(response.content)

    return send


def senders(url: httpx.URL) -> dict[str, Send]:
    """Each way of sending, each on a pool of its own."""
    httpcore = httpx.AsyncClient(transport=httpx.AsyncHTTPTransport())
    own = httpx.AsyncClient(transport=BCTransport())
    return {
        "httpcore: AsyncClient.request": through_client(httpcore, url),
        "httpcore: AsyncClient.send": through_client(httpcore, url, prebuilt=True),
        "httpcore alone": through_transport(httpx.AsyncHTTPTransport(), url),
        "BCTransport: AsyncClient.request": through_client(own, url),
        "BCTransport: Exchange (the gateway's)": through_exchange(
            Exchange(BCTransport(), {"Accept": "application/json"}), url
        ),
        "BCTransport alone": through_transport(BCTransport(), url),
    }


async def measure(send: Send, requests: int) -> float:
    """CPU milliseconds per request."""
    started = time.process_time()
    for _ in range(requests):
        if await send() != len(ANSWER):
            raise AssertionError("short answer")
    return (time.process_time() - started) / requests * 1000


async def run(port: int, requests: int, rounds: int) -> None:
    ways = senders(httpx.URL(f"http://127.0.0.1:{port}/bc/api/v2.0/$batch"))
    for send in ways.values():  # warm: connections open, code paths imported
        await measure(send, 50)
    results: dict[str, list[float]] = {name: [] for name in ways}
    for _ in range(rounds):
        for name, send in ways.items():
            results[name].append(await measure(send, requests))
    print(f"CPU per POST ({len(BODY)} B body, {len(ANSWER)} B answer), median of {rounds} rounds:")
    for name, values in results.items():
        print(f"  {name:38} {statistics.median(values):.3f} ms  (min {min(values):.3f})")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    receive, send = multiprocessing.Pipe(duplex=False)
    server = multiprocessing.Process(target=_serve, args=(send,), daemon=True)
    server.start()
    try:
        asyncio.run(run(receive.recv(), args.requests, args.rounds))
    finally:
        server.terminate()
        server.join()


if __name__ == "__main__":
    main()
