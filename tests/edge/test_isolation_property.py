"""Tenant isolation, proved by search: random operations over the whole schema, with random
arguments (injection strings and other customers' document numbers among them), for random
pairs of customers.  No row of another customer may appear, and every BC request must carry
the caller's company and customer filter.

The operations come from introspecting the schema, so fields other features add are covered
without touching this test.  Mutations are left out: they write, and this world is shared.

One app answers every example, customer after customer, with its answer cache and its response
cache on: an answer or a whole response kept for one customer must never reach another
(docs/caching.md) — each example is asked by one customer, then by another with the same
document and variables, then by the first again — and the test checks that kept answers and kept
responses were served.
"""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Coroutine, Iterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLScalarType,
    get_named_type,
    is_abstract_type,
    is_leaf_type,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.applications import Starlette

from gateway.bc import CUSTOMER_OWNED
from gateway.edge.state import gateway_state
from gateway.sandbox.store import SandboxStore
from gateway.schema import schema
from tests.conftest import TODAY
from tests.edge.injection import INJECTIONS
from tests.helpers import rows

GRAPHQL = schema._schema
EXAMPLES = int(os.environ.get("ISOLATION_EXAMPLES", "500"))
DOCUMENT_SETS = ("salesOrders", "salesInvoices", "salesShipments", "salesCreditMemos")
MAX_DEPTH = 3


def owners(store: SandboxStore) -> dict[tuple[str, str], set[str]]:
    """(company, customer) → the numbers of that customer's documents."""
    owned: dict[tuple[str, str], set[str]] = {}
    for company in (c["id"] for c in store.companies):
        for entity_set in DOCUMENT_SETS:
            try:
                table = rows(store, company, entity_set)
            except KeyError:
                continue
            for row in table:
                owned.setdefault((company, row["customerNumber"]), set()).add(row["number"])
    return owned


def scalar_values(scalar: GraphQLScalarType, name: str, words: list[str]) -> st.SearchStrategy[Any]:
    if scalar.name in ("String", "ID"):
        return st.one_of(st.sampled_from(words), st.text(max_size=12))
    if scalar.name == "Int":
        return st.integers(1, 5) if name in ("first", "last") else st.integers(-5, 100)
    if scalar.name == "Float":
        return st.floats(-10, 10, allow_nan=False)
    if scalar.name == "Boolean":
        return st.booleans()
    if scalar.name == "Date":
        return st.integers(-400, 30).map(lambda days: (TODAY + timedelta(days=days)).isoformat())
    if scalar.name == "Decimal":
        return st.sampled_from(["1", "0.5", "10"])
    return st.sampled_from(words)


def values(kind: GraphQLInputType, name: str, words: list[str]) -> st.SearchStrategy[Any]:
    if isinstance(kind, GraphQLNonNull):
        return values(kind.of_type, name, words)
    if isinstance(kind, GraphQLList):
        return st.lists(values(kind.of_type, name, words), max_size=2)
    if isinstance(kind, GraphQLEnumType):
        return st.sampled_from(sorted(kind.values))
    if isinstance(kind, GraphQLInputObjectType):
        return st.fixed_dictionaries(
            {
                k: values(f.type, k, words)
                for k, f in kind.fields.items()
                if isinstance(f.type, GraphQLNonNull)
            },
            optional={
                k: values(f.type, k, words)
                for k, f in kind.fields.items()
                if not isinstance(f.type, GraphQLNonNull)
            },
        )
    assert isinstance(kind, GraphQLScalarType)
    return scalar_values(kind, name, words)


class OperationBuilder:
    """Draws a query document and its variables from the schema."""

    def __init__(self, draw: st.DrawFn, words: list[str]) -> None:
        self.draw = draw
        self.words = words
        self.variables: dict[str, Any] = {}
        self.definitions: list[str] = []

    def arguments(self, field: GraphQLField) -> str:
        passed = []
        for name, argument in field.args.items():
            if not isinstance(argument.type, GraphQLNonNull) and not self.draw(st.booleans()):
                continue
            variable = f"v{len(self.variables)}"
            self.variables[variable] = self.draw(values(argument.type, name, self.words))
            self.definitions.append(f"${variable}: {argument.type}")
            passed.append(f"{name}: ${variable}")
        return f"({', '.join(passed)})" if passed else ""

    def selection(self, kind: Any, depth: int) -> str:
        named = get_named_type(kind)
        if is_abstract_type(named):
            fragments = [
                f"... on {possible.name} {{ {self.selection(possible, depth)} }}"
                for possible in GRAPHQL.get_possible_types(named)
            ]
            return "__typename " + " ".join(fragments)
        fields = sorted(named.fields.items())
        chosen = self.draw(
            st.lists(st.sampled_from(fields), min_size=1, max_size=4, unique_by=lambda f: f[0])
        )
        parts = []
        for name, field in chosen:
            inner = get_named_type(field.type)
            if is_leaf_type(inner):
                parts.append(f"{name}{self.arguments(field)}")
            elif depth < MAX_DEPTH:
                parts.append(f"{name}{self.arguments(field)} {{ {self.selection(field.type, depth + 1)} }}")
        return " ".join(parts) or "__typename"

    def operation(self) -> str:
        query = GRAPHQL.query_type
        assert query is not None
        names = self.draw(
            st.lists(st.sampled_from(sorted(query.fields)), min_size=1, max_size=3, unique=True)
        )
        fields = []
        for name in names:
            field = query.fields[name]
            arguments = self.arguments(field)
            if is_leaf_type(get_named_type(field.type)):
                fields.append(f"{name}{arguments}")
            else:
                fields.append(f"{name}{arguments} {{ {self.selection(field.type, 1)} }}")
        header = f"({', '.join(self.definitions)})" if self.definitions else ""
        return f"query Random{header} {{ {' '.join(fields)} }}"


