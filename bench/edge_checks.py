"""What the edge's pre-execution checks cost: persisted-query lookup, parse with a token limit,
operation limits and cost, validation — per operation, in microseconds.

Run: .venv/bin/python bench/edge_checks.py [--repeat 2000]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from gateway.edge.gate import Gate
from gateway.edge.incoming import OperationParams, Refused
from gateway.edge.limits import OperationLimits
from gateway.edge.persisted import PersistedQueries
from gateway.schema import schema

DASHBOARD = """query Dashboard { me { number name balance { amount currencyCode } }
  orders(first: 5) { nodes { number status lines { quantity item { number name } } } }
  invoices(first: 5) { nodes { number dueDate remainingAmount { amount } } } }"""
BOMB = (
    "{ me { ...F0 } } "
    + " ".join(f"fragment F{i} on Customer {{ ...F{i + 1} ...F{i + 1} }}" for i in range(40))
    + " fragment F40 on Customer { x: number }"
)
ALIASES = "{ " + " ".join(f"a{i}: me {{ number }}" for i in range(5000)) + " }"


async def measure(gate: Gate, document: str, repeat: int, *, cold: bool = False) -> tuple[float, str]:
    samples = []
    outcome = "accepted"
    for _ in range(repeat):
        if cold:
            gate = Gate(gate.schema, gate.limits, gate.persisted, gate.production)
        started = time.perf_counter()
        try:
            await gate.check(
                OperationParams(document, None, None, None), method="POST", media_type="application/json"
            )
        except Refused as refused:
            outcome = f"refused {refused.response.status_code}"
        samples.append(time.perf_counter() - started)
    return statistics.median(samples) * 1e6, outcome


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=2000)
    asyncio.run(run(parser.parse_args().repeat))


async def run(repeat: int) -> None:
    gate = Gate(schema._schema, OperationLimits(), PersistedQueries("apq"), production=True)
    print(f"{'operation':<28} {'median µs':>10}  outcome")
    micros, outcome = await measure(gate, DASHBOARD, max(1, repeat // 10), cold=True)
    print(f"{'dashboard query, first time':<28} {micros:>10.0f}  {outcome}")
    cases = (
        ("dashboard query, again", DASHBOARD),
        ("fragment bomb (2^40)", BOMB),
        ("5,000 aliases", ALIASES),
    )
    for name, document in cases:
        micros, outcome = await measure(gate, document, repeat)
        print(f"{name:<28} {micros:>10.0f}  {outcome}")


if __name__ == "__main__":
    main()
