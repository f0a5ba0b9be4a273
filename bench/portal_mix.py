"""A realistic portal mix: 200 customers at once, against a BC with BC online's limits and 50 ms.

Issue 11, item 6.  Each simulated customer uses the reference portal's own operations
(gateway/portal/static/js/operations.js): it opens the dashboard every 30 seconds and, between
dashboards, browses — its orders (page 1, now and then page 2), an order of those, its open
invoices, the stock (a few searches every customer makes) — with 3 to 9 seconds between clicks,
and about one action in 40 is a reorder of a recent order.  Customers start spread over the
first 30 seconds; what happens during the warm-up (``--warmup``, 30 s of the run) is not counted,
so the figures are those of a portal in steady use, its cache filled.

Time is compressed (``--compress``, default 5): think times, the cache's times to live and BC's
request window (6,000 per 5 minutes) are all divided by it, so the cache and BC's window see what
they would see in real time, in a run of a couple of minutes.  BC's latency (50 ms) and its 5
concurrent requests are not: the run asks BC ``compress`` times as often per second as real
customers would, which makes queueing for BC's 5 slots harsher than in reality, not kinder.

The sandbox runs in its own process (its CPU is not the gateway's), with BC's limits: 5 processed
at once per principal, a queue of 95, 429 beyond, the compressed window.  The gateway and the
simulated customers share this process.  Printed, and written to ``bench/results/portal_mix.md``:
portal operations, BC HTTP requests (a $batch is one) and the reads BC processed in them,
operations per BC request, BC's 429s, failed operations, p50/p99, the CPU the gateway (with the
simulated customers) and the sandbox spent, and where the BC requests went, by operation.

Run: .venv/bin/python bench/portal_mix.py [--customers 200] [--seconds 120] [--warmup 30]
     [--compress 5] [--scale 2.2] [--cache on|off] [--ttl-scale 1]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import datetime as dt
import logging
import os
import platform
import random
import statistics
import subprocess
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from gateway.app import create_app
from gateway.bc import BCSettings, CacheSettings, ClientCredentials, DataKind
from gateway.edge.config import EdgeSettings
from gateway.edge.development import Development, mint_for, start_development
from gateway.edge.ratelimit import RateLimit
from gateway.portal.operations import collect_operations, operations_source
from gateway.sandbox.app import create_sandbox_app
from gateway.sandbox.config import SandboxConfig
from gateway.sandbox.faults import Fault
from gateway.sandbox.limits import Limits
from gateway.settings import Settings

RESULTS = Path(__file__).resolve().parent / "results" / "portal_mix.md"
SEARCHES = (None, None, "chair", "desk", "paper", "lamp")  # what customers look for in the stock
SEED = 42


def portal_operations() -> dict[str, str]:
    """The reference portal's documents by operation name (PortalDashboard, PortalOrders, …)."""
    documents = collect_operations(operations_source())
    return {document.split()[1].split("(")[0]: document for document in documents}


# --- the sandbox, in a process of its own --------------------------------------------------------


def serve_sandbox(port: int, scale: float, compress: float, latency_ms: float) -> None:
    import uvicorn

    limits = Limits(window_seconds=300.0 / compress)
    faults = (Fault("latency", latency_ms=latency_ms, jitter_ms=latency_ms / 5),)
    config = SandboxConfig(seed=SEED, scale=scale, limits=limits, faults=faults)
    app = create_sandbox_app(config)
    print("ready", flush=True)
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")


