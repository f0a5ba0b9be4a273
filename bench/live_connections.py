"""What idle GraphQL subscriptions cost a real gateway process: its memory (RSS) before and after
N WebSockets each ran connection_init and one orderUpdated subscription, and after they closed.

Starts ``bc-gateway serve`` (development mode, a small sandbox) on a free port, connects with the
``websockets`` client from this process, reads the server's VmRSS from /proc, and prints a table.
The target (issue 13): 1,000 idle connections cost less than 100 MB.

Run: .venv/bin/python bench/live_connections.py [--connections 1000]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from websockets.asyncio.client import ClientConnection, connect

ROOT = Path(__file__).resolve().parent.parent
SUBSCRIBE = {"query": "subscription Moves { orderUpdated { number status } }"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def start_gateway(port: int, data_dir: str, connections: int) -> subprocess.Popen[str]:
    env = {
        **os.environ,
        "GATEWAY_PORT": str(port),
        "GATEWAY_DATA_DIR": data_dir,
        "SANDBOX_SCALE": "0.05",
        "GATEWAY_SUBSCRIPTION_CONNECTIONS": str(connections),
        "GATEWAY_SUBSCRIPTION_OPERATIONS": str(connections),
        "GATEWAY_RATE_LIMIT_BURST": "1000000",
    }
    command = [str(ROOT / ".venv" / "bin" / "bc-gateway"), "serve"]
    # The project's own CLI, from its own virtualenv: no untrusted input.
    process = subprocess.Popen(  # noqa: S603
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, text=True
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return process
        time.sleep(0.2)
    process.kill()
    raise RuntimeError("the gateway did not start")


def tokens(base: str, count: int) -> list[str]:
    """One development token per demo customer, reused round robin."""
    customers = httpx.get(f"{base}/dev-idp/customers", timeout=10).json()
    open_ones = [c for c in customers if not c["blocked"]][:20]
    minted = [
        httpx.post(
            f"{base}/dev-idp/token", json={"customer": c["customer"], "company": c["company"]}, timeout=10
        ).json()["access_token"]
        for c in open_ones
    ]
    return [minted[n % len(minted)] for n in range(count)]


async def open_socket(url: str, token: str) -> ClientConnection:
    socket_ = await connect(url, subprotocols=["graphql-transport-ws"], ping_interval=None)  # type: ignore[list-item]
    await socket_.send(
        json.dumps({"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}})
    )
    ack = json.loads(await socket_.recv())
    if ack["type"] != "connection_ack":
        raise RuntimeError(f"no ack: {ack}")
    await socket_.send(json.dumps({"id": "1", "type": "subscribe", "payload": SUBSCRIBE}))
    return socket_


async def measure(connections: int) -> list[tuple[str, Any]]:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory() as data_dir:
        process = start_gateway(port, data_dir, connections)
        try:
            all_tokens = tokens(base, connections)
            await asyncio.sleep(2)  # the sandbox's webhook subscriptions and capability reads settle
            idle = rss_mb(process.pid)
            started = time.perf_counter()
            sockets = [await open_socket(f"ws://127.0.0.1:{port}/graphql", token) for token in all_tokens]
            opened_in = time.perf_counter() - started
            await asyncio.sleep(2)
            held = rss_mb(process.pid)
            for socket_ in sockets:
                await socket_.close()
            await asyncio.sleep(2)
            closed = rss_mb(process.pid)
        finally:
            process.terminate()
            process.wait(timeout=30)
    grown = held - idle
    met = grown * 1000 / connections < 100
    return [
        ("connections (connection_init + one orderUpdated each)", f"{connections:,}"),
        ("server RSS before", f"{idle:.1f} MB"),
        ("server RSS with them open and idle", f"{held:.1f} MB"),
        ("cost of the idle connections", f"{grown:.1f} MB ({grown * 1024 / connections:.0f} KB each)"),
        ("server RSS after they closed", f"{closed:.1f} MB"),
        ("time to open them one after another", f"{opened_in:.1f} s"),
        (
            "target (issue 13)",
            "< 100 MB for 1,000" + (" — met" if met else " — NOT met"),
        ),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--connections", type=int, default=1000)
    arguments = parser.parse_args()
    rows = asyncio.run(measure(arguments.connections))
    print("| measurement | result |\n| --- | --- |")
    for name, value in rows:
        print(f"| {name} | {value} |")


if __name__ == "__main__":
    sys.exit(main())
