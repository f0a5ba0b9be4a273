"""The OData-injection catalogue through every String argument the schema has (found by
introspection, so arguments that later features add are covered too): each value reaches BC,
if at all, as data inside one escaped literal — never as a query option, never unscoped."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest
from graphql import (
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLScalarType,
    get_named_type,
    is_leaf_type,
)

from gateway.bc import CUSTOMER_OWNED
from gateway.sandbox.store import SandboxStore
from gateway.schema import schema
from tests.edge.injection import INJECTIONS
from tests.edge.test_tenant_isolation import two_customers
from tests.helpers import customer_rows

pytestmark = pytest.mark.anyio

GRAPHQL = schema._schema
# $schemaversion: the gateway's own "2.1" where a filter nests tolower() in contains() (item search).
ODATA_OPTIONS = {
    "$filter",
    "$select",
    "$expand",
    "$orderby",
    "$top",
    "$skip",
    "$count",
    "company",
    "$schemaversion",
}


def string_arguments() -> Iterator[tuple[str, tuple[str, ...]]]:
    """(root query field, path to a String argument, through input objects)."""
    query = GRAPHQL.query_type
    assert query is not None
    for name, field in sorted(query.fields.items()):
        for argument, kind in sorted(field.args.items()):
            for path in _string_paths(kind.type, (argument,)):
                yield name, path


def _string_paths(kind: GraphQLInputType, path: tuple[str, ...]) -> Iterator[tuple[str, ...]]:
    if isinstance(kind, (GraphQLNonNull, GraphQLList)):
        yield from _string_paths(kind.of_type, path)
    elif isinstance(kind, GraphQLInputObjectType):
        for name, field in sorted(kind.fields.items()):
            yield from _string_paths(field.type, (*path, name))
    elif isinstance(kind, GraphQLScalarType) and kind.name in ("String", "ID"):
        yield path


def required_arguments(field: GraphQLField, skip: str) -> dict[str, Any]:
    """Placeholder values for the other required arguments of a field."""
    values: dict[str, Any] = {}
    for name, argument in field.args.items():
        if name != skip and isinstance(argument.type, GraphQLNonNull):
            named = get_named_type(argument.type)
            values[name] = "X" if isinstance(named, GraphQLScalarType) else {}
    return values


def nest(path: tuple[str, ...], value: str, kind: GraphQLInputType) -> Any:
    """``value`` placed at ``path`` (lists get one element)."""
    if isinstance(kind, GraphQLNonNull):
        return nest(path, value, kind.of_type)
    if isinstance(kind, GraphQLList):
        return [nest(path, value, kind.of_type)]
    if not path:
        return value
    assert isinstance(kind, GraphQLInputObjectType)
    return {path[0]: nest(path[1:], value, kind.fields[path[0]].type)}


CASES = sorted(string_arguments())


def test_the_catalogue_reaches_the_string_arguments_of_every_feature() -> None:
    fields = {field for field, _ in CASES}
    assert {"order", "invoice", "shipment", "item", "items"} <= fields
    assert len(INJECTIONS) >= 25


@pytest.mark.parametrize(("field", "path"), CASES, ids=[f"{f}.{'.'.join(p)}" for f, p in CASES])
async def test_every_injection_stays_a_literal_and_the_request_stays_scoped(
    field: str,
    path: tuple[str, ...],
    client: httpx.AsyncClient,
    shared_store: SandboxStore,
    token_for: Any,
    bc_log: Any,
) -> None:
    company, a, b = two_customers(shared_store)
    definition = GRAPHQL.query_type.fields[field]  # type: ignore[union-attr]
    argument = definition.args[path[0]]
    selection = "" if is_leaf_type(get_named_type(definition.type)) else " { __typename }"
    others = required_arguments(definition, path[0])
    declared = ", ".join([f"$v: {argument.type}", *(f"${n}: {definition.args[n].type}" for n in others)])
    passed = ", ".join([f"{path[0]}: $v", *(f"{n}: ${n}" for n in others)])
    document = f"query Injected({declared}) {{ {field}({passed}){selection} }}"
    theirs = {row["number"] for row in customer_rows(shared_store, company, "salesOrders", b)}
    headers = {"authorization": f"Bearer {token_for(a, company)}"}
    for injection in INJECTIONS:
        bc_log.clear()
        variables = {"v": nest(path[1:], injection, argument.type), **others}
        response = await client.post(
            "/graphql", json={"query": document, "variables": variables}, headers=headers
        )
        body = response.json()
        codes = {error.get("extensions", {}).get("code") for error in body.get("errors", [])}
        assert "INTERNAL_ERROR" not in codes, (injection, body)
        shown = json.dumps(body.get("data"))
        assert [number for number in theirs if f'"{number}"' in shown] == [], injection
        for entry in bc_log.entries:
            options = parse_qs(entry.query_string, keep_blank_values=True)
            assert set(options) <= ODATA_OPTIONS, (injection, options)
            assert all(len(values) == 1 for values in options.values()), (injection, options)
            scope_field = CUSTOMER_OWNED.get(entry.entity_set or "")
            if scope_field:
                assert f"{scope_field} eq '{a}'" in (entry.filter or ""), (injection, entry.filter)
