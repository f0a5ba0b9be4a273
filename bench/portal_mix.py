"""A realistic portal mix: 200 customers at once, against a BC with BC online's limits and 50 ms.

Issue 11, item 6.  Each simulated customer uses the reference portal's own operations
(gateway/portal/static/js/operations.js): it opens the dashboard every 30 seconds and, between
dashboards, browses — its orders (page 1, now and then page 2), an order of those, its open
invoices, the stock (a few searches every customer makes) — with 3 to 9 seconds between clicks,
and about one action in 40 is a reorder of a recent order.  Meanwhile BC's staff work: the
sandbox's staff simulator releases, ships, invoices, takes payments, moves stock and answers
queries, one action every ``--staff-every`` seconds (5), so BC's change notifications flow and
answers are invalidated as in a working day.  Customers start spread over the first 30 seconds;
what happens during the warm-up (``--warmup``) is not counted: the figures are those of a portal
in steady use.

Three processes, so that what is measured is the gateway alone:

- the sandbox (``--serve-sandbox``), with BC's limits (5 requests processed at once, a queue of
  95, 429 beyond, 6,000 requests per 5 minutes), 50 ms per request, BC's webhooks (notifications
  30 s after a change) and the staff simulator.  Its notifications reach the gateway through the
  TLS-terminating proxy a deployment has in front of it, here one header
  (``X-Forwarded-Proto: https`` from a trusted address);
- the gateway: ``bc-gateway serve`` in production mode (an identity provider's JWKS, client
  credentials against the sandbox, its own in-process store), webhooks on or off, or off with the
  change poller on (``--webhooks off,poll,on`` runs all three, each on a fresh world and a fresh
  gateway; docs/changes.md), its log lines
  written to a file as a deployment would ship them;
- this process: the 200 customers, over real HTTP with one keep-alive client.

Time is compressed (``--compress``, default 2): think times, the cache's times to live, BC's
notification delay, the staff's pace and BC's request window are all divided by it, so the cache
and BC see what they would see in real time, in a run of a few minutes.  BC's latency (50 ms) and
its 5 concurrent requests are not: BC and the gateway get ``compress`` times the real load per
second, which is harsher than reality, not kinder.

Printed, and appended to ``bench/results/portal_mix.md``: portal operations, BC HTTP requests (a
$batch is one) and the reads BC processed in them, operations per BC request and per read, BC's
429s, failed operations, p50/p99, the gateway's CPU per operation (its process's /proc stat), the
CPU of each process, the load average, and where the BC requests went, by operation (the
gateway's access log lines).

``--explain`` also prints why each BC read was made (the gateway at ``GATEWAY_LOG_LEVEL=debug``
logs each read its cache did not serve, and each change that made answers stale: see
gateway/bc/_answer_misses.py): by operation, entity set and cause — the first read of that
request in the run, read again after it was pushed out of memory, expired, dropped by BC's
notification of a change (by the set notified) or by the customer's own write, or a read that is
never kept (a write's own reads, the owner of a notified record).  Page 2 of the orders is told
apart from page 1 by the request id this process sends.  It is printed, not written to the file.

Run: .venv/bin/python bench/portal_mix.py [--customers 200] [--seconds 120] [--warmup 60]
     [--compress 2] [--webhooks off,poll,on] [--staff-every 5] [--explain]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import datetime as dt
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from gateway.bc import CacheSettings, DataKind
from gateway.portal.operations import collect_operations, operations_source
from gateway.sandbox.config import SandboxConfig
from gateway.webhooks import ChangePollSettings
from tests.edge.replica_support import BusinessCentral, IdentityProvider
from tests.redis_server import free_port

RESULTS = ROOT / "bench" / "results" / "portal_mix.md"
SEARCHES = (None, None, "chair", "desk", "paper", "lamp")  # what customers look for in the stock
SEED = 42
PROXIED = {"x-forwarded-proto": "https"}  # the TLS-terminating proxy in front of the gateway
METRICS_TOKEN = "portal-mix-metrics-token"
PAGE_2 = "page2-"  # the request id's prefix of an orders page after the first
GATEWAY_CLIENT = SandboxConfig().credentials[0]
READER_CLIENT = SandboxConfig(clients=2).credentials[1]  # this bench's own, to list the customers


def portal_operations() -> dict[str, str]:
    """The reference portal's documents by operation name (PortalDashboard, PortalOrders, …)."""
    documents = collect_operations(operations_source())
    return {document.split()[1].split("(")[0]: document for document in documents}


