"""The reference operations: the gateway's own CPU, latency and throughput, against the targets.

The sandbox runs in its own process (``bench/sandbox_process.py``, BC's 5 concurrent requests,
its rate window lifted) with its latency fault at 0 and at 50 ms; the gateway runs in this
process in production mode against it over loopback, and is called directly over ASGI, so this
process's CPU time (``time.process_time``) is the gateway's alone — no HTTP client, no BC.  Its
BC client speaks real HTTP to the sandbox; what an ASGI server adds in front of it (parsing the
request's HTTP) is not included.

1. The dashboard (me + 5 orders with lines + 5 invoices) and the reference query ("my 20 most
   recent orders with lines and each line's item"), one client: gateway CPU per operation and
   latency, p50/p99, at BC latency 0 and 50 ms; BC HTTP round trips per operation.  And the
   dashboard at BC latency 0 with the process idle 100 ms before each: the same Python work as
   back to back, measured on a processor whose caches went cold meanwhile, as they do during
   each 50 ms round trip.
2. The reference query at 20 concurrent clients, BC at 50 ms: operations per second, cold
   (response cache off) and warm (on), once the gateway has a cache switch.
3. One answer of 1,000 orders × 10 lines with each line's item number and name, from a canned
   BC that answers instantly (``bench/canned_bc.py``): gateway CPU (up to the answer's last byte;
   reading the 2.6 MB answer is the client's); and the same answer without the items, for
   comparison (BC expands no items then).

The table goes to stdout and to ``bench/results/reference.md`` (with the date and the machine),
which the README quotes.  ``--profile dashboard|reference|big`` prints where the CPU goes instead
(pyinstrument, a sampling profiler: it barely slows what it measures, unlike cProfile).

BC's HTTP goes through the gateway's own transport (``BCTransport``), as in production;
``--httpcore`` puts httpx's own (httpcore's pool) in its place, to compare the two.

Run: .venv/bin/python bench/reference.py [--quick] [--profile NAME] [--httpcore]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import json
import os
import platform
import statistics
import sys
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from pyinstrument import Profiler

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.canned_bc import canned_bc
from bench.sandbox_process import SandboxProcess
from gateway.app import create_app
from gateway.auth import DevIdentityProvider
from gateway.bc import BCTransport
from gateway.resolvers.dates import months_before
from gateway.server import freeze_start_up_objects
from gateway.settings import KNOWN_VARIABLES, settings_from_environ

DASHBOARD = """
{
  me { number balance { amount currencyCode } overdueAmount { amount } creditLimit { amount } }
  orders(first: 5) { nodes { number orderDate status totalIncludingTax { amount }
                             lines { sequence number quantity shippedQuantity } } }
  invoices(first: 5) { nodes { number dueDate status remainingAmount { amount } isOverdue } }
}
"""
REFERENCE = """
{ orders(first: 20) { nodes { number orderDate status totalIncludingTax { amount currencyCode }
    lines { sequence number description quantity item { number name } } } } }
"""
BIG_ORDERS = """
{ orders(first: 1000) { nodes { number orderDate status totalIncludingTax { amount currencyCode }
    lines { sequence number description quantity shippedQuantity invoicedQuantity
            unitPrice { amount } amountIncludingTax { amount } item { number name } } } } }
