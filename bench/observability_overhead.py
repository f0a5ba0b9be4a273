"""What the logs, the audit trail and the metrics cost per request, printed as tables.

1. CPU time (the machine is shared: wall time mostly measures the neighbours) of a warm
   dashboard query (account, 5 orders with lines, 5 invoices) against the embedded sandbox, in
   process, sequentially, with logging configured as ``bc-gateway serve`` does — JSON lines to
   ``/dev/null`` (the cost of formatting and writing, not of a disk) — and with logging off.
   Metrics are always recorded; a ``/metrics`` scrape is measured on its own.
2. The JSON formatter alone, per line, for the lines a request writes.

Run: .venv/bin/python bench/observability_overhead.py [--requests 400] [--scale 0.1]
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import logging
import logging.config
import statistics
import sys
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from gateway.app import create_app
from gateway.edge.development import mint_for, start_development
from gateway.edge.ratelimit import RateLimit
from gateway.sandbox.app import create_sandbox_app
from gateway.sandbox.config import SandboxConfig
from gateway.settings import Settings
from gateway.telemetry import JsonFormatter, LogSettings, configure_logging

DASHBOARD = """query Dashboard {
  me { number balance { amount currencyCode } }
  orders(first: 5) { nodes { number orderDate status lines { sequence number quantity } } }
  invoices(first: 5) { nodes { number dueDate status remainingAmount { amount } } }
}"""


async def timings(requests: int, scale: float) -> tuple[list[float], list[float], int]:
    """CPU seconds per dashboard (the gateway's and the in-process sandbox's: they share the
    process), CPU seconds per scrape, and log lines written per dashboard."""
    sandbox = create_sandbox_app(SandboxConfig(scale=scale))
    development = start_development(Settings(), sandbox=sandbox)
    unlimited = RateLimit(per_minute=10**9, burst=10**9)
    settings = Settings(edge=dataclasses.replace(Settings().edge, rate_limit=unlimited))
    app = create_app(settings, development=development)
    token = mint_for(development, development.customers[0])
    counter = _Counter()
    logging.getLogger().addHandler(counter)
    logging.getLogger("gateway.audit").addHandler(counter)
    per_query: list[float] = []
    per_scrape: list[float] = []
    try:
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gw") as client,
        ):
            headers = {"authorization": f"Bearer {token}"}
            for _ in range(20):  # warm-up: JWKS, currency, parsed documents
                await client.post("/graphql", json={"query": DASHBOARD}, headers=headers)
            counter.count = 0
            for _ in range(requests):
                started = time.process_time()
                response = await client.post("/graphql", json={"query": DASHBOARD}, headers=headers)
                per_query.append(time.process_time() - started)
                assert response.status_code == 200, response.text
                assert "errors" not in response.json(), response.text
            lines = counter.count
            for _ in range(50):
                started = time.process_time()
                await client.get("/metrics")
                per_scrape.append(time.process_time() - started)
    finally:
        logging.getLogger().removeHandler(counter)
        logging.getLogger("gateway.audit").removeHandler(counter)
    return per_query, per_scrape, lines // requests


class _Counter(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--scale", type=float, default=0.1)
    args = parser.parse_args()
    rows = []
    for name, logs in (
        ("logging off", None),
        ("JSON logs + audit to /dev/null", LogSettings(format="json", audit_file=Path("/dev/null"))),
        ("logging off (again)", None),
        ("JSON logs + audit (again)", LogSettings(format="json", audit_file=Path("/dev/null"))),
    ):
        if logs is None:
            logging.config.dictConfig({"version": 1, "disable_existing_loggers": False})
            logging.disable(logging.CRITICAL)
        else:
            logging.disable(logging.NOTSET)
            sys.stdout = open("/dev/null", "w")  # noqa: SIM115 - the log lines' destination
            configure_logging(logs)
        try:
            per_query, per_scrape, lines = asyncio.run(timings(args.requests, args.scale))
        finally:
            if sys.stdout is not sys.__stdout__:
                sys.stdout.close()
                sys.stdout = sys.__stdout__
        rows.append((name, per_query, per_scrape, lines))
    header = f"{'configuration':<34} {'CPU p50 ms':>10} {'CPU p90 ms':>10} {'lines/query':>11}"
    print(f"{header} {'scrape CPU ms':>13}")
    for name, per_query, per_scrape, lines in rows:
        deciles = statistics.quantiles(per_query, n=10)
        print(
            f"{name:<34} {statistics.median(per_query) * 1000:>10.2f} {deciles[8] * 1000:>10.2f} "
            f"{lines:>11} {statistics.median(per_scrape) * 1000:>13.2f}"
        )
    print()
    print(f"{'line':<34} {'µs per line':>11}")
    for name, record in _sample_records():
        started = time.process_time()
        for _ in range(10_000):
            JsonFormatter().format(record)
        print(f"{name:<34} {(time.process_time() - started) / 10_000 * 1e6:>11.1f}")


def _sample_records() -> list[tuple[str, logging.LogRecord]]:
    def record(logger: str, message: str, **extra: object) -> logging.LogRecord:
        made = logging.LogRecord(logger, logging.INFO, __file__, 1, message, None, None)
        made.__dict__.update(extra)
        return made

    call = {"request_id": "a" * 32, "customer": "10000", "company": "c" * 36, "operation": "Dashboard"}
    call |= {"method": "POST", "route": "api/v2.0", "entity_set": "$batch", "status": 200}
    call |= {"duration_ms": 12.3, "rows": 5, "correlation_id": None, "attempt": 1, "batch": ["a", "b"]}
    access = {"request_id": "a" * 32, "method": "POST", "path": "/graphql", "status": 200}
    access |= {"duration_ms": 80.1, "client": "127.0.0.1", "customer": "10000", "company": "c" * 36}
    access |= {"operation": "Dashboard", "operation_type": "query", "outcome": "ok", "error_codes": []}
    access |= {"cost": 42, "bc_calls": 2, "bc_ms": 30.2}
    return [
        ("audit: bc_call", record("gateway.audit.bc", "bc_call", bc_call=call)),
        ("access: request", record("gateway.access", "request", access=access)),
    ]


if __name__ == "__main__":
    main()
