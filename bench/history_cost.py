"""What a page of history costs BC, by the customer's history size (issue 11, item 5).

Builds the demo world with customers of 1,000, 10,000 and 50,000 orders in the last 12 months
(SANDBOX_LONG_HISTORIES; the build takes a minute or more), then, through the gateway with nothing
kept between operations (GATEWAY_CACHE=off), asks each of them — and a regular customer — for:

- `orders(first: 20)` page 1, and page 10 (pages 2–9 walked first, not counted);
- a one-month statement (last month) and a twelve-month one;

and prints BC's rows answered (the sandbox's request log: top-level entities of each read) and
the reads BC processed, per customer.  Rows for a page should not grow with the history.

Run: .venv/bin/python bench/history_cost.py [--scale 0.2] [--long 1000,10000,50000] [--out PATH]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import platform
import sys
import time
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from gateway.app import create_app
from gateway.bc import CacheSettings, ResilienceSettings
from gateway.edge.config import EdgeSettings
from gateway.edge.development import mint_for, start_development
from gateway.edge.ratelimit import RateLimit
from gateway.sandbox.app import create_sandbox_app, sandbox_of
from gateway.sandbox.config import SandboxConfig
from gateway.sandbox.store import STANDARD_ROUTE
from gateway.settings import Settings

TODAY = dt.date(2026, 6, 15)
ORDERS = """query($after: String) { orders(first: 20, after: $after) {
  nodes { number orderDate status totalIncludingTax { amount } } pageInfo { endCursor } } }"""
STATEMENT = """query($from: Date!, $to: Date) { statement(from: $from, to: $to) {
  openingBalance { amount } closingBalance { amount } entries { postingDate } } }"""
SETTINGS = Settings(
    cache=CacheSettings(enabled=False),
    edge=EdgeSettings(rate_limit=RateLimit(per_minute=10**9, burst=10**9)),
    # A twelve-month statement of the longest history is one large answer, read in one process
    # with the sandbox: the operation may take longer than BC's usual 30 s deadline here.
    bc_resilience=ResilienceSettings(operation_deadline_seconds=600.0),
)
RESULTS = Path(__file__).resolve().parent / "results" / "history_cost.md"


class Measured:
    def __init__(self, log: Any) -> None:
        self.log = log

    def take(self) -> tuple[int, int]:
        """(rows answered, reads processed) since the last call; a $batch envelope is no read."""
        entries = [e for e in self.log.entries if e.entity_set not in (None, "$batch")]
        rows = sum(e.rows or 0 for e in entries)
        self.log.clear()
        return rows, len(entries)


async def ask(client: httpx.AsyncClient, token: str, query: str, variables: dict[str, Any]) -> dict[str, Any]:
    response = await client.post(
        "/graphql",
        json={"query": query, "variables": variables},
        headers={"authorization": f"Bearer {token}"},
    )
    body: dict[str, Any] = response.json()
    assert "errors" not in body, body
    return body["data"]


async def measure_customer(client: httpx.AsyncClient, token: str, measured: Measured) -> dict[str, str]:
    measured.take()
    row: dict[str, str] = {}
    after = None
    for page in range(1, 11):
        data = await ask(client, token, ORDERS, {"after": after})
        rows, reads = measured.take()
        if page in (1, 10):
            row[f"orders page {page}: rows / reads"] = f"{rows:,} / {reads}"
        after = data["orders"]["pageInfo"]["endCursor"]
        if after is None:
            row.setdefault("orders page 10: rows / reads", "(fewer than 10 pages)")
            break
    for label, days in (("statement, last month", 30), ("statement, 12 months", 365)):
        end = TODAY - dt.timedelta(days=15) if days == 30 else TODAY
        start = end - dt.timedelta(days=days)
        await ask(client, token, STATEMENT, {"from": start.isoformat(), "to": end.isoformat()})
        rows, reads = measured.take()
        row[f"{label}: rows / reads"] = f"{rows:,} / {reads}"
    return row


async def main(scale: float, long_histories: tuple[int, ...]) -> list[tuple[str, dict[str, str]]]:
    started = time.perf_counter()
    config = SandboxConfig(seed=42, scale=scale, today=TODAY, long_histories=long_histories)
    sandbox = create_sandbox_app(config)
    print(f"world built in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    store = sandbox_of(sandbox).store
    development = start_development(SETTINGS, sandbox=sandbox)
    app = create_app(SETTINGS, development=development, today=lambda: TODAY)
    measured = Measured(sandbox_of(sandbox).log)
    company = store.companies[0]["id"]
    orders = store.table(company, STANDARD_ROUTE, "salesOrders")
    regular = max(
        (
            c
            for c in development.customers
            if str(c.company_id) == company and not c.customer_number.startswith("LONG")
        ),
        key=lambda c: sum(1 for o in orders if o["customerNumber"] == c.customer_number),
    )
    chosen = [(f"regular ({regular.customer_number})", regular)]
    for count in long_histories:
        customer = next(c for c in development.customers if c.customer_number == f"LONG-{count}")
        chosen.append((f"{count:,} orders in 12 months", customer))
    table = []
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gateway.bench") as client,
    ):
        for label, customer in chosen:
            table.append((label, await measure_customer(client, mint_for(development, customer), measured)))
    return table


def markdown(table: list[tuple[str, dict[str, str]]], scale: float) -> str:
    columns = list(table[0][1])
    lines = [
        f"`bench/history_cost.py --scale {scale:g}` — {dt.date.today().isoformat()}, "
        f"{platform.machine()} {platform.system()}, Python {platform.python_version()}, "
        "gateway and sandbox in one process, nothing kept between operations",
        "",
        "| customer | " + " | ".join(columns) + " |",
        "| --- | " + " | ".join("---:" for _ in columns) + " |",
    ]
    lines += [f"| {label} | " + " | ".join(row.get(c, "") for c in columns) + " |" for label, row in table]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scale", type=float, default=0.2)
    parser.add_argument("--long", default="1000,10000,50000")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    counts = tuple(int(part) for part in args.long.split(",") if part)
    result = markdown(asyncio.run(main(args.scale, counts)), args.scale)
    print(result)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(result)
