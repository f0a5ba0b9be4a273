"""One pipeline: a document is parsed and validated once, its limits are checked on that AST and
the same document executes with the request's Context — no replay into a framework that would
parse and validate it again.

graphql-core's parser and validator are watched with spies that count and call through (nothing
is faked): every parse builds a ``Parser`` and every validation a ``ValidationContext``, whoever
calls them.
"""

from __future__ import annotations

import importlib
import logging
from dataclasses import dataclass
from typing import Any

import graphql.language.parser
import pytest

from tests.edge.conftest import GatewayFactory

pytestmark = pytest.mark.anyio

DASHBOARD = """query Dashboard {
  me { number balance { amount } }
  orders(first: 5) { nodes { number status lines { number quantity item { number name } } } }
  invoices(first: 5) { nodes { number dueDate isOverdue } }
}"""


@dataclass
class Counts:
    parses: int = 0
    validations: int = 0


@pytest.fixture
def graphql_core(monkeypatch: pytest.MonkeyPatch) -> Counts:
    counts = Counts()
    parse_document = graphql.language.parser.Parser.parse_document
    validation = importlib.import_module("graphql.validation.validate")  # the module, not the function
    context_class = validation.ValidationContext

    def counted_parse(parser: graphql.language.parser.Parser) -> Any:
        counts.parses += 1
        return parse_document(parser)

    class CountedValidation(context_class):  # type: ignore[misc, valid-type]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            counts.validations += 1
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(graphql.language.parser.Parser, "parse_document", counted_parse)
    monkeypatch.setattr(validation, "ValidationContext", CountedValidation)
    return counts


@pytest.fixture
def auth(development: Any, token_for: Any) -> dict[str, str]:
    customer = development.customers[0]
    return {"authorization": f"Bearer {token_for(customer.customer_number, customer.company_id)}"}


async def test_a_new_document_is_parsed_and_validated_once_and_a_repeat_neither(
    gateway: GatewayFactory, auth: dict[str, str], graphql_core: Counts
) -> None:
    async with gateway() as client:
        first = await client.post("/graphql", json={"query": DASHBOARD}, headers=auth)
        after_first = Counts(graphql_core.parses, graphql_core.validations)
        again = await client.post("/graphql", json={"query": DASHBOARD}, headers=auth)

    assert first.status_code == again.status_code == 200
    assert "errors" not in first.json()
    # The same data; the repeat may say it was served from kept answers (extensions).
    assert first.json()["data"] == again.json()["data"]
    assert after_first == Counts(parses=1, validations=1)
    assert graphql_core == Counts(parses=1, validations=1)


async def test_a_batch_parses_and_validates_each_new_document_once(
    gateway: GatewayFactory, auth: dict[str, str], graphql_core: Counts
) -> None:
    batch = [{"query": "{ me { number } }"}, {"query": DASHBOARD}, {"query": "{ me { number } }"}]
    async with gateway(batch_limit=5) as client:
        response = await client.post("/graphql", json=batch, headers=auth)

    assert response.status_code == 200
    assert [sorted(result["data"]) for result in response.json()] == [
        ["me"],
        ["invoices", "me", "orders"],
        ["me"],
    ]
    assert graphql_core == Counts(parses=2, validations=2)


async def test_the_operation_name_reaches_the_bc_audit_lines(
    gateway: GatewayFactory, auth: dict[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    async with gateway() as client:
        with caplog.at_level(logging.INFO, logger="gateway.audit.bc"):
            response = await client.post("/graphql", json={"query": DASHBOARD}, headers=auth)

    assert "errors" not in response.json()
    calls = [r.bc_call for r in caplog.records if r.name == "gateway.audit.bc"]  # type: ignore[attr-defined]
    # The customer's calls; the start-up's capability reads ($metadata) are the gateway's own.
    customer_calls = [call for call in calls if call["customer"] is not None]
    assert customer_calls
    assert {call["operation"] for call in customer_calls} == {"Dashboard"}


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            {"query": "query A { me { number } } query B { me { name } }", "operationName": "C"},
            "The document has no operation named 'C'.",
        ),
        (
            {"query": "query A { me { number } } query B { me { name } }"},
            "The document has several operations: name the one to run in `operationName`.",
        ),
    ],
)
async def test_an_operation_the_document_does_not_single_out_is_a_graphql_400(
    gateway: GatewayFactory, auth: dict[str, str], bc_log: Any, body: dict[str, Any], message: str
) -> None:
    async with gateway() as client:
        bc_log.clear()
        response = await client.post(
            "/graphql", json=body, headers={**auth, "accept": "application/graphql-response+json"}
        )

    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/graphql-response+json")
    assert response.json() == {"errors": [{"message": message, "extensions": {"code": "BAD_REQUEST"}}]}
    assert bc_log.entries == []
