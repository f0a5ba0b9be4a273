"""A variable the schema refuses is the client's mistake: GraphQL over HTTP's request error (400
for ``application/graphql-response+json``, 200 for ``application/json``) with graphql-core's
message and ``BAD_USER_INPUT`` — never INTERNAL_ERROR, never a traceback in the logs, no BC
request."""

from __future__ import annotations

import logging
from typing import Any

import httpx
import pytest

pytestmark = pytest.mark.anyio

PLACE = "mutation Place($input: PlaceOrderInput!) { placeOrder(input: $input) { __typename } }"
ORDERS = (
    "query Orders($first: Int, $filter: OrderFilter) "
    "{ orders(first: $first, filter: $filter) { nodes { number } } }"
)
CASES = [
    pytest.param(
        PLACE,
        {"input": {"lines": [{"itemNumber": "1000-S", "quantity": "abc"}]}},
        "Variable '$input' has invalid value at .lines[0].quantity",
        id="wrong-type-in-an-input-field",
    ),
    pytest.param(
        PLACE,
        {"input": {"lines": [{"itemNumber": "1000-S"}]}},
        "to include required field 'quantity'",
        id="missing-required-input-field",
    ),
    pytest.param(
        PLACE, {}, "Expected a value of non-null type 'PlaceOrderInput!' to be provided.", id="missing"
    ),
    pytest.param(
        ORDERS, {"first": "ten"}, "Int cannot represent non-integer value: 'ten'", id="wrong-scalar"
    ),
    pytest.param(
        ORDERS,
        {"filter": {"status": ["LOST"]}},
        "Value 'LOST' does not exist in 'OrderStatus' enum",
        id="enum",
    ),
]


@pytest.mark.parametrize(("document", "variables", "message"), CASES)
@pytest.mark.parametrize(
    ("accept", "status"), [("application/json", 200), ("application/graphql-response+json", 400)]
)
async def test_a_refused_variable_is_a_request_error_with_graphql_cores_message(
    document: str,
    variables: dict[str, Any],
    message: str,
    accept: str,
    status: int,
    client: httpx.AsyncClient,
    token_for: Any,
    bc_log: Any,
    caplog: pytest.LogCaptureFixture,
) -> None:
    bc_log.clear()
    with caplog.at_level(logging.DEBUG):
        response = await client.post(
            "/graphql",
            json={"query": document, "variables": variables},
            headers={
                "authorization": f"Bearer {token_for('10000')}",
                "accept": accept,
                "idempotency-key": "k",
            },
        )
    body = response.json()
    assert response.status_code == status, body
    assert response.headers["content-type"].startswith(accept)
    assert "data" not in body
    assert [error["extensions"]["code"] for error in body["errors"]] == ["BAD_USER_INPUT"]
    assert message in body["errors"][0]["message"]
    assert bc_log.entries == []
    assert [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR] == []