def cpu_seconds(pid: int) -> float:
    """A process's CPU time so far (Linux: /proc/<pid>/stat, user + system)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextlib.contextmanager
def sandbox_process(port: int, args: argparse.Namespace) -> Iterator[tuple[str, int]]:
    command = [sys.executable, __file__, "--serve-sandbox", str(port), "--scale", str(args.scale)]
    command += ["--compress", str(args.compress), "--latency-ms", str(args.latency_ms)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)  # noqa: S603 - our own script
    try:
        assert process.stdout is not None
        if process.stdout.readline().strip() != "ready":
            raise RuntimeError("the sandbox process did not start")
        yield f"http://127.0.0.1:{port}", process.pid
    finally:
        process.terminate()
        process.wait(timeout=30)


# --- the gateway, on that sandbox ---------------------------------------------------------------


class Counting(httpx.AsyncBaseTransport):
    """The gateway's HTTP requests to BC (a $batch is one), and BC's 429 answers."""

    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport(limits=httpx.Limits(max_connections=50))
        self.requests = 0
        self.throttled = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        if "/api/" in request.url.path and not request.url.path.endswith("$metadata"):
            self.requests += 1
            self.throttled += response.status_code == 429
        return response

    async def aclose(self) -> None:
        await self.inner.aclose()


def gateway_settings(args: argparse.Namespace) -> Settings:
    ttls = {
        f"{kind.value}_ttl": CacheSettings().ttl(kind) * args.ttl_scale / args.compress for kind in DataKind
    }
    return Settings(
        cache=CacheSettings(enabled=args.cache == "on", **ttls),
        # The simulated customers are real customers: their own rate limits are not what is measured.
        edge=EdgeSettings(rate_limit=RateLimit(per_minute=10**9, burst=10**9)),
    )


def on_remote_bc(development: Development, origin: str, transport: Counting) -> Development:
    """Development mode's identity provider and demo customers, with BC in the other process."""
    credentials = ClientCredentials(f"{origin}/sandbox/oauth2/v2.0/token", "sandbox-client", "sandbox-secret")
    bc_settings = BCSettings(f"{origin}/v2.0/sandbox/production", credentials)
    return dataclasses.replace(development, bc_settings=bc_settings, bc_transport=transport)


# --- the customers ------------------------------------------------------------------------------


@dataclasses.dataclass
class Tally:
    latencies: list[float] = dataclasses.field(default_factory=list)
    latencies_by: defaultdict[str, list[float]] = dataclasses.field(default_factory=lambda: defaultdict(list))
    by_operation: Counter[str] = dataclasses.field(default_factory=Counter)
    failed: Counter[str] = dataclasses.field(default_factory=Counter)


class Customer:
    def __init__(self, name: str, token: str, rng: random.Random, operations: dict[str, str]) -> None:
        self.token = token
        self.rng = rng
        self.ops = operations
        self.orders: list[str] = []
        self.cursor: str | None = None
        self.reorders = 0
        self.name = name

    async def ask(self, client: httpx.AsyncClient, tally: Tally, name: str, variables: dict[str, Any]) -> Any:
        started = time.perf_counter()
        response = await client.post(
            "/graphql",
            json={"query": self.ops[name], "variables": variables},
            headers={"authorization": f"Bearer {self.token}"},
        )
        tally.latencies.append(time.perf_counter() - started)
        tally.latencies_by[name].append(tally.latencies[-1])
        tally.by_operation[name] += 1
        body = response.json() if response.status_code == 200 else {"errors": [{"message": response.text}]}
        for error in body.get("errors") or ():
            code = (error.get("extensions") or {}).get("code", str(response.status_code))
            tally.failed[f"{name} {code}"] += 1
            break
        return body.get("data") or {}

    async def dashboard(self, client: httpx.AsyncClient, tally: Tally) -> None:
        data = await self.ask(client, tally, "PortalDashboard", {})
        nodes = (data.get("orders") or {}).get("nodes") or []
        self.orders = [node["number"] for node in nodes] or self.orders

    async def browse(self, client: httpx.AsyncClient, tally: Tally) -> None:
        roll = self.rng.random()
        if roll < 0.025 and self.orders:
            key = f"mix-{self.name}-{self.reorders}"
            self.reorders += 1
            variables = {"input": {"orderNumber": self.rng.choice(self.orders), "idempotencyKey": key}}
            await self.ask(client, tally, "PortalReorder", variables)
        elif roll < 0.30:
            data = await self.ask(client, tally, "PortalOrders", {"first": 20})
            page = data.get("orders") or {}
            self.orders = [node["number"] for node in page.get("nodes") or []][:10] or self.orders
            self.cursor = (page.get("pageInfo") or {}).get("endCursor")
        elif roll < 0.35 and self.cursor:
            await self.ask(client, tally, "PortalOrders", {"first": 20, "after": self.cursor})
        elif roll < 0.60 and self.orders:
            await self.ask(client, tally, "PortalOrder", {"number": self.rng.choice(self.orders)})
        elif roll < 0.80:
            await self.ask(client, tally, "PortalInvoices", {"first": 20, "filter": {"status": ["OPEN"]}})
        else:
            await self.ask(client, tally, "PortalStock", {"first": 20, "search": self.rng.choice(SEARCHES)})


