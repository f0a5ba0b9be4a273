"""BC budget: N concurrent portal users against the in-process sandbox with BC online's limits.

Each simulated user signs in as a demo customer and runs a few dashboard queries back to back.
The sandbox enforces BC's per-principal limits (5 processed at a time, a queue of 95, 429 beyond,
6,000 requests per 5 minutes) and answers each request after a little latency, like a real BC.
Printed per configuration: HTTP requests the gateway sent to BC (a JSON $batch counts once),
requests per query, the most BC processed at once, 429s, failed queries, p50/p99 latency, and
the request rate projected over BC's 5-minute window.

Run: .venv/bin/python bench/bc_budget.py [--users 200] [--queries 3] [--latency-ms 20] [--scale 0.2]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from gateway.app import create_app
from gateway.bc import ResilienceSettings
from gateway.edge.development import mint_for, start_development
from gateway.sandbox.app import create_sandbox_app, sandbox_of
from gateway.sandbox.config import SandboxConfig
from gateway.sandbox.faults import Fault
from gateway.sandbox.limits import Limits
from gateway.settings import Settings

DASHBOARD = """
{
  me { number balance { amount currencyCode } overdueAmount { amount } }
  orders(first: 5) { nodes { number orderDate status lines { sequence number quantity } } }
  invoices(first: 5) { nodes { number dueDate status remainingAmount { amount } } }
}
"""


class _AccessLines(logging.Handler):
    """Collects the gateway's access lines, one per request (BC requests per query)."""

    def __init__(self) -> None:
        super().__init__()
        self.bc_requests: list[int] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.bc_requests.append(record.access["bc_calls"])  # type: ignore[attr-defined]


@dataclass
class Result:
    name: str
    queries: int
    failed: int
    bc_requests: int
    max_in_flight: int
    throttled: int
    p50_ms: float
    p99_ms: float
    seconds: float


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))] if ordered else 0.0


async def run(name: str, resilience: ResilienceSettings, args: argparse.Namespace) -> Result:
    config = SandboxConfig(scale=args.scale, limits=Limits(), faults=())
    sandbox = create_sandbox_app(config)
    development = start_development(Settings(), sandbox=sandbox)
    app = create_app(Settings(bc_resilience=resilience), development=development)
    state = sandbox_of(sandbox)
    customers = [c for c in development.customers if c.blocked == "_x0020_"]
    tokens = [f"Bearer {mint_for(development, customers[n % len(customers)])}" for n in range(args.users)]
    lines = _AccessLines()
    audit = logging.getLogger("gateway.access")
    audit.addHandler(lines)
    audit.setLevel(logging.INFO)
    latencies: list[float] = []
    failed = 0

    async def user(token: str, client: httpx.AsyncClient) -> None:
        nonlocal failed
        for _ in range(args.queries):
            started = time.perf_counter()
            response = await client.post(
                "/graphql", json={"query": DASHBOARD}, headers={"authorization": token}
            )
            latencies.append(time.perf_counter() - started)
            if response.status_code != 200 or "errors" in response.json():
                failed += 1

    try:
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gw") as client,
        ):
            await user(tokens[0], client)  # warm-up: JWKS, local currency, capabilities
            state.log.clear()
            lines.bc_requests.clear()
            latencies.clear()
            failed = 0
            state.faults.set([Fault("latency", latency_ms=args.latency_ms, jitter_ms=args.latency_ms / 2)])
            started = time.perf_counter()
            await asyncio.gather(*(user(token, client) for token in tokens))
            seconds = time.perf_counter() - started
    finally:
        audit.removeHandler(lines)
    return Result(
        name=name,
        queries=len(latencies),
        failed=failed,
        bc_requests=sum(lines.bc_requests),
        max_in_flight=state.log.max_in_flight,
        throttled=len([e for e in state.log.entries if e.status == 429]),
        p50_ms=statistics.median(latencies) * 1000,
        p99_ms=percentile(latencies, 0.99) * 1000,
        seconds=seconds,
    )


def table(results: list[Result]) -> str:
    header = (
        f"{'configuration':<34} {'queries':>7} {'failed':>6} {'BC req':>6} {'req/query':>9} "
        f"{'max in flight':>13} {'429s':>5} {'p50 ms':>7} {'p99 ms':>7} {'req per 5 min':>13}"
    )
    rows = [header, "-" * len(header)]
    for r in results:
        per_window = r.bc_requests / r.seconds * 300 if r.seconds else 0.0
        rows.append(
            f"{r.name:<34} {r.queries:>7} {r.failed:>6} {r.bc_requests:>6} {r.bc_requests / r.queries:>9.2f} "
            f"{r.max_in_flight:>13} {r.throttled:>5} {r.p50_ms:>7.0f} {r.p99_ms:>7.0f} {per_window:>13.0f}"
        )
    return "\n".join(rows)


async def main(args: argparse.Namespace) -> None:
    for noisy in ("gateway.errors", "strawberry.execution"):
        logging.getLogger(noisy).disabled = True  # failed queries are counted, not printed
    configurations = [
        ("gateway defaults (limit 5, $batch)", ResilienceSettings()),
        ("limit 5, $batch off", ResilienceSettings(batch=False)),
        ("no gateway limit, $batch off", ResilienceSettings(max_concurrency=10_000, batch=False)),
    ]
    results = [await run(name, knobs, args) for name, knobs in configurations]
    print(
        f"{args.users} users x {args.queries} dashboard queries, BC latency ~{args.latency_ms:g} ms, "
        f"BC limits: 5 concurrent, queue 95, 6,000 / 5 min"
    )
    print(table(results))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--queries", type=int, default=3)
    parser.add_argument("--latency-ms", type=float, default=20.0)
    parser.add_argument("--scale", type=float, default=0.2)
    asyncio.run(main(parser.parse_args()))
