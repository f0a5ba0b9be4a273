"""What keeping answers costs the gateway's CPU when they expire before they are read again.

With BC's webhooks off, the times to live (15 s for orders) are shorter than the time between a
customer's dashboards, so nearly every read misses — yet each is still kept, and reads by key
(``BCSession.fetch_by_key``) and lists whose rows are kept by key do that bookkeeping for every
key (docs/caching.md, "One answer per key").  This measures it alone: the portal's own read
operations (the dashboard, the orders page, two orders of it, the open invoices) for one
customer, in turn, against the sandbox in its own process at BC latency 0, with

- ``off``: ``GATEWAY_CACHE=off``, nothing kept;
- ``expired``: the cache on, every time to live at its minimum (0.1 s) and each operation sent
  0.12 s after the one before, so every kept answer has expired and every read goes to BC.

The difference is what the cache's bookkeeping costs per operation when it cannot pay.  The
gateway runs in this process, called over ASGI (``bench/reference.py``), so
``time.process_time()`` is its CPU alone.  ``--profile off|expired`` prints cProfile's functions
by their own time for that mode's runs (calls counted exactly, unlike a sampling profiler).

``--reads`` measures the same for single reads, on a BC client alone against a canned BC in
this process (no sandbox, no GraphQL, far less noise): 20 orders read by number
(``fetch_by_key``), the 20 newest open orders kept by number too (``rows_by_key``), and the
same 20 numbers read as one answer — each the best of several blocks, alternating the modes.

Run: .venv/bin/python bench/keyed_reads.py [--rounds 40] [--profile off|expired] [--reads]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import json
import pstats
import re
import statistics
import sys
import time
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.canned_bc import order_row
from bench.portal_mix import portal_operations
from bench.reference import BENCH_ENVIRON, CountingTransport, Gateway, gateway_on, machine, reference_customer
from bench.sandbox_process import SandboxProcess
from gateway.bc import (
    AnswerCache,
    BCClient,
    BCSettings,
    CacheSettings,
    ClientCredentials,
    CustomerScope,
    RowsByKey,
    SalesOrder,
    scoped,
)
from gateway.loaders.documents import ORDERS
from gateway.store import MemoryStore

MINIMUM_TTL = "0.1"
PAUSE_SECONDS = 0.12  # longer than every time to live: whatever was kept has expired
TTL_VARIABLES = (
    "GATEWAY_CACHE_TTL_ORDERS_SECONDS",
    "GATEWAY_CACHE_TTL_SHIPMENTS_SECONDS",
    "GATEWAY_CACHE_TTL_INVOICES_SECONDS",
    "GATEWAY_CACHE_TTL_ACCOUNT_SECONDS",
    "GATEWAY_CACHE_TTL_QUERIES_SECONDS",
    "GATEWAY_CACHE_TTL_CATALOGUE_SECONDS",
    "GATEWAY_CACHE_TTL_AVAILABILITY_SECONDS",
)
MODES: dict[str, dict[str, str]] = {
    "off": {"GATEWAY_CACHE": "off"},
    "expired": {"GATEWAY_CACHE": "on", **dict.fromkeys(TTL_VARIABLES, MINIMUM_TTL)},
}


@dataclass
class Measured:
    """Each operation's CPU seconds, one per run, and the BC round trips of all its runs."""

    cpu: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    round_trips: Counter[str] = field(default_factory=Counter)


async def one_round(
    gateway: Gateway, bc: CountingTransport, operations: dict[str, str], measured: Measured
) -> None:
    """The dashboard, the orders page, two of its orders, the open invoices: each operation's CPU."""

    async def ask(name: str, variables: dict[str, Any]) -> dict[str, Any]:
        await asyncio.sleep(PAUSE_SECONDS)
        started, requests = time.process_time(), bc.requests
        answer = await gateway.run(operations[name], variables)
        measured.cpu[name].append(time.process_time() - started)
        measured.round_trips[name] += bc.requests - requests
        data: dict[str, Any] = answer["data"]
        return data

    await ask("PortalDashboard", {})
    page = await ask("PortalOrders", {"first": 20})
    numbers = [node["number"] for node in page["orders"]["nodes"]]
    for number in numbers[:1] + numbers[-1:]:
        await ask("PortalOrder", {"number": number})
    await ask("PortalInvoices", {"first": 20, "filter": {"status": ["OPEN"]}})


async def measure(bc: SandboxProcess, mode: str, rounds: int, profiler: cProfile.Profile | None) -> Measured:
    operations = portal_operations()
    company, customer = reference_customer(bc)
    environ = {**BENCH_ENVIRON, **bc.environ, **MODES[mode]}
    measured = Measured()
    warm_up = (operations["PortalDashboard"],)
    transport = CountingTransport(httpx.AsyncHTTPTransport())
    async with gateway_on(environ, transport, company, customer, warm_up) as gateway:
        await one_round(gateway, transport, operations, Measured())  # documents parsed, connections open
        if profiler is not None:
            profiler.enable()
        for _ in range(rounds):
            await one_round(gateway, transport, operations, measured)
        if profiler is not None:
            profiler.disable()
    return measured