# --- the sandbox, in a process of its own --------------------------------------------------------


class ThroughTheProxy(httpx.AsyncBaseTransport):
    """BC's calls to the gateway's /webhooks/bc as they arrive behind the deployment's TLS proxy."""

    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        request.headers.update(PROXIED)
        return await self.inner.handle_async_request(request)


def serve_sandbox(args: argparse.Namespace) -> None:
    import uvicorn

    from gateway.sandbox.app import create_sandbox_app
    from gateway.sandbox.faults import Fault
    from gateway.sandbox.limits import Limits
    from gateway.sandbox.state import sandbox_of
    from gateway.sandbox.webhooks.config import WebhookConfig

    config = SandboxConfig(
        seed=SEED,
        scale=args.scale,
        clients=2,
        limits=Limits(window_seconds=300.0 / args.compress),
        faults=(Fault("latency", latency_ms=args.latency_ms, jitter_ms=args.latency_ms / 5),),
        webhooks=WebhookConfig(delay_seconds=30.0 / args.compress),
        staff_every_seconds=args.staff_every / args.compress,
    )
    app = create_sandbox_app(config)
    sandbox_of(app).webhooks.deliver_through(ThroughTheProxy())
    uvicorn.run(app, host="127.0.0.1", port=args.serve_sandbox, log_level="warning")


# --- the processes ------------------------------------------------------------------------------


@dataclasses.dataclass
class Process:
    """A process of this benchmark, its output going to ``log``."""

    process: subprocess.Popen[bytes]
    log: Path

    @classmethod
    def start(cls, arguments: list[str], environ: dict[str, str], log: Path) -> Process:
        with log.open("wb") as out:
            process = subprocess.Popen(  # noqa: S603 - this repository's own commands
                [sys.executable, *arguments], cwd=ROOT, env=environ, stdout=out, stderr=subprocess.STDOUT
            )
        return cls(process, log)

    def cpu_seconds(self) -> float:
        """User + system CPU so far (Linux: /proc/<pid>/stat)."""
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
        self.process.wait(timeout=60)


def clean_environ(**variables: str) -> dict[str, str]:
    prefixes = ("BC_", "AUTH_", "GATEWAY_", "SANDBOX_", "PORTAL_", "DEV_IDP_")
    return {k: v for k, v in os.environ.items() if not k.startswith(prefixes)} | variables


def wait_until(url: str, ready: Any = lambda answer: answer.status_code == 200, seconds: float = 180) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            answer = httpx.get(url, timeout=5.0)
            if ready(answer):
                return answer
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"{url} did not get ready within {seconds:g} s")


def start_sandbox(args: argparse.Namespace, directory: Path) -> tuple[Process, str]:
    port = free_port()
    arguments = [__file__, "--serve-sandbox", str(port), "--scale", str(args.scale)]
    arguments += ["--compress", str(args.compress), "--latency-ms", str(args.latency_ms)]
    arguments += ["--staff-every", str(args.staff_every)]
    process = Process.start(arguments, clean_environ(), directory / "sandbox.log")
    origin = f"http://127.0.0.1:{port}"
    wait_until(f"{origin}/_sandbox/stats")
    return process, origin


