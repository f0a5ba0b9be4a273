"""What the edge's pre-execution checks cost: persisted-query lookup, parse with a token limit,
operation limits and cost, validation — per operation, in microseconds; and what the resolvers'
selection look-ahead costs on a fragment bomb that limits set out of the way would let through.

Run: .venv/bin/python bench/edge_checks.py [--repeat 2000]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path

from graphql import FieldNode, FragmentDefinitionNode, OperationDefinitionNode, parse

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from gateway.edge.gate import Gate
from gateway.edge.incoming import OperationParams, Refused
from gateway.edge.limits import OperationLimits
from gateway.edge.persisted import PersistedQueries
from gateway.schema import schema
from gateway.schema.lookahead import LINE_ITEM_PATHS, Lookahead

DASHBOARD = """query Dashboard { me { number name balance { amount currencyCode } }
  orders(first: 5) { nodes { number status lines { quantity item { number name } } } }
  invoices(first: 5) { nodes { number dueDate remainingAmount { amount } } } }"""
BOMB = (
    "{ me { ...F0 } } "
    + " ".join(f"fragment F{i} on Customer {{ ...F{i + 1} ...F{i + 1} }}" for i in range(40))
    + " fragment F40 on Customer { x: number }"
)
# Issue 9's bomb: no alias and nothing but a scalar below 2^21 spreads (it used to cost 1).
SCALAR_BOMB = (
    "query { me { ...C0 } } "
    + " ".join(f"fragment C{i} on Customer {{ ...C{i + 1} ...C{i + 1} }}" for i in range(20))
    + " fragment C20 on Customer { number }"
)
ALIASES = "{ " + " ".join(f"a{i}: me {{ number }}" for i in range(5000)) + " }"
# Validation compares same-named fields pairwise: this took it a second before it was counted.
REPEATED = "{ me { " + "address { city } " * 450 + "} }"


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


def lookahead_bomb(repeat: int) -> float:
    """Median µs for the orders resolver's question ("are lines' items selected?") over a 2^40 bomb."""
    document = parse(
        "{ orders { ...F0 } } "
        + " ".join(f"fragment F{i} on SalesOrderConnection {{ ...F{i + 1} ...F{i + 1} }}" for i in range(40))
        + " fragment F40 on SalesOrderConnection { nodes { lines { item { number } } } }"
    )
    operation = next(d for d in document.definitions if isinstance(d, OperationDefinitionNode))
    root = operation.selection_set.selections[0]
    assert isinstance(root, FieldNode)
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        lookahead = Lookahead(fragments)
        assert any(lookahead.under([root], tuple(path.split("."))) for path in LINE_ITEM_PATHS)
        samples.append(time.perf_counter() - started)
    return statistics.median(samples) * 1e6


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
        ("scalar fragment bomb (2^21)", SCALAR_BOMB),
        ("5,000 aliases", ALIASES),
        ("450 repeated fields", REPEATED),
    )
    for name, document in cases:
        micros, outcome = await measure(gate, document, repeat)
        print(f"{name:<28} {micros:>10.0f}  {outcome}")
    micros = lookahead_bomb(max(1, repeat // 10))
    print(f"{'look-ahead, 2^40 bomb':<28} {micros:>10.0f}  answered (limits lifted)")


if __name__ == "__main__":
    main()