"""
BIG_ORDERS_WITHOUT_ITEMS = BIG_ORDERS.replace(" item { number name }", "")
OPERATIONS = {"dashboard": DASHBOARD, "reference": REFERENCE, "big": BIG_ORDERS}

RESULTS = Path(__file__).resolve().parent / "results" / "reference.md"
# Idling this long before each operation (as the gateway does through each round trip when BC
# answers in 50 ms) shows what cold processor caches cost the same work (README, "Benchmarks").
IDLE_BEFORE_SECONDS = 0.1
# The response cache's on/off switch (issue 11, item 4); until it is declared, "warm" is not
# measured and the table says so.
CACHE_SWITCH = "GATEWAY_CACHE"
ISSUER, AUDIENCE = "https://idp.bench", "bench"
# One client sending hundreds of operations a second must not trip the per-customer rate limit.
BENCH_ENVIRON = {
    "AUTH_ISSUER": ISSUER,
    "AUTH_AUDIENCE": AUDIENCE,
    "AUTH_JWKS_URL": f"{ISSUER}/.well-known/jwks.json",
    "GATEWAY_RATE_LIMIT_PER_MINUTE": "1000000000",
    "GATEWAY_RATE_LIMIT_BURST": "1000000000",
    # Production mode requires the key every replica signs download links with.
    "GATEWAY_DOCUMENT_KEY": "a-document-key-for-the-benchmark-0123456789",
    # What is measured is the operations: the change poller (on in production while webhooks are
    # off, docs/changes.md) would add its own BC requests and CPU to theirs every 5 s.
    "GATEWAY_CHANGE_POLL": "off",
}
# The 1,000-order page is far beyond the default cost budget and page size, on purpose.
BIG_ENVIRON = {
    **BENCH_ENVIRON,
    "BC_BASE_URL": "https://bc.bench/bc",
    "BC_TOKEN_URL": "https://bc.bench/token",
    "BC_CLIENT_ID": "c",
    "BC_CLIENT_SECRET": "s",
    "BC_PAGE_SIZE": "20000",
    "PORTAL_MAX_PAGE_SIZE": "1000",
    "GATEWAY_COST_BUDGET": "10000000",
    # What is measured is executing the answer (from kept BC answers): a repeat must not be
    # served whole from the response cache, which keeps nothing in process at 0 bytes.
    "GATEWAY_CACHE_RESPONSES_MEMORY_BYTES": "0",
}


def bc_transport(*, httpcore: bool) -> httpx.AsyncBaseTransport:
    """The transport to the sandbox: the gateway's own, or httpx's (``httpcore``)."""
    return httpx.AsyncHTTPTransport() if httpcore else BCTransport()


class CountingTransport(httpx.AsyncBaseTransport):
    """The gateway's HTTP round trips to BC (a ``$batch`` is one, whatever it carries)."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.requests = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if "/api/" in request.url.path:
            self.requests += 1
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