async def run_customer(
    customer: Customer, client: httpx.AsyncClient, tally: Tally, args: argparse.Namespace, until: float
) -> None:
    loop = asyncio.get_running_loop()
    await asyncio.sleep(customer.rng.uniform(0, 30) / args.compress)
    while loop.time() < until:
        cycle = loop.time() + 30 / args.compress
        await customer.dashboard(client, tally)
        while True:
            pause = customer.rng.uniform(3, 9) / args.compress
            if loop.time() + pause >= min(cycle, until):
                break
            await asyncio.sleep(pause)
            await customer.browse(client, tally)
        await asyncio.sleep(max(0.0, min(cycle, until) - loop.time()))


class BCRequestsByOperation(logging.Handler):
    """The gateway's one audit line per operation: BC requests it made, by operation name."""

    def __init__(self) -> None:
        super().__init__()
        self.requests: defaultdict[str, int] = defaultdict(int)

    def emit(self, record: logging.LogRecord) -> None:
        line = record.graphql_operation  # type: ignore[attr-defined]
        self.requests[str(line.get("operation"))] += int(line.get("bc_requests") or 0)


async def measure(args: argparse.Namespace, origin: str, sandbox_pid: int) -> dict[str, Any]:
    # The same world as the sandbox process builds: the identity provider's demo customers.
    local = create_sandbox_app(SandboxConfig(seed=SEED, scale=args.scale))
    transport = Counting()
    development = on_remote_bc(start_development(Settings(), sandbox=local), origin, transport)
    app = create_app(gateway_settings(args), development=development)
    operations = portal_operations()
    rng = random.Random(SEED)
    people = development.customers[: args.customers]
    if len(people) < args.customers:
        raise SystemExit(f"the world at scale {args.scale} has {len(people)} customers; raise --scale")
    customers = [
        Customer(p.customer_number, mint_for(development, p), random.Random(rng.getrandbits(64)), operations)
        for p in people
    ]
    audit = logging.getLogger("gateway.operation.audit")
    by_operation = BCRequestsByOperation()
    audit.addHandler(by_operation)
    audit.setLevel(logging.INFO)
    tally = Tally()
    try:
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app), base_url="http://gateway.bench", timeout=60
            ) as client,
        ):
            await customers[0].dashboard(client, Tally())  # keys, capabilities, currency

            async def measured_from_now() -> tuple[dict[str, int], float, float, float]:
                """After the warm-up (the cache filled as it would be in steady use), count."""
                await asyncio.sleep(args.warmup)
                tally.latencies.clear()
                tally.latencies_by.clear()
                tally.by_operation.clear()
                tally.failed.clear()
                transport.requests = transport.throttled = 0
                by_operation.requests.clear()
                marks = (time.process_time(), time.perf_counter(), cpu_seconds(sandbox_pid))
                return (await sandbox_stats(origin), *marks)

            window = asyncio.ensure_future(measured_from_now())
            until = asyncio.get_running_loop().time() + args.warmup + args.seconds
            await asyncio.gather(*(run_customer(c, client, tally, args, until) for c in customers))
            before, cpu, started, sandbox_cpu = await window
            elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
            sandbox_cpu = cpu_seconds(sandbox_pid) - sandbox_cpu
            after = await sandbox_stats(origin)
    finally:
        audit.removeHandler(by_operation)
    operations_run = sum(tally.by_operation.values())
    return {
        "operations": operations_run,
        "bc_requests": transport.requests,
        "bc_reads": after["reads"] - before["reads"],
        "throttled": transport.throttled,
        "failed": sum(tally.failed.values()),
        "failed_by": dict(tally.failed),
        "p50": statistics.median(tally.latencies) * 1000,
        "p99": percentile(tally.latencies, 0.99) * 1000,
        "seconds": elapsed,
        "cpu": cpu,
        "sandbox_cpu": sandbox_cpu,
        "by_operation": dict(tally.by_operation),
        "bc_by_operation": dict(by_operation.requests),
        "latencies_by": {name: list(values) for name, values in tally.latencies_by.items()},
    }