async def settled(request: Coroutine[Any, Any, httpx.Response]) -> httpx.Response:
    """The response, after every task the request started has finished.

    When one field fails, graphql-core answers without waiting for its siblings; their BC
    requests would otherwise land in the next example's request log.
    """
    before = asyncio.all_tasks()
    response = await request
    started = asyncio.all_tasks() - before - {asyncio.current_task()}
    if started:
        await asyncio.wait(started, timeout=30)
    return response


def strings_in(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings_in(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings_in(item)


@pytest.mark.slow
def test_random_operations_never_show_another_customers_rows(
    gateway_app: Starlette, shared_store: SandboxStore, token_for: Any, bc_log: Any
) -> None:
    owned = owners(shared_store)
    customers = sorted(key for key, numbers in owned.items() if len(numbers) >= 3)
    pairs = [(a, b) for a in customers[:6] for b in customers[:6] if a != b]
    all_numbers = sorted({number for numbers in owned.values() for number in numbers})
    words = [*INJECTIONS, *all_numbers[:: max(1, len(all_numbers) // 40)]]
    tokens = {key: token_for(key[1], key[0]) for key in customers[:6]}
    loop = asyncio.new_event_loop()
    lifespan = gateway_app.router.lifespan_context(gateway_app)
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=gateway_app), base_url="http://gateway.test")
    loop.run_until_complete(lifespan.__aenter__())

    @st.composite
    def operations(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
        builder = OperationBuilder(draw, words)
        document = builder.operation()
        return document, builder.variables

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        derandomize=True,
    )
    @given(pair=st.sampled_from(pairs), operation=operations())
    def check(pair: tuple[tuple[str, str], tuple[str, str]], operation: tuple[str, dict[str, Any]]) -> None:
        # The first customer asks, then the second the very same document with the very same
        # variables, then the first again (from the response cache when it kept the answer):
        # a response kept for one customer must never answer another.
        first, second = pair
        for company, customer in (first, second, first):
            ask_as(company, customer, *operation)

    def ask_as(company: str, customer: str, document: str, variables: dict[str, Any]) -> None:
        bc_log.clear()
        response = loop.run_until_complete(
            settled(
                client.post(
                    "/graphql",
                    json={"query": document, "variables": variables},
                    headers={"authorization": f"Bearer {tokens[(company, customer)]}"},
                )
            )
        )
        body = response.json()
        foreign = {
            number for key, numbers in owned.items() if key != (company, customer) for number in numbers
        }
        leaked = set(strings_in(body.get("data"))) & (foreign - owned.get((company, customer), set()))
        assert not leaked, (document, variables, leaked)
        if isinstance(body.get("data"), dict) and isinstance(body["data"].get("me"), dict):
            assert body["data"]["me"].get("number", customer) == customer
        for entry in bc_log.entries:
            # A $batch envelope names no company; each read inside it is logged (and checked) itself.
            if entry.entity_set in (None, "companies", "$batch"):
                continue
            assert f"companies({company})" in entry.path or f"company={company}" in entry.query_string, (
                entry.path
            )
            field = CUSTOMER_OWNED.get(entry.entity_set, "not customer-owned")
            assert field is not None, f"{entry.entity_set} read directly instead of through a scoped parent"
            if field != "not customer-owned":
                assert f"{field} eq '{customer}'" in (entry.filter or ""), (entry.entity_set, entry.filter)

    try:
        check()
        answers = gateway_state(gateway_app).bc.answers
        assert answers is not None
        served_kept = sum(count for (_, outcome), count in answers.stats.items() if outcome == "hit")
        assert served_kept > 0  # the property held with kept answers in play
        responses = gateway_state(gateway_app).responses
        assert responses is not None
        assert responses.stats["hit"] > 0  # and with whole responses kept
    finally:
        loop.run_until_complete(client.aclose())
        loop.run_until_complete(lifespan.__aexit__(None, None, None))
        loop.close()


def test_the_generator_reaches_every_root_field() -> None:
    query = GRAPHQL.query_type
    assert query is not None
    assert {"me", "orders", "invoices", "shipments", "items"} <= set(query.fields)
    json.dumps(INJECTIONS)
