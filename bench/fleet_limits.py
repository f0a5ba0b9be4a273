"""BC's limits across replicas: N BC clients (replicas) sending reads at once to one sandbox.

Each configuration runs the same burst of concurrent reads, spread evenly over the replicas,
against the in-process sandbox with BC's limits and a little latency per request.  Printed: the
BC principals (app registrations) the replicas sign in as, the most requests BC held of any one
principal at once (processing plus queued, the sandbox's count) and of all together (processing),
failed reads, p50/p99 per read, the whole burst's time, and the Redis round trips per BC request.
Starts its own redis-server (Debian's) on a free port, like the tests.

Run: .venv/bin/python bench/fleet_limits.py [--replicas 2] [--reads 200] [--latency-ms 20] [--principals 2]
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import redis

from gateway.bc import BCClient, BCError, ResilienceSettings
from gateway.edge.development import start_development
from gateway.sandbox.app import create_sandbox_app, sandbox_of
from gateway.sandbox.config import SandboxConfig
from gateway.sandbox.faults import Fault
from gateway.sandbox.transport import sandbox_transport
from gateway.settings import Settings
from gateway.store import Store, StoreSettings, open_store
from tests.redis_server import RedisServer

# What a BC request costs in round trips: the scripts (acquire, admit) and release and its notice.
# Commands a script runs inside Redis are counted by Redis too, but are no round trip.
_ROUND_TRIPS = ("cmdstat_evalsha", "cmdstat_zrem", "cmdstat_publish")


def _redis_commands(server: RedisServer) -> int:
    with redis.Redis(port=server.port) as client:
        stats = client.info("commandstats")
    return sum(int(stats[name]["calls"]) for name in _ROUND_TRIPS if name in stats)


async def _burst(
    replicas: int, reads: int, latency_ms: int, server: RedisServer | None, principals: int
) -> list[str]:
    faults = (Fault("latency", latency_ms=latency_ms),)
    config = SandboxConfig(seed=7, scale=0.05, faults=faults, clients=principals)
    sandbox = create_sandbox_app(config)
    development = start_development(Settings(), sandbox=sandbox)
    first = development.bc_settings.credentials
    assert first is not None
    bc_settings = dataclasses.replace(
        development.bc_settings,
        resilience=ResilienceSettings(),
        additional_credentials=tuple(
            dataclasses.replace(first, client_id=client_id, client_secret=secret)
            for client_id, secret in config.credentials[1:]
        ),
    )
    transport = sandbox_transport(sandbox)
    prefix = f"bench-{time.time_ns()}"
    stores: list[Store] = [
        open_store(StoreSettings(server.url if server else None, prefix=prefix)) for _ in range(replicas)
    ]
    clients = [BCClient(bc_settings, transport=transport, shared=store) for store in stores]
    await clients[0].fetch_companies()  # the token, once per client, outside the measurement
    for client in clients[1:]:
        await client.fetch_companies()
    sandbox_of(sandbox).log.clear()
    commands_before = _redis_commands(server) if server else 0
    durations: list[float] = []
    failed = 0

    async def read(client: BCClient) -> None:
        nonlocal failed
        started = time.perf_counter()
        try:
            await client.fetch_companies()
        except BCError:
            failed += 1
        durations.append(time.perf_counter() - started)

    started = time.perf_counter()
    await asyncio.gather(*(read(clients[n % replicas]) for n in range(reads)))
    elapsed = time.perf_counter() - started
    commands = _redis_commands(server) - commands_before if server else 0
    for client in clients:
        await client.aclose()
    for store in stores:
        await store.aclose()
    sandbox = sandbox_of(sandbox)
    peak = max(state["max_processing_and_queued"] for state in sandbox.limiter.stats().values())
    requests = len(sandbox.log.entries)
    durations.sort()
    return [
        "Redis (fleet limit)" if server else "in process (each replica alone)",
        str(principals),
        str(peak),
        str(sandbox.log.max_in_flight),
        f"{failed} of {reads}",
        f"{statistics.median(durations) * 1000:.0f} ms / {_p99(durations) * 1000:.0f} ms",
        f"{elapsed:.2f} s",
        f"{commands / requests:.1f}" if server else "—",
    ]


def _p99(ordered: list[float]) -> float:
    return ordered[max(0, int(len(ordered) * 0.99) - 1)]


async def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--replicas", type=int, default=2)
    parser.add_argument("--reads", type=int, default=200)
    parser.add_argument("--latency-ms", type=int, default=20)
    parser.add_argument("--principals", type=int, default=2, help="app registrations of the last row")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        server = RedisServer("redis-server", Path(directory))
        server.start()
        try:
            rows = [
                await _burst(args.replicas, args.reads, args.latency_ms, None, 1),
                await _burst(args.replicas, args.reads, args.latency_ms, server, 1),
                await _burst(args.replicas, args.reads, args.latency_ms, server, args.principals),
            ]
        finally:
            server.stop()
    header = [
        "store",
        "principals",
        "BC max processing+queued of a principal",
        "BC max processing, all",
        "failed",
        "p50 / p99 per read",
        "burst",
        "Redis round trips / BC req",
    ]
    print(
        f"{args.replicas} replicas, {args.reads} concurrent reads, limit 5 per principal, "
        f"{args.latency_ms} ms in BC"
    )
    print("| " + " | ".join(header) + " |")
    print("|" + " --- |" * len(header))
    for row in rows:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    asyncio.run(main())
