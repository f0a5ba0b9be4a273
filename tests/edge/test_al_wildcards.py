"""AL's filter operators through every String (and ID) argument and input field of the schema,
queries and mutations alike, found by introspection: a value holding one is either refused before
BC (no BC request at all) or reaches BC only where BC reads it literally — never inside a
``$filter`` string literal, where BC would read ``CQ-0002*`` or ``105814|105822`` as a pattern
(REFERENCE §14).  The sandbox reads such literals as BC does, so a leak would find rows."""

from __future__ import annotations

import itertools
import re
from typing import Any
from urllib.parse import unquote

import httpx
import pytest
from graphql import GraphQLScalarType

from gateway.sandbox.store import PORTAL_ROUTE, STANDARD_ROUTE, SandboxStore
from tests.edge.schema_inputs import Path, default_fill, input_paths, operation_with
from tests.edge.writes_support import customer, items
from tests.helpers import customer_rows

pytestmark = [pytest.mark.anyio, pytest.mark.writes]

OPERATORS = ["*", "?", "|", "@", "&", "..", "<", ">", "=", "(", ")", "'"]


CASES = input_paths({"String", "ID"})


def test_the_walk_finds_the_inputs_the_issue_names() -> None:
    found = {(field, ".".join(path)) for _, field, path in CASES}
    assert {
        ("replyToQuery", "input.queryNumber"),
        ("shipments", "filter.orderNumber"),
        ("invoice", "number"),
        ("creditMemo", "number"),
        ("shipment", "number"),
        ("item", "number"),
        ("placeOrder", "input.lines.itemNumber"),
        ("submitQuery", "input.relatedDocument.number"),
    } <= found


def customers(store: SandboxStore, company: str) -> list[dict[str, Any]]:
    return [r for r in store.table(company, STANDARD_ROUTE, "customers") if r["blocked"] == "_x0020_"]


class World:
    """Real values of one customer, so that everything but the value under test is valid."""

    def __init__(self, store: SandboxStore) -> None:
        self.company, first_open = customer(store)
        every_query = store.table(self.company, PORTAL_ROUTE, "customerQueries")
        # A customer who may order and has a query of their own to reply to.
        may_order = {first_open} | {r["number"] for r in customers(store, self.company)}
        self.customer = next(
            (r["customerNumber"] for r in every_query if r["customerNumber"] in may_order), first_open
        )
        mine = lambda entity_set: customer_rows(store, self.company, entity_set, self.customer)  # noqa: E731
        queries = [r for r in every_query if r["customerNumber"] == self.customer]
        invoices = mine("salesInvoices")
        self.values = {
            "itemNumber": items(store, self.company)[0]["number"],
            "queryNumber": queries[0]["number"] if queries else "CQ-00001",
            "orderNumber": invoices[0]["orderNumber"],
            "invoiceNumber": invoices[0]["number"],
            "number": invoices[0]["number"],
        }

    def value(self, name: str) -> str:
        return self.values.get(name, "Hello")

    def fill(self, name: str, kind: GraphQLScalarType) -> Any:
        return self.value(name) if kind.name in ("String", "ID") else default_fill(name, kind)


_STRING_LITERAL = re.compile(r"'((?:[^']|'')*)'")


def patterns_sent(log: Any) -> list[str]:
    """String literals in the query options BC received that BC would read as AL patterns."""
    found = []
    for entry in log.entries:
        options = unquote(entry.query_string)
        for match in _STRING_LITERAL.finditer(options):
            text = match.group(1).replace("''", "'")
            if any(operator in text for operator in OPERATORS):
                found.append(text)
    return found


@pytest.mark.parametrize(
    ("operation", "field", "path"), CASES, ids=[f"{f}.{'.'.join(p)}" for _, f, p in CASES]
)
async def test_an_al_operator_is_refused_before_bc_or_sent_only_as_a_literal(
    operation: str,
    field: str,
    path: Path,
    client: httpx.AsyncClient,
    store: SandboxStore,
    token_for: Any,
    bc_log: Any,
) -> None:
    world = World(store)
    headers = {"authorization": f"Bearer {token_for(world.customer, world.company)}"}
    keys = itertools.count()
    for operator in OPERATORS:
        wild = world.value(path[-1]) + operator
        query, variables = operation_with(operation, field, path, wild, world.fill)
        bc_log.clear()
        response = await client.post(
            "/graphql",
            json={"query": query, "variables": variables},
            headers={**headers, "idempotency-key": f"wild-{field}-{next(keys)}"},
        )
        body = response.json()
        assert response.status_code == 200, (wild, body)
        codes = {error["extensions"]["code"] for error in body.get("errors", [])}
        assert not codes & {"INTERNAL_ERROR", "GRAPHQL_VALIDATION_FAILED"}, (wild, body)
        assert patterns_sent(bc_log) == [], (wild, [e.query_string for e in bc_log.entries])
        answer = (body.get("data") or {}).get(field) or {}
        refused = "BAD_USER_INPUT" in codes or answer.get("__typename") == "WriteError"
        if refused and answer.get("code") not in ("BC_REJECTED", "BC_UNAVAILABLE"):
            assert bc_log.entries == [], (wild, body, [e.query_string for e in bc_log.entries])