def render(results: dict[str, Measured], rounds: int) -> str:
    off, expired = results["off"], results["expired"]
    lines = [
        f"Measured on {machine()}, by `.venv/bin/python bench/keyed_reads.py --rounds {rounds}`.",
        "",
        "| operation | cache off: CPU p50 / mean, BC round trips | every answer expired: the same "
        "| difference (mean) |",
        "| --- | ---: | ---: | ---: |",
    ]

    def cell(measured: Measured, name: str) -> str:
        cpu = measured.cpu[name]
        trips = measured.round_trips[name] / len(cpu)
        return f"{statistics.median(cpu) * 1000:.2f} / {statistics.fmean(cpu) * 1000:.2f} ms, {trips:.1f}"

    for name in off.cpu:
        difference = statistics.fmean(expired.cpu[name]) - statistics.fmean(off.cpu[name])
        lines.append(f"| {name} | {cell(off, name)} | {cell(expired, name)} | {difference * 1000:+.2f} ms |")
    off_total, expired_total = (sum(map(sum, results[mode].cpu.values())) * 1000 / rounds for mode in MODES)
    lines.append(
        f"| a round ({', '.join(off.cpu)}) | {off_total:.2f} ms | {expired_total:.2f} ms "
        f"| {expired_total - off_total:+.2f} ms |"
    )
    return "\n".join(lines) + "\n"


# --- single reads, on a BC client alone ---------------------------------------------------------

SCOPE = CustomerScope(company_id=uuid.UUID(int=1), customer_number="10000")
NUMBERS = [f"SO{index:06d}" for index in range(20)]


def canned_orders() -> httpx.MockTransport:
    """A BC whose ``salesOrders`` are the orders the filter names (the 20 newest without one)."""
    rows = {number: json.dumps(order_row(index, 5)) for index, number in enumerate(NUMBERS)}
    token = {"token_type": "Bearer", "expires_in": 3600, "access_token": "t"}

    def handle(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/token"):
            return httpx.Response(200, json=token)
        asked = re.findall(r"SO\d{6}", request.url.params.get("$filter", "")) or NUMBERS
        body = '{"value":[' + ",".join(rows[number] for number in asked) + "]}"
        return httpx.Response(200, content=body.encode(), headers={"content-type": "application/json"})

    return httpx.MockTransport(handle)


READS = {
    "20 orders by number, kept by key": lambda session: session.fetch_by_key(
        ORDERS.by_key("number", SCOPE), "number", NUMBERS, model=SalesOrder
    ),
    "the 20 newest orders, kept by number too": lambda session: session.fetch(
        scoped(ORDERS.query(filter=None, orderby=("orderDate desc", "number desc"), top=20), SCOPE),
        model=SalesOrder,
        rows_by_key=RowsByKey("number", ORDERS.by_key("number", SCOPE)),
    ),
    "20 orders by number, kept as one answer": lambda session: session.fetch(
        ORDERS.by_key("number", SCOPE)(NUMBERS), model=SalesOrder
    ),
}


async def measure_reads(blocks: int, per_block: int) -> dict[tuple[str, str], float]:
    """Each read's CPU in each mode (ms): the best of ``blocks`` blocks' means, modes alternating."""
    settings = BCSettings.on_premises(
        "https://bc.bench/bc", ClientCredentials("https://bc.bench/token", "c", "s"), page_size=1000
    )
    now = [1_700_000_000.0]
    caches = {"off": None, "expired": AnswerCache(CacheSettings(), MemoryStore(), wall_clock=lambda: now[0])}
    best: dict[tuple[str, str], float] = {}
    async with contextlib.AsyncExitStack() as stack:
        clients = {
            mode: await stack.enter_async_context(
                BCClient(settings, transport=canned_orders(), answers=answers)
            )
            for mode, answers in caches.items()
        }
        for block in range(blocks + 1):  # the first block warms up
            for name, read in READS.items():
                for mode, client in clients.items():
                    started = time.process_time()
                    for _ in range(per_block):
                        now[0] += 3600  # every answer kept has expired
                        assert len(await read(client.session(SCOPE))) == len(NUMBERS)
                    spent = (time.process_time() - started) / per_block * 1000
                    if block:
                        best[(name, mode)] = min(best.get((name, mode), spent), spent)
    return best


def render_reads(best: dict[tuple[str, str], float]) -> str:
    lines = [
        f"Measured on {machine()}, by `.venv/bin/python bench/keyed_reads.py --reads`.",
        "",
        "| read (BC answers at once) | cache off | every answer expired | difference |",
        "| --- | ---: | ---: | ---: |",
    ]
    for name in READS:
        off, expired = best[(name, "off")], best[(name, "expired")]
        lines.append(f"| {name} | {off:.3f} ms | {expired:.3f} ms | {expired - off:+.3f} ms |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--profile", choices=sorted(MODES), help="cProfile that mode's runs instead")
    parser.add_argument("--profile-to", type=Path, help="with --profile: also write the stats there")
    parser.add_argument("--reads", action="store_true", help="single reads on a BC client alone instead")
    args = parser.parse_args()
    if args.reads:
        print(render_reads(asyncio.run(measure_reads(blocks=10, per_block=40))))
        return
    with SandboxProcess() as bc:
        if args.profile:
            profiler = cProfile.Profile()
            asyncio.run(measure(bc, args.profile, args.rounds, profiler))
            if args.profile_to is not None:
                profiler.dump_stats(args.profile_to)
            stats = pstats.Stats(profiler)
            stats.sort_stats("tottime").print_stats(30)
            stats.sort_stats("cumulative").print_stats("gateway/", 60)
            return
        results = {mode: asyncio.run(measure(bc, mode, args.rounds, None)) for mode in MODES}
    print(render(results, args.rounds))


if __name__ == "__main__":
    main()