def gateway_environ(
    args: argparse.Namespace, origin: str, identity: IdentityProvider, port: int, changes: str
) -> dict[str, str]:
    """``changes``: how the gateway learns BC's changes — ``on`` (webhooks), ``poll`` (webhooks
    off, polling on) or ``off`` (neither: the times to live alone)."""
    config = SandboxConfig()
    ttls = {
        f"GATEWAY_CACHE_TTL_{kind.name}_SECONDS": f"{CacheSettings().ttl(kind) / args.compress:g}"
        for kind in DataKind
    }
    long_ttl = CacheSettings().with_webhooks_ttl / args.compress
    return clean_environ(
        BC_BASE_URL=f"{origin}/v2.0/{config.tenant}/{config.environment}",
        BC_TOKEN_URL=f"{origin}/{config.tenant}/oauth2/v2.0/token",
        BC_CLIENT_ID=GATEWAY_CLIENT[0],
        BC_CLIENT_SECRET=GATEWAY_CLIENT[1],
        AUTH_ISSUER=identity.issuer,
        AUTH_AUDIENCE=identity.audience,
        AUTH_JWKS_URL=identity.jwks_url,
        GATEWAY_METRICS_TOKEN=METRICS_TOKEN,
        GATEWAY_DOCUMENT_KEY="the portal mix's document key, one per deployment",
        GATEWAY_TRUSTED_PROXIES="127.0.0.1",
        GATEWAY_WEBHOOKS="on" if changes == "on" else "off",
        GATEWAY_CHANGE_POLL="on" if changes == "poll" else "off",
        GATEWAY_CHANGE_POLL_SECONDS=f"{max(1.0, ChangePollSettings().every_seconds / args.compress):g}",
        GATEWAY_WEBHOOK_URL=f"http://127.0.0.1:{port}/webhooks/bc",
        GATEWAY_WEBHOOK_SECRET="the portal mix's webhook secret, thirty-two or more",
        GATEWAY_CACHE_TTL_WITH_WEBHOOKS_SECONDS=f"{long_ttl:g}",
        GATEWAY_LOG_LEVEL="debug" if args.explain else "info",  # why each BC read was made
        # The simulated customers are real customers: their own rate limits are not what is measured.
        GATEWAY_RATE_LIMIT_PER_MINUTE="1000000000",
        GATEWAY_RATE_LIMIT_BURST="1000000000",
        **ttls,
    )


def start_gateway(
    args: argparse.Namespace, origin: str, identity: IdentityProvider, changes: str, directory: Path
) -> tuple[Process, str]:
    port = free_port()
    environ = gateway_environ(args, origin, identity, port, changes)
    process = Process.start(
        ["-m", "gateway", "serve", "--port", str(port)], environ, directory / "gateway.log"
    )
    url = f"http://127.0.0.1:{port}"
    wait_until(f"{url}/readyz")
    if changes == "on":  # BC's subscriptions made: notifications flow from now on
        wait_until(f"{url}/readyz", lambda answer: subscribed(answer.json()))
    return process, url


def subscribed(readiness: dict[str, Any]) -> bool:
    hooks = readiness.get("webhooks") or {}
    planned = (hooks.get("budget") or {}).get("planned")
    return bool(planned) and (hooks.get("states") or {}).get("active") == planned


# --- the customers ------------------------------------------------------------------------------


@dataclasses.dataclass
class Tally:
    latencies: list[float] = dataclasses.field(default_factory=list)
    latencies_by: defaultdict[str, list[float]] = dataclasses.field(default_factory=lambda: defaultdict(list))
    by_operation: Counter[str] = dataclasses.field(default_factory=Counter)
    failed: Counter[str] = dataclasses.field(default_factory=Counter)

    def clear(self) -> None:
        for counted in (self.latencies, self.latencies_by, self.by_operation, self.failed):
            counted.clear()


