"""The abuse catalogue: every abusive request is refused before execution, with no BC request."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.edge.conftest import GatewayFactory

pytestmark = pytest.mark.anyio

ALIASES = "{ " + " ".join(f"a{i}: me {{ number }}" for i in range(200)) + " }"
DEEP = "{ orders { nodes { lines { item { " + "__typename " + "} } } } }"
NESTED_TOO_DEEP = "{ me " + "{ __typename " * 400 + "}" * 401
BOMB = (
    "{ me { ...F0 } } "
    + " ".join(f"fragment F{i} on Customer {{ ...F{i + 1} ...F{i + 1} }}" for i in range(40))
    + " fragment F40 on Customer { x: number }"
)
MANY_FIELDS = "{ " + " ".join(f"f{i}: __typename" for i in range(50)) + " }"
TOKENS = "{ me { " + "number " * 5000 + "} }"
DIRECTIVES = "{ me { number " + "@include(if: true) " * 50 + "} }"
COSTLY = (
    "{ "
    + " ".join(
        f"{field}(first: 100) {{ nodes {{ lines {{ item {{ number }} }} }} }}"
        for field in ("orders", "invoices", "shipments")
    )
    + " }"
)

# name -> (request keyword arguments for client.request, expected status, expected code)
CATALOGUE: dict[str, tuple[dict[str, Any], int, str]] = {
    "alias flood": ({"json": {"query": ALIASES}}, 400, "OPERATION_LIMIT_EXCEEDED"),
    "deep nesting": ({"json": {"query": NESTED_TOO_DEEP}}, 400, "OPERATION_LIMIT_EXCEEDED"),
    "fragment bomb": ({"json": {"query": BOMB}}, 400, "OPERATION_LIMIT_EXCEEDED"),
    "too many root fields": ({"json": {"query": MANY_FIELDS}}, 400, "OPERATION_LIMIT_EXCEEDED"),
    "too many tokens": ({"json": {"query": TOKENS}}, 400, "OPERATION_LIMIT_EXCEEDED"),
    "directive flood": ({"json": {"query": DIRECTIVES}}, 400, "OPERATION_LIMIT_EXCEEDED"),
    "over the cost budget": ({"json": {"query": COSTLY}}, 400, "OPERATION_LIMIT_EXCEEDED"),
    "huge first": (
        {"json": {"query": "{ orders(first: 1000000) { nodes { number } } }"}},
        400,
        "OPERATION_LIMIT_EXCEEDED",
    ),
    "huge first in a variable": (
        {
            "json": {
                "query": "query($n: Int) { items(first: $n) { nodes { number } } }",
                "variables": {"n": 10**9},
            }
        },
        400,
        "OPERATION_LIMIT_EXCEEDED",
    ),
    "document too long": (
        {"json": {"query": "{ me { number } }" + " " * 30_000}},
        400,
        "OPERATION_LIMIT_EXCEEDED",
    ),
    "array batching": ({"json": [{"query": "{ me { number } }"}] * 2}, 400, "BATCHING_DISABLED"),
    "huge body": (
        {"content": json.dumps({"query": "{ me { number } }", "variables": {"x": "a" * 200_000}})},
        413,
        "PAYLOAD_TOO_LARGE",
    ),
    "text/plain body (CSRF simple request)": (
        {"content": '{"query": "{ me { number } }"}', "headers": {"content-type": "text/plain"}},
        415,
        "UNSUPPORTED_MEDIA_TYPE",
    ),
    "form body (CSRF simple request)": (
        {
            "content": "query=%7B+me+%7B+number+%7D+%7D",
            "headers": {"content-type": "application/x-www-form-urlencoded"},
        },
        415,
        "UNSUPPORTED_MEDIA_TYPE",
    ),
    "multipart body": (
        {"content": "--x\r\n\r\n--x--", "headers": {"content-type": "multipart/form-data; boundary=x"}},
        415,
        "UNSUPPORTED_MEDIA_TYPE",
    ),
    "no content type": (
        {"content": '{"query": "{ me { number } }"}', "headers": {"content-type": ""}},
        415,
        "UNSUPPORTED_MEDIA_TYPE",
    ),
    "not JSON": ({"content": "{query", "headers": {"content-type": "application/json"}}, 400, "BAD_REQUEST"),
    "unacceptable Accept": (
        {"json": {"query": "{ me { number } }"}, "headers": {"accept": "text/csv"}},
        406,
        "NOT_ACCEPTABLE",
    ),
    "PUT": ({"method": "PUT", "json": {"query": "{ me { number } }"}}, 405, "METHOD_NOT_ALLOWED"),
    "GET mutation": (
        {"method": "GET", "params": {"query": "mutation { __typename }"}},
        405,
        "METHOD_NOT_ALLOWED",
    ),
    "GET of a real mutation": (
        {
            "method": "GET",
            "params": {
                "query": "mutation($i: PlaceOrderInput!) { placeOrder(input: $i) { __typename } }",
                "variables": '{"i": {"lines": [{"itemNumber": "1000", "quantity": 1}]}}',
            },
        },
        405,
        "METHOD_NOT_ALLOWED",
    ),
    "GET mutation by operation name": (
        {
            "method": "GET",
            "params": {"query": "query Q { me { number } } mutation M { __typename }", "operationName": "M"},
        },
        405,
        "METHOD_NOT_ALLOWED",
    ),
}


@pytest.mark.parametrize("case", sorted(CATALOGUE))
async def test_abuse_is_refused_before_any_bc_request(
    case: str, gateway: GatewayFactory, token_for: Any, development: Any, bc_log: Any
) -> None:
    arguments, status, code = CATALOGUE[case]
    arguments = dict(arguments)
    method = arguments.pop("method", "POST")
    customer = development.customers[0]
    headers = {"authorization": f"Bearer {token_for(customer.customer_number, customer.company_id)}"}
    headers.update(arguments.pop("headers", {}))
    if "content" in arguments and "content-type" not in headers:
        headers["content-type"] = "application/json"
    async with gateway() as client:
        bc_log.clear()
        response = await client.request(method, "/graphql", headers=headers, **arguments)

    assert response.status_code == status, response.text
    body = response.json()
    assert "data" not in body or body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == code
    assert bc_log.entries == []


async def test_batching_when_enabled_runs_each_operation_up_to_the_limit(
    gateway: GatewayFactory, development: Any, token_for: Any, bc_log: Any
) -> None:
    customer = development.customers[0]
    headers = {"authorization": f"Bearer {token_for(customer.customer_number, customer.company_id)}"}
    async with gateway(batch_limit=2) as client:
        ok = await client.post("/graphql", json=[{"query": "{ me { number } }"}] * 2, headers=headers)
        bc_log.clear()
        too_many = await client.post("/graphql", json=[{"query": "{ me { number } }"}] * 3, headers=headers)

    assert ok.status_code == 200
    assert [item["data"]["me"]["number"] for item in ok.json()] == [customer.customer_number] * 2
    assert too_many.status_code == 400
    assert too_many.json()["errors"][0]["extensions"]["code"] == "BATCH_TOO_LARGE"
    assert bc_log.entries == []


async def test_one_over_limit_operation_refuses_the_whole_batch(
    gateway: GatewayFactory, development: Any, token_for: Any, bc_log: Any
) -> None:
    customer = development.customers[0]
    headers = {"authorization": f"Bearer {token_for(customer.customer_number, customer.company_id)}"}
    async with gateway(batch_limit=5) as client:
        bc_log.clear()
        response = await client.post(
            "/graphql", json=[{"query": "{ me { number } }"}, {"query": ALIASES}], headers=headers
        )
    assert response.status_code == 400
    assert bc_log.entries == []


async def test_a_limit_error_names_the_limit(
    gateway: GatewayFactory, development: Any, token_for: Any
) -> None:
    customer = development.customers[0]
    headers = {"authorization": f"Bearer {token_for(customer.customer_number, customer.company_id)}"}
    async with gateway() as client:
        response = await client.post("/graphql", json={"query": ALIASES}, headers=headers)
    error = response.json()["errors"][0]
    assert error["extensions"] == {"code": "OPERATION_LIMIT_EXCEEDED", "limit": "aliases"}
    assert "aliases" in error["message"]


async def test_an_ordinary_portal_query_passes_every_limit(
    gateway: GatewayFactory, development: Any, token_for: Any
) -> None:
    customer = development.customers[0]
    headers = {"authorization": f"Bearer {token_for(customer.customer_number, customer.company_id)}"}
    query = "{ me { number } orders(first: 20) { nodes { number lines { quantity item { number name } } } } }"
    async with gateway() as client:
        response = await client.post("/graphql", json={"query": query}, headers=headers)
    assert response.status_code == 200
    assert "errors" not in response.json()