@dataclass
class Gateway:
    """The gateway app in this process, called over ASGI with one customer's token."""

    app: Any
    token: str

    async def run(self, query: str, variables: Mapping[str, Any] | None = None) -> dict[str, Any]:
        return self.read(*await self.exchange(query, variables))

    @staticmethod
    def read(status: int, content: bytes) -> dict[str, Any]:
        """The answer as the client reads it; an error stops the benchmark."""
        answer: dict[str, Any] = json.loads(content)
        if status != 200 or "errors" in answer:
            raise RuntimeError(f"HTTP {status}: {json.dumps(answer)[:500]}")
        return answer

    async def exchange(self, query: str, variables: Mapping[str, Any] | None = None) -> tuple[int, bytes]:
        """The gateway's HTTP status and body for ``query``."""
        return await self.exchange_body(self.request_body(query, variables))

    @staticmethod
    def request_body(query: str, variables: Mapping[str, Any] | None = None) -> bytes:
        """The client's POST body (made outside the measured window: the client's work)."""
        return json.dumps({"query": query, **({"variables": variables} if variables else {})}).encode()

    async def exchange_body(self, body: bytes) -> tuple[int, bytes]:
        """The gateway's HTTP status and body for one POST: its work alone, not the client's."""
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "POST",
            "scheme": "https",
            "path": "/graphql",
            "raw_path": b"/graphql",
            "query_string": b"",
            "root_path": "",
            "headers": [
                (b"host", b"gateway.bench"),
                (b"authorization", f"Bearer {self.token}".encode()),
                (b"content-type", b"application/json"),
                (b"accept", b"application/graphql-response+json"),
                (b"content-length", str(len(body)).encode()),
            ],
            "client": ("127.0.0.1", 40000),
            "server": ("gateway.bench", 443),
        }
        sent = False
        status = 0
        chunks: list[bytes] = []

        async def receive() -> dict[str, Any]:
            nonlocal sent
            if sent:
                await asyncio.Event().wait()  # the client stays connected
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        async def send(message: Mapping[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await self.app(scope, receive, send)
        return status, b"".join(chunks)


@contextlib.asynccontextmanager
async def gateway_on(
    environ: Mapping[str, str],
    transport: httpx.AsyncBaseTransport,
    company: uuid.UUID,
    customer: str,
    warm_up: tuple[str, ...],
) -> AsyncIterator[Gateway]:
    identity = DevIdentityProvider(ISSUER, AUDIENCE)
    app = create_app(
        settings_from_environ(environ),
        bc_transport=transport,
        jwks_transport=httpx.ASGITransport(app=identity.asgi_app()),
    )
    async with app.router.lifespan_context(app):
        freeze_start_up_objects()  # as `bc-gateway serve` does once the app has started
        gateway = Gateway(app, identity.mint(company, customer))
        for _ in range(3):  # warm-up: JWKS, BC token, local currency, documents in the gate's cache
            for query in warm_up:
                await gateway.run(query)
        yield gateway


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


@dataclass(frozen=True)
class Sequential:
    cpu_p50: float
    cpu_p99: float
    latency_p50: float
    latency_p99: float
    round_trips: float


async def one_client(
    gateway: Gateway, bc: CountingTransport, query: str, runs: int, *, pause: float = 0.0
) -> Sequential:
    """``runs`` operations one after the other, ``pause`` seconds of idling before each (not
    measured)."""
    cpu: list[float] = []
    latency: list[float] = []
    before = bc.requests
    for _ in range(runs):
        if pause:
            await asyncio.sleep(pause)
        body = gateway.request_body(query)
        started, started_cpu = time.perf_counter(), time.process_time()
        answered = await gateway.exchange_body(body)
        cpu.append(time.process_time() - started_cpu)
        latency.append(time.perf_counter() - started)
        gateway.read(*answered)  # the client's reading of the answer: not the gateway's CPU
    return Sequential(
        cpu_p50=statistics.median(cpu) * 1000,
        cpu_p99=percentile(cpu, 0.99) * 1000,
        latency_p50=statistics.median(latency) * 1000,
        latency_p99=percentile(latency, 0.99) * 1000,
        round_trips=(bc.requests - before) / runs,
    )


@dataclass(frozen=True)
class Throughput:
    ops_per_second: float
    latency_p50: float
    latency_p99: float
    cpu_per_op: float


async def many_clients(gateway: Gateway, query: str, clients: int, seconds: float) -> Throughput:
    latency: list[float] = []
    deadline = time.perf_counter() + seconds

    async def client() -> None:
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            await gateway.run(query)
            latency.append(time.perf_counter() - started)

    started, started_cpu = time.perf_counter(), time.process_time()
    await asyncio.gather(*(client() for _ in range(clients)))
    elapsed, cpu = time.perf_counter() - started, time.process_time() - started_cpu
    return Throughput(
        ops_per_second=len(latency) / elapsed,
        latency_p50=statistics.median(latency) * 1000,
        latency_p99=percentile(latency, 0.99) * 1000,
        cpu_per_op=cpu / len(latency) * 1000,
    )


def reference_customer(bc: SandboxProcess) -> tuple[uuid.UUID, str]:
    """The first company's customer with the most open orders in the history window."""
    environ = bc.environ
    with httpx.Client(timeout=30.0) as http:
        token = http.post(
            environ["BC_TOKEN_URL"],
            data={
                "grant_type": "client_credentials",
                "client_id": environ["BC_CLIENT_ID"],
                "client_secret": environ["BC_CLIENT_SECRET"],
                "scope": "https://api.businesscentral.dynamics.com/.default",
            },
        ).json()["access_token"]
        headers = {"authorization": f"Bearer {token}"}
        api = f"{environ['BC_BASE_URL']}/api/v2.0"
        company = http.get(f"{api}/companies", headers=headers).json()["value"][0]["id"]
        since = months_before(dt.date.today(), 12).isoformat()
        orders = http.get(
            f"{api}/companies({company})/salesOrders",
            params={"$select": "customerNumber", "$filter": f"orderDate ge {since}"},
            headers=headers,
        ).json()["value"]
    customer, _ = Counter(order["customerNumber"] for order in orders).most_common(1)[0]
    return uuid.UUID(company), customer


def cache_variants() -> dict[str, dict[str, str] | None]:
    """Cold and warm gateway configurations; ``None`` where the gateway cannot do it yet."""
    if CACHE_SWITCH not in KNOWN_VARIABLES:
        return {"cold": {}, "warm": None}
    return {"cold": {CACHE_SWITCH: "off"}, "warm": {CACHE_SWITCH: "on"}}


@dataclass
class Report:
    sequential: dict[tuple[str, int], Sequential]
    # The dashboard at BC latency 0 with the process idle before each operation, as it is during
    # each BC round trip at 50 ms: the same work, on a processor whose caches went cold.
    after_idle: Sequential
    throughput: dict[str, Throughput | None]
    big_cpu_p50: float
    big_cpu_max: float
    big_without_items_cpu_p50: float
    clients: int


async def measure_against_sandbox(
    bc: SandboxProcess, runs: int, clients: int, seconds: float, *, httpcore: bool = False
) -> tuple[dict[tuple[str, int], Sequential], Sequential, dict[str, Throughput | None]]:
    company, customer = reference_customer(bc)
    sequential: dict[tuple[str, int], Sequential] = {}
    after_idle: Sequential | None = None
    throughput: dict[str, Throughput | None] = {}
    for variant, extra in cache_variants().items():
        if extra is None:
            throughput[variant] = None
            continue
        transport = CountingTransport(bc_transport(httpcore=httpcore))
        async with gateway_on(
            {**BENCH_ENVIRON, **bc.environ, **extra}, transport, company, customer, (DASHBOARD, REFERENCE)
        ) as gateway:
            if variant == "cold":
                for latency_ms in (0, 50):
                    bc.set_latency(latency_ms)
                    for name in ("dashboard", "reference"):
                        sequential[(name, latency_ms)] = await one_client(
                            gateway, transport, OPERATIONS[name], runs
                        )
                    if latency_ms == 0:
                        after_idle = await one_client(
                            gateway, transport, DASHBOARD, runs, pause=IDLE_BEFORE_SECONDS
                        )
            bc.set_latency(50)
            throughput[variant] = await many_clients(gateway, REFERENCE, clients, seconds)
    if after_idle is None:
        raise RuntimeError("the cold variant did not run")
    return sequential, after_idle, throughput


async def measure_big(repeats: int, query: str) -> tuple[float, float]:
    cpu: list[float] = []
    async with gateway_on(BIG_ENVIRON, canned_bc(1000, 10), uuid.uuid4(), "10000", (query,)) as gateway:
        for _ in range(repeats):
            started = time.process_time()
            status, content = await gateway.exchange(query)
            # Reading a 2 MB answer (and the collections its 100,000 objects set off) is the
            # client's work, not the gateway's.
            cpu.append(time.process_time() - started)
            nodes = gateway.read(status, content)["data"]["orders"]["nodes"]
            assert len(nodes) == 1000, "incomplete answer"
            if query is BIG_ORDERS:
                assert nodes[0]["lines"][0]["item"]["name"], "items missing"
    return statistics.median(cpu) * 1000, max(cpu) * 1000


def verdict(value: float, target: float, *, at_least: bool = False) -> str:
    met = value >= target if at_least else value <= target
    return "met" if met else "**not met**"


def render(report: Report, started: dt.datetime) -> str:
    seq = report.sequential
    lines = [
        f"Measured {started:%Y-%m-%d %H:%M} UTC on {machine()}, by `.venv/bin/python bench/reference.py`.",
        "",
        "| operation | BC latency | gateway CPU p50 / p99 | latency p50 / p99 | BC round trips |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for (name, latency_ms), row in seq.items():
        lines.append(
            f"| {name} | {latency_ms} ms | {row.cpu_p50:.1f} / {row.cpu_p99:.1f} ms "
            f"| {row.latency_p50:.0f} / {row.latency_p99:.0f} ms | {row.round_trips:.1f} |"
        )
    idle = report.after_idle
    lines.append(
        f"| dashboard, idle {IDLE_BEFORE_SECONDS * 1000:.0f} ms before each | 0 ms "
        f"| {idle.cpu_p50:.1f} / {idle.cpu_p99:.1f} ms | {idle.latency_p50:.0f} / {idle.latency_p99:.0f} ms "
        f"| {idle.round_trips:.1f} |"
    )
    lines += [
        "",
        f"| reference query, {report.clients} clients, BC at 50 ms | ops/s | latency p50 / p99 "
        "| gateway CPU per op |",
        "| --- | ---: | ---: | ---: |",
    ]
    for variant, result in report.throughput.items():
        if result is None:
            lines.append(f"| {variant} | cache not built | — | — |")
        else:
            lines.append(
                f"| {variant} | {result.ops_per_second:.0f} | {result.latency_p50:.0f} / "
                f"{result.latency_p99:.0f} ms | {result.cpu_per_op:.1f} ms |"
            )
    dashboard = seq[("dashboard", 50)].cpu_p50
    cold, warm = report.throughput["cold"], report.throughput.get("warm")
    lines += [
        "",
        "| target | measured | |",
        "| --- | ---: | --- |",
        f"| dashboard gateway CPU p50 ≤ 5 ms | {dashboard:.1f} ms | {verdict(dashboard, 5)} |",
        f"| 1,000 orders × 10 lines with item number and name ≤ 300 ms CPU | {report.big_cpu_p50:.0f} ms "
        f"(max {report.big_cpu_max:.0f}) | {verdict(report.big_cpu_p50, 300)} |",
        f"| (for comparison, not a target: the same without the items) | "
        f"{report.big_without_items_cpu_p50:.0f} ms | |",
    ]
    if cold is not None:
        lines.append(
            f"| reference query, 20 clients, BC at 50 ms, cold ≥ 70 ops/s | {cold.ops_per_second:.0f} ops/s "
            f"| {verdict(cold.ops_per_second, 70, at_least=True)} |"
        )
    lines.append(
        "| the same, warm ≥ 500 ops/s | "
        + (
            f"{warm.ops_per_second:.0f} ops/s | {verdict(warm.ops_per_second, 500, at_least=True)} |"
            if warm is not None
            else "cache not built | not measured |"
        )
    )
    return "\n".join(lines) + "\n"


def machine() -> str:
    model = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    return f"{model}, {os.cpu_count()} cores, Python {platform.python_version()}, load average {load}"


async def profile(name: str, runs: int, scale: float, *, warm: bool, httpcore: bool = False) -> None:
    """A profile of ``runs`` operations, BC at 0 ms: where the gateway's CPU goes — cold
    (nothing kept, as the sequential rows measure it) unless ``warm``."""
    with contextlib.ExitStack() as stack:
        if name == "big":
            environ: Mapping[str, str] = BIG_ENVIRON
            transport: httpx.AsyncBaseTransport = canned_bc(1000, 10)
            company, customer = uuid.uuid4(), "10000"
        else:
            bc = stack.enter_context(SandboxProcess(scale=scale))
            variant = cache_variants()["warm" if warm else "cold"] or {}
            environ = {**BENCH_ENVIRON, **bc.environ, **variant}
            transport = bc_transport(httpcore=httpcore)
            company, customer = reference_customer(bc)
        async with gateway_on(environ, transport, company, customer, (OPERATIONS[name],)) as gateway:
            profiler = Profiler(interval=0.002, async_mode="disabled")
            with profiler:
                for _ in range(runs):
                    await gateway.run(OPERATIONS[name])
    print(profiler.output_text(unicode=True, show_all=False, timeline=False))


def main(argv: list[str] | None = None, *, now: Callable[[], dt.datetime] = dt.datetime.now) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer runs, for trying the script out")
    parser.add_argument("--scale", type=float, default=1.0, help="the sandbox's demo data size")
    parser.add_argument("--profile", choices=sorted(OPERATIONS), help="print where one operation's CPU goes")
    parser.add_argument(
        "--warm", action="store_true", help="with --profile: the cache on (a repeat is served whole)"
    )
    parser.add_argument(
        "--httpcore", action="store_true", help="BC's HTTP through httpx's own transport, not BCTransport"
    )
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    runs, seconds, repeats = (30, 3.0, 3) if args.quick else (200, 15.0, 7)
    if args.profile:
        asyncio.run(
            profile(
                args.profile,
                5 if args.profile == "big" else runs,
                args.scale,
                warm=args.warm,
                httpcore=args.httpcore,
            )
        )
        return
    started = now().astimezone(dt.UTC)
    with SandboxProcess(scale=args.scale) as bc:
        sequential, after_idle, throughput = asyncio.run(
            measure_against_sandbox(bc, runs, 20, seconds, httpcore=args.httpcore)
        )
    big_p50, big_max = asyncio.run(measure_big(repeats, BIG_ORDERS))
    without_items_p50, _ = asyncio.run(measure_big(repeats, BIG_ORDERS_WITHOUT_ITEMS))
    report = Report(sequential, after_idle, throughput, big_p50, big_max, without_items_p50, 20)
    text = render(report, started)
    print(text)
    if not args.quick:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(f"# Reference operations\n\n{text}")
        print(f"written to {args.output}")


if __name__ == "__main__":
    main()