class Connection:
    """One customer's keep-alive HTTP/1.1 connection to the gateway: a few lines over asyncio
    streams instead of an HTTP client library, so that 200 customers cost this process little
    beside the gateway.  It is opened again when it has been idle longer than the server keeps
    it (uvicorn: 5 s), or when the server closed it before answering (then the request is sent
    again once: it never reached the gateway)."""

    IDLE_SECONDS = 4.0

    def __init__(self, url: str, headers: dict[str, str]) -> None:
        address = httpx.URL(url)
        self.host, self.port = address.host, address.port or 80
        self.head = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
        self.streams: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None
        self.used_at = 0.0

    async def post(self, path: str, body: bytes, request_id: str | None = None) -> tuple[int, bytes]:
        named = f"x-request-id: {request_id}\r\n" if request_id else ""
        request = (
            f"POST {path} HTTP/1.1\r\nhost: {self.host}\r\ncontent-type: application/json\r\n"
            f"content-length: {len(body)}\r\n{self.head}{named}\r\n"
        ).encode() + body
        for last_try in (False, True):
            if self.streams is None or time.monotonic() - self.used_at > self.IDLE_SECONDS:
                await self.close()
                self.streams = await asyncio.open_connection(self.host, self.port)
            reader, writer = self.streams
            try:
                writer.write(request)
                await writer.drain()
                status_line = await reader.readline()
                if not status_line:
                    raise ConnectionResetError("closed before answering")
            except OSError:
                await self.close()
                if last_try:
                    raise
                continue
            answer = await self._answer(reader, int(status_line.split()[1]))
            self.used_at = time.monotonic()
            return answer
        raise AssertionError("unreachable")

    async def _answer(self, reader: asyncio.StreamReader, status: int) -> tuple[int, bytes]:
        length, chunked, close = 0, False, False
        while (line := await reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode("latin-1").partition(":")
            name, value = name.strip().lower(), value.strip().lower()
            if name == "content-length":
                length = int(value)
            chunked |= name == "transfer-encoding" and "chunked" in value
            close |= name == "connection" and value == "close"
        if chunked:
            payload = b""
            while size := int((await reader.readline()).split(b";")[0], 16):
                payload += await reader.readexactly(size + 2)
                payload = payload[:-2]
            await reader.readline()
        else:
            payload = await reader.readexactly(length)
        if close:
            await self.close()
        return status, payload

    async def close(self) -> None:
        if self.streams is not None:
            writer = self.streams[1]
            self.streams = None
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()


class Customer:
    def __init__(self, name: str, token: str, rng: random.Random, operations: dict[str, str]) -> None:
        self.headers = {"authorization": f"Bearer {token}", **PROXIED}
        self.connection: Connection | None = None
        self.rng = rng
        self.ops = operations
        self.orders: list[str] = []
        self.cursor: str | None = None
        self.reorders = 0
        self.name = name

    async def ask(
        self, gateway: str, tally: Tally, name: str, variables: dict[str, Any], request_id: str | None = None
    ) -> Any:
        if self.connection is None:
            self.connection = Connection(gateway, self.headers)
        started = time.perf_counter()
        try:
            body = json.dumps({"query": self.ops[name], "variables": variables}).encode()
            status, payload = await self.connection.post("/graphql", body, request_id)
        except (OSError, asyncio.IncompleteReadError) as error:
            tally.failed[f"{name} {type(error).__name__}"] += 1
            return {}
        tally.latencies.append(time.perf_counter() - started)
        tally.latencies_by[name].append(tally.latencies[-1])
        tally.by_operation[name] += 1
        answer: dict[str, Any] = (
            json.loads(payload) if status == 200 else {"errors": [{"message": payload.decode()[:200]}]}
        )
        for problem in answer.get("errors") or ():
            code = (problem.get("extensions") or {}).get("code", str(status))
            tally.failed[f"{name} {code}"] += 1
            break
        return answer.get("data") or {}

    async def dashboard(self, gateway: str, tally: Tally) -> None:
        data = await self.ask(gateway, tally, "PortalDashboard", {})
        nodes = (data.get("orders") or {}).get("nodes") or []
        self.orders = [node["number"] for node in nodes] or self.orders

    async def browse(self, gateway: str, tally: Tally) -> None:
        roll = self.rng.random()
        if roll < 0.025 and self.orders:
            key = f"mix-{self.name}-{self.reorders}-{SEED}"
            self.reorders += 1
            variables = {"input": {"orderNumber": self.rng.choice(self.orders), "idempotencyKey": key}}
            await self.ask(gateway, tally, "PortalReorder", variables)
        elif roll < 0.30:
            data = await self.ask(gateway, tally, "PortalOrders", {"first": 20})
            page = data.get("orders") or {}
            self.orders = [node["number"] for node in page.get("nodes") or []][:10] or self.orders
            self.cursor = (page.get("pageInfo") or {}).get("endCursor")
        elif roll < 0.35 and self.cursor:
            page_2 = f"{PAGE_2}{uuid.uuid4().hex}"  # told apart from page 1 in --explain
            await self.ask(gateway, tally, "PortalOrders", {"first": 20, "after": self.cursor}, page_2)
        elif roll < 0.60 and self.orders:
            await self.ask(gateway, tally, "PortalOrder", {"number": self.rng.choice(self.orders)})
        elif roll < 0.80:
            await self.ask(gateway, tally, "PortalInvoices", {"first": 20, "filter": {"status": ["OPEN"]}})
        else:
            await self.ask(gateway, tally, "PortalStock", {"first": 20, "search": self.rng.choice(SEARCHES)})


async def run_customer(customer: Customer, gateway: str, tally: Tally, compress: float, until: float) -> None:
    loop = asyncio.get_running_loop()
    await asyncio.sleep(customer.rng.uniform(0, 30) / compress)
    while loop.time() < until:
        cycle = loop.time() + 30 / compress
        await customer.dashboard(gateway, tally)
        while True:
            pause = customer.rng.uniform(3, 9) / compress
            if loop.time() + pause >= min(cycle, until):
                break
            await asyncio.sleep(pause)
            await customer.browse(gateway, tally)
        await asyncio.sleep(max(0.0, min(cycle, until) - loop.time()))


def portal_customers(origin: str, count: int) -> list[tuple[str, str]]:
    """``count`` (company id, customer number) pairs, unblocked customers first, read from BC."""
    config = SandboxConfig()
    values = {
        "BC_BASE_URL": f"{origin}/v2.0/{config.tenant}/{config.environment}",
        "BC_TOKEN_URL": f"{origin}/{config.tenant}/oauth2/v2.0/token",
    }
    bc = BusinessCentral(origin, values, READER_CLIENT)
    try:
        found = [
            (row["blocked"] != "_x0020_", company["id"], row["number"])
            for company in bc.rows(None, "companies")
            for row in bc.rows(company["id"], "customers", **{"$select": "number,blocked"})
        ]
    finally:
        bc.close()
    if len(found) < count:
        raise SystemExit(f"the world has {len(found)} customers; raise --scale")
    return [(company, number) for _, company, number in sorted(found)[:count]]


# --- one measured run ---------------------------------------------------------------------------


@dataclasses.dataclass
class Marks:
    """Counters at one moment: BC's (the sandbox's), each process's CPU, the gateway's log."""

    at: float
    bc: dict[str, Any]
    gateway_cpu: float
    sandbox_cpu: float
    bench_cpu: float
    log_offset: int
    counters: Counter[str]


def marks(origin: str, url: str, gateway: Process, sandbox: Process) -> Marks:
    stats = httpx.get(f"{origin}/_sandbox/stats", timeout=30).json()
    return Marks(
        time.perf_counter(),
        stats,
        gateway.cpu_seconds(),
        sandbox.cpu_seconds(),
        time.process_time(),
        gateway.log.stat().st_size,
        gateway_counters(url),
    )


def gateway_counters(url: str) -> Counter[str]:
    """From the gateway's /metrics: its webhook events (notifications processed, owners it could
    not know, resyncs) and its cache's hits and misses, by kind of data."""
    headers = {"authorization": f"Bearer {METRICS_TOKEN}", **PROXIED}
    text = httpx.get(f"{url}/metrics", headers=headers, timeout=30).text
    counters: Counter[str] = Counter()
    for line in text.splitlines():
        name, _, value = line.rpartition(" ")
        if name.startswith(("bc_gateway_webhook_events_total{", "bc_gateway_cache_lookups_total{")):
            counters[name.split("{", 1)[1].rstrip("}")] += int(float(value))
    return counters


def bc_counts(stats: dict[str, Any]) -> tuple[int, int, int]:
    """BC HTTP requests (a $batch is one), reads it processed (in a $batch each), 429s."""
    envelopes = int(stats["by_entity_set"].get("$batch", 0))
    return (
        int(stats["http_requests"]),
        int(stats["requests"]) - envelopes,
        int(stats["by_status"].get("429", 0)),
    )


def bc_requests_by_operation(log: Path, offset: int) -> dict[str, int]:
    """The gateway's access lines after ``offset``: BC requests each operation made."""
    spent: defaultdict[str, int] = defaultdict(int)
    with log.open("rb") as lines:
        lines.seek(offset)
        for raw in lines:
            try:
                line = json.loads(raw)
            except ValueError:
                continue
            access = line.get("access", line) if isinstance(line, dict) else {}
            if isinstance(access, dict) and access.get("operation") and access.get("path") == "/graphql":
                spent[str(access["operation"])] += int(access.get("bc_calls") or 0)
    return dict(spent)


async def drive(
    args: argparse.Namespace, url: str, people: list[Customer], measure: Callable[[], Marks]
) -> tuple[Tally, Marks]:
    """The customers at work; what they saw after the warm-up, and the counters when it ended."""
    tally = Tally()
    await people[0].dashboard(url, Tally())  # keys, capabilities, currency
    until = asyncio.get_running_loop().time() + args.warmup + args.seconds

    async def after_warmup() -> Marks:
        await asyncio.sleep(args.warmup)
        tally.clear()
        return await asyncio.to_thread(measure)

    window = asyncio.ensure_future(after_warmup())
    try:
        await asyncio.gather(*(run_customer(c, url, tally, args.compress, until) for c in people))
    finally:
        for customer in people:
            if customer.connection is not None:
                await customer.connection.close()
    return tally, await window


def run(args: argparse.Namespace, changes: str, directory: Path) -> dict[str, Any]:
    identity = IdentityProvider()
    sandbox, origin = start_sandbox(args, directory)
    gateway: Process | None = None
    try:
        gateway, url = start_gateway(args, origin, identity, changes, directory)
        rng = random.Random(SEED)
        operations = portal_operations()
        people = [
            Customer(number, identity.token(company, number), random.Random(rng.getrandbits(64)), operations)
            for company, number in portal_customers(origin, args.customers)
        ]
        running = gateway
        load_before = os.getloadavg()
        tally, start = asyncio.run(drive(args, url, people, lambda: marks(origin, url, running, sandbox)))
        end = marks(origin, url, gateway, sandbox)
        load_after = os.getloadavg()
    finally:
        if gateway is not None:
            gateway.stop()
        sandbox.stop()
        identity.close()
    requests, reads, throttled = (b - a for a, b in zip(bc_counts(start.bc), bc_counts(end.bc), strict=True))
    operations_run = sum(tally.by_operation.values())
    return {
        "webhooks": changes,
        "operations": operations_run,
        "bc_requests": requests,
        "bc_reads": reads,
        "throttled": throttled,
        "failed": sum(tally.failed.values()),
        "failed_by": dict(tally.failed),
        "p50": statistics.median(tally.latencies) * 1000 if tally.latencies else 0.0,
        "p99": percentile(tally.latencies, 0.99) * 1000,
        "seconds": end.at - start.at,
        "gateway_cpu": end.gateway_cpu - start.gateway_cpu,
        "sandbox_cpu": end.sandbox_cpu - start.sandbox_cpu,
        "bench_cpu": end.bench_cpu - start.bench_cpu,
        "load": (load_before, load_after),
        "counters": end.counters - start.counters,
        "by_operation": dict(tally.by_operation),
        "bc_by_operation": bc_requests_by_operation(gateway.log, start.log_offset),
        "latencies_by": {name: list(values) for name, values in tally.latencies_by.items()},
        "explained": explain(gateway.log, start.log_offset) if args.explain else "",
    }


def explain(log: Path, offset: int) -> str:
    """Why the BC reads after ``offset`` in the gateway's log were made, as tables: every BC read
    (a $batch's inner reads each) by operation and cause, and by operation, entity set and cause.

    A read the cache did not serve has an ``answer_missed`` line; its cause: ``first read`` of
    that exact request in the run (nothing of it kept yet), ``read again, pushed out`` (kept
    before, no longer in memory), ``expired``, or, when a generation it was read under had been
    replaced, what replaced it last (an ``answers_forgotten`` line: ``bc <set>`` for BC's
    notification of a change, ``write <set>`` for the customer's own write).  The BC reads with no
    such line (the audit's ``bc_call`` lines count them) were never to be kept: a write's own
    reads, a notified record's owner, a set never cached."""
    replaced_by: dict[str, str] = {}  # generation → why it was last replaced
    missed_before: set[str] = set()  # reads (digests) that went to BC earlier in the run
    causes: Counter[tuple[str, str, str]] = Counter()  # (operation, entity set, cause)
    calls: Counter[tuple[str, str]] = Counter()  # (operation, entity set): BC reads
    requests: Counter[str] = Counter()  # operation: BC HTTP requests
    page_2: set[str] = set()  # request ids of page 2 (or later) of the orders
    with log.open("rb") as lines:
        for raw in lines:
            counted = lines.tell() > offset
            try:
                line = json.loads(raw)
            except ValueError:
                continue
            if not isinstance(line, dict):
                continue
            if forgotten := line.get("answers_forgotten"):
                replaced_by.update(dict.fromkeys(forgotten["names"], forgotten["why"]))
            elif missed := line.get("answer_missed"):
                keys = missed["keys"]  # one read, of one key or of several at once
                if counted:
                    cause = " + ".join(sorted({_cause(key, missed_before, replaced_by) for key in keys}))
                    operation = _operation(missed["operation"], missed["request_id"], page_2)
                    for entity_set in missed["entity_set"].split("+"):
                        causes[(operation, entity_set, cause)] += 1
                missed_before.update(key["digest"] for key in keys)
            elif counted and (call := line.get("bc_call")) and call["entity_set"] != "$metadata":
                request_id = call["request_id"] or ""
                if request_id.startswith(PAGE_2):
                    page_2.add(request_id)
                operation = _operation(call["operation"], request_id, page_2)
                requests[operation] += 1
                for entity_set in call.get("batch") or [call["entity_set"]]:
                    calls[(operation, entity_set)] += 1
    for (operation, entity_set), count in calls.items():
        explained = sum(n for (o, e, _), n in causes.items() if (o, e) == (operation, entity_set))
        if count > explained:
            causes[(operation, entity_set, "never kept (write, owner, …)")] += count - explained
    by_cause: Counter[tuple[str, str]] = Counter()
    for (operation, _, cause), count in causes.items():
        by_cause[(operation, cause)] += count
    lines_out = [
        f"BC reads (a $batch's each) by operation and cause; BC HTTP requests: {sum(requests.values()):,}",
        "",
        "| operation | HTTP requests | cause | BC reads |",
        "| --- | ---: | --- | ---: |",
    ]
    for operation in sorted(requests, key=lambda name: -requests[name]):
        rows = sorted(((c, n) for (o, c), n in by_cause.items() if o == operation), key=lambda cn: -cn[1])
        for place, (cause, count) in enumerate(rows):
            shown = f"{operation} | {requests[operation]:,}" if place == 0 else " | "
            lines_out.append(f"| {shown} | {cause} | {count:,} |")
    lines_out += ["", "| operation | entity set | cause | BC reads |", "| --- | --- | --- | ---: |"]
    for (operation, entity_set, cause), count in sorted(causes.items(), key=lambda kv: (kv[0][0], -kv[1])):
        lines_out.append(f"| {operation} | {entity_set} | {cause} | {count:,} |")
    return "\n".join(lines_out)


def _cause(key: dict[str, Any], missed_before: set[str], replaced_by: dict[str, str]) -> str:
    """Why one key of a read went to BC (``explain``)."""
    if key["reason"] == "absent":
        return "read again, pushed out" if key["digest"] in missed_before else "first read"
    if key["reason"] == "changed":
        return "dropped: " + " / ".join(sorted({replaced_by.get(name, "?") for name in key["changed"]}))
    return str(key["reason"])


def _operation(operation: str | None, request_id: str | None, page_2: set[str]) -> str:
    name = operation or "(the gateway's own)"
    return (
        f"{name} (page 2)" if request_id and (request_id in page_2 or request_id.startswith(PAGE_2)) else name
    )


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))] if ordered else 0.0


