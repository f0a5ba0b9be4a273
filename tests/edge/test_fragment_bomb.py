"""The nested-fragment bomb (``F0 → 2 × F1 → 4 × F2 …``) through every object type a client can
reach, found in the schema: the operation limits count every expansion of a spread and refuse it
before anything runs; and where limits would let it through, the resolvers' look-ahead answers it
without expanding it."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from typing import Any

import pytest
from graphql import GraphQLNonNull, GraphQLObjectType, get_named_type, is_abstract_type

from gateway.edge.limits import OperationLimits
from gateway.edge.ratelimit import RateLimit
from tests.edge.conftest import GatewayFactory
from tests.edge.schema_inputs import GRAPHQL, literal, placeholder

pytestmark = pytest.mark.anyio

CUSTOMER = "10000"
# 2^14 - 1 spreads: well past the default cost budget, small enough that a gateway which does
# not count spreads answers it in well under a second (so this test fails there, not hangs).
REFUSED_LEVELS = 13
# 2^41 - 1 spreads, let through by limits set out of the way: only a look-ahead that never
# expands fragments answers this (the one of issue 9 needed 40 s and a gigabyte for 2^21).
ANSWERED_LEVELS = 40


def _step(parent: GraphQLObjectType, name: str) -> str:
    arguments = [
        f"{arg}: {literal(definition.type, placeholder(definition.type, arg))}"
        for arg, definition in parent.fields[name].args.items()
        if isinstance(definition.type, GraphQLNonNull)
    ]
    return f"{name}({', '.join(arguments)})" if arguments else name


def reachable_types(root: GraphQLObjectType) -> Iterator[tuple[str, list[str]]]:
    """Every object type reachable from ``root``, with the shortest selection path to it."""
    paths: dict[str, list[str]] = {root.name: []}
    queue = deque([root])
    while queue:
        parent = queue.popleft()
        for name in sorted(parent.fields):
            named = get_named_type(parent.fields[name].type)
            inner = GRAPHQL.get_possible_types(named) if is_abstract_type(named) else [named]
            for target in inner:
                if isinstance(target, GraphQLObjectType) and target.name not in paths:
                    via = [f"... on {target.name}"] if is_abstract_type(named) else []
                    paths[target.name] = [*paths[parent.name], _step(parent, name), *via]
                    queue.append(target)
    yield from sorted(paths.items())


def bomb(type_name: str, path: list[str], levels: int, *, operation: str = "query") -> str:
    spread = "...B0"
    for step in reversed(path):
        spread = f"{step} {{ {spread} }}"
    fragments = " ".join(f"fragment B{i} on {type_name} {{ ...B{i + 1} ...B{i + 1} }}" for i in range(levels))
    return f"{operation} {{ {spread} }} {fragments} fragment B{levels} on {type_name} {{ __typename }}"


assert GRAPHQL.query_type is not None
assert GRAPHQL.mutation_type is not None
assert GRAPHQL.subscription_type is not None
READS = list(reachable_types(GRAPHQL.query_type))
WRITES = [(t, p) for t, p in reachable_types(GRAPHQL.mutation_type) if t not in dict(READS)]
# A subscription is checked by the same gate, over HTTP (then refused) as over WebSocket.
LIVE = [
    (t, p)
    for t, p in reachable_types(GRAPHQL.subscription_type)
    if t not in dict(READS) and t not in dict(WRITES)
]
EVERY_TYPE = [
    *((t, p, "query") for t, p in READS),
    *((t, p, "mutation") for t, p in WRITES),
    *((t, p, "subscription") for t, p in LIVE),
]


def test_the_walk_reaches_every_object_type_of_the_schema() -> None:
    objects = {
        name
        for name, kind in GRAPHQL.type_map.items()
        if isinstance(kind, GraphQLObjectType) and not name.startswith("__")
    }
    assert {t for t, _, _ in EVERY_TYPE} == objects
    assert {"Customer", "SalesOrderLine", "Item", "Shipment", "WriteError"} <= objects


@pytest.mark.parametrize(("type_name", "path", "operation"), EVERY_TYPE, ids=[t for t, _, _ in EVERY_TYPE])
async def test_the_bomb_is_refused_before_execution_on_every_type(
    type_name: str, path: list[str], operation: str, gateway: GatewayFactory, token_for: Any, bc_log: Any
) -> None:
    document = bomb(type_name, path, REFUSED_LEVELS, operation=operation)
    async with gateway() as client:
        bc_log.clear()
        response = await client.post(
            "/graphql",
            json={"query": document},
            headers={"authorization": f"Bearer {token_for(CUSTOMER)}"},
        )
    body = response.json()
    assert response.status_code == 400, body
    [error] = body["errors"]
    assert error["extensions"]["code"] == "OPERATION_LIMIT_EXCEEDED"
    # On a root type the expansions are root fields, counted (and refused) as such.
    assert error["extensions"]["limit"] == ("rootFields" if not path else "cost")
    assert bc_log.entries == []


@pytest.mark.parametrize(("type_name", "path"), READS, ids=[t for t, _ in READS])
async def test_a_bomb_within_the_limits_is_answered_without_expanding_it(
    type_name: str, path: list[str], gateway: GatewayFactory, token_for: Any
) -> None:
    widest = OperationLimits(cost_budget=10**18, max_root_fields=10**18, max_repeated_fields=10**18)
    unlimited = RateLimit(per_minute=10**9, burst=10**9)
    async with gateway(limits=widest, rate_limit=unlimited) as client:
        response = await client.post(
            "/graphql",
            json={"query": bomb(type_name, path, ANSWERED_LEVELS)},
            headers={"authorization": f"Bearer {token_for(CUSTOMER)}"},
        )
    body = response.json()
    assert response.status_code == 200, body
    codes = {error["extensions"]["code"] for error in body.get("errors", [])}
    # Placeholder arguments may find nothing or be refused; the answer itself is what counts.
    assert codes <= {"BAD_USER_INPUT", "CAPABILITY_UNAVAILABLE"}, body
    assert "data" in body