async def sandbox_stats(origin: str) -> dict[str, int]:
    """What BC processed: every request and every operation inside a $batch, the envelopes not
    counted (the sandbox logs both)."""
    async with httpx.AsyncClient() as http:
        stats = (await http.get(f"{origin}/_sandbox/stats")).json()
    return {"reads": int(stats["requests"]) - int(stats["by_entity_set"].get("$batch", 0))}


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))] if ordered else 0.0


def report(result: dict[str, Any], args: argparse.Namespace) -> str:
    ratio = result["operations"] / max(1, result["bc_requests"])
    per_window = result["bc_requests"] / result["seconds"] * 300 / args.compress
    verdict = {
        "≥ 10 operations per BC request": ratio >= 10,
        "zero BC 429s": result["throttled"] == 0,
        "p99 ≤ 1 s": result["p99"] <= 1000,
    }
    command = (
        f"bench/portal_mix.py --customers {args.customers} --seconds {args.seconds:g} "
        f"--warmup {args.warmup:g} --compress {args.compress:g} --cache {args.cache} "
        f"--ttl-scale {args.ttl_scale:g}"
    )
    machine = f"{platform.machine()} {platform.system()} ({os.cpu_count()} cores)"
    lines = [
        f"`{command}` — {dt.date.today().isoformat()}, {machine}, Python {platform.python_version()}; "
        f"sandbox in its own process, {args.latency_ms:g} ms, BC's limits",
        "",
        "| portal operations | BC requests | reads in them | operations per BC request | BC 429s | failed "
        "| p50 | p99 | BC requests per real 5 min | CPU: gateway + customers / sandbox |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        f"| {result['operations']:,} | {result['bc_requests']:,} | {result['bc_reads']:,} | {ratio:.1f} "
        f"| {result['throttled']} "
        f"| {result['failed']} | {result['p50']:.0f} ms | {result['p99']:.0f} ms "
        f"| {per_window:,.0f} of 6,000 | {result['cpu']:.0f} s / {result['sandbox_cpu']:.0f} s "
        f"in {result['seconds']:.0f} s |",
        "",
        "Targets: "
        + ", ".join(f"{name} — {'met' if met else '**not met**'}" for name, met in verdict.items()),
        "",
        "Where the BC requests went (each operation's own requests; a $batch is one):",
        "",
        "| operation | run | BC requests | per operation | p50 | p99 |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, count in sorted(result["by_operation"].items(), key=lambda kv: -kv[1]):
        spent = result["bc_by_operation"].get(name, 0)
        times = result["latencies_by"].get(name) or [0.0]
        p50, p99 = statistics.median(times) * 1000, percentile(times, 0.99) * 1000
        lines.append(
            f"| {name} | {count:,} | {spent:,} | {spent / count:.2f} | {p50:.0f} ms | {p99:.0f} ms |"
        )
    if result["failed_by"]:
        lines += ["", f"Failed: {result['failed_by']}"]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--customers", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=120.0, help="measured, after the warm-up")
    parser.add_argument("--warmup", type=float, default=30.0, help="seconds run before measuring")
    parser.add_argument("--compress", type=float, default=5.0)
    parser.add_argument("--scale", type=float, default=2.2)
    parser.add_argument("--latency-ms", type=float, default=50.0)
    parser.add_argument("--cache", choices=("on", "off"), default="on")
    parser.add_argument("--ttl-scale", type=float, default=1.0, help="multiply the default times to live")
    parser.add_argument("--port", type=int, default=8187)
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--serve-sandbox", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_sandbox:
        serve_sandbox(args.serve_sandbox, args.scale, args.compress, args.latency_ms)
        return
    with sandbox_process(args.port, args) as (origin, pid):
        result = asyncio.run(measure(args, origin, pid))
    text = report(result, args)
    print(text)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("a") as out:
        out.write(text + "\n")


if __name__ == "__main__":
    main()