# --- the report ---------------------------------------------------------------------------------


_TTLS = {
    "off": "default (15/30/60 s)",
    "poll": "default + 600 s while polled",
    "on": "default + 600 s while subscribed",
}


def report(results: list[dict[str, Any]], args: argparse.Namespace) -> str:
    command = (
        f"bench/portal_mix.py --customers {args.customers} --seconds {args.seconds:g} "
        f"--warmup {args.warmup:g} --compress {args.compress:g} --staff-every {args.staff_every:g} "
        f"--webhooks {','.join(args.webhooks)}"
    )
    machine = f"{platform.machine()} {platform.system()} ({os.cpu_count()} cores)"
    lines = [
        f"`{command}` — {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, {machine}, Python "
        f"{platform.python_version()}; gateway (`bc-gateway serve`, production), sandbox and customers "
        f"in three processes; BC at {args.latency_ms:g} ms with BC's limits; time compressed "
        f"{args.compress:g}×",
        "",
        "| webhooks | times to live | portal operations | BC requests | reads in them "
        "| operations per BC request / per read | the same without the reorders | BC 429s | failed "
        "| p50 | p99 | gateway CPU per operation | CPU: gateway / sandbox / customers "
        "| load average (1 min), before → after |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for result in results:
        ops = result["operations"]
        ttl = _TTLS[result["webhooks"]]
        # Reads alone: the reorders and the BC requests they made themselves left out.
        reads_only = ops - result["by_operation"].get("PortalReorder", 0)
        their_requests = result["bc_requests"] - result["bc_by_operation"].get("PortalReorder", 0)
        lines.append(
            f"| {result['webhooks']} | {ttl} | {ops:,} | {result['bc_requests']:,} "
            f"| {result['bc_reads']:,} | {ops / max(1, result['bc_requests']):.1f} / "
            f"{ops / max(1, result['bc_reads']):.1f} | {reads_only / max(1, their_requests):.1f} "
            f"| {result['throttled']} | {result['failed']} "
            f"| {result['p50']:.0f} ms | {result['p99']:.0f} ms "
            f"| {result['gateway_cpu'] / max(1, ops) * 1000:.1f} ms "
            f"| {result['gateway_cpu']:.0f} s / {result['sandbox_cpu']:.0f} s / {result['bench_cpu']:.0f} s "
            f"in {result['seconds']:.0f} s | {result['load'][0][0]:.2f} → {result['load'][1][0]:.2f} |"
        )
    lines.append("")
    for result in results:
        ratio = result["operations"] / max(1, result["bc_requests"])
        verdict = {
            "≥ 10 operations per BC request": ratio >= 10,
            "zero BC 429s": result["throttled"] == 0,
            "p99 ≤ 1 s": result["p99"] <= 1000,
        }
        met = ", ".join(f"{name} — {'met' if ok else '**not met**'}" for name, ok in verdict.items())
        lines.append(f"Targets, webhooks {result['webhooks']}: {met}")
        lines.append("")
    for result in results:
        lines += [
            f"Where the BC requests went, webhooks {result['webhooks']} (each "
            "operation's own, from the gateway's access lines; a $batch is one):",
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
        counters = result["counters"]
        events = ", ".join(
            f"{name.split('=')[1].strip(chr(34))} {count:,}"
            for name, count in sorted(counters.items())
            if name.startswith("event=") and count
        )
        misses = {
            name.split('"')[1]: count for name, count in counters.items() if name.endswith('result="miss"')
        }
        hits = {
            name.split('"')[1]: count for name, count in counters.items() if name.endswith('result="hit"')
        }
        kept = ", ".join(
            f"{cache.removeprefix('answers.')} {hits.get(cache, 0):,}/{hits.get(cache, 0) + misses[cache]:,}"
            for cache in sorted(misses)
            if cache.startswith("answers.")
        )
        lines += ["", f"Answers kept (hits/lookups): {kept or '—'}", f"Webhook events: {events or '—'}", ""]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--customers", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=150.0, help="measured, after the warm-up")
    parser.add_argument("--warmup", type=float, default=60.0, help="seconds run before measuring")
    parser.add_argument("--compress", type=float, default=1.0)
    parser.add_argument("--scale", type=float, default=2.2)
    parser.add_argument("--latency-ms", type=float, default=50.0)
    parser.add_argument("--staff-every", type=float, default=5.0, help="a staff action this often (real s)")
    parser.add_argument(
        "--webhooks",
        type=lambda text: text.split(","),
        default=["off", "on"],
        help="off, poll, on, or several (off,poll,on): poll is webhooks off and the change poller on",
    )
    parser.add_argument("--explain", action="store_true", help="print why each BC read was made")
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--serve-sandbox", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_sandbox:
        serve_sandbox(args)
        return
    if not set(args.webhooks) <= set(_TTLS):
        parser.error("--webhooks: off, poll, on, or several of them (off,poll,on)")
    directory = Path(tempfile.mkdtemp(prefix="portal-mix-"))  # the processes' logs
    results = []
    for mode in args.webhooks:
        (directory / mode).mkdir()
        results.append(run(args, mode, directory / mode))
    text = report(results, args)
    print(text)
    for result in results:
        if result["explained"]:
            print(f"\nWhy BC was asked, webhooks {result['webhooks']}:\n")
            print(result["explained"])
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("a") as out:
        out.write(text + "\n")


if __name__ == "__main__":
    main()
