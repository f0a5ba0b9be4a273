"""Dates Business Central cannot hold (before 1753-01-01) and absurd later ones (after 2999-12-31),
through every Date argument and input field of the schema (found by introspection), as a variable
and written in the document: BAD_USER_INPUT before anything runs, no BC request."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.edge.schema_inputs import Path, input_paths, operation_with

pytestmark = pytest.mark.anyio

CASES = input_paths({"Date"})
EARLIEST_DATE, LATEST_DATE = "1753-01-01", "2999-12-31"  # as documented (docs/errors.md, schema)
OUT_OF_RANGE = ["0001-10-12", "1752-12-31", "3000-01-01", "9999-12-31"]
JSON_AND_GRAPHQL = [("application/json", 200), ("application/graphql-response+json", 400)]


def test_the_walk_finds_every_date_input() -> None:
    found = {(field, ".".join(path)) for _, field, path in CASES}
    assert {
        ("shipments", "filter.from"),
        ("orders", "filter.to"),
        ("invoices", "filter.from"),
        ("statement", "from"),
        ("placeOrder", "input.requestedDeliveryDate"),
        ("reorder", "input.requestedDeliveryDate"),
    } <= found


@pytest.mark.parametrize(
    ("operation", "field", "path"), CASES, ids=[f"{f}.{'.'.join(p)}" for _, f, p in CASES]
)
async def test_a_date_bc_cannot_hold_is_bad_user_input_before_bc(
    operation: str, field: str, path: Path, client: httpx.AsyncClient, token_for: Any, bc_log: Any
) -> None:
    token = token_for("10000")
    for day in OUT_OF_RANGE:
        document, variables = operation_with(operation, field, path, day)
        written, _ = operation_with(operation, field, path, day, inline=True)
        for body in ({"query": document, "variables": variables}, {"query": written}):
            for accept, status in JSON_AND_GRAPHQL:
                bc_log.clear()
                response = await client.post(
                    "/graphql",
                    json=body,
                    headers={"authorization": f"Bearer {token}", "accept": accept, "idempotency-key": day},
                )
                answer = response.json()
                assert response.status_code == status, (day, answer)
                assert "data" not in answer
                [error] = answer["errors"]
                assert error["extensions"]["code"] == "BAD_USER_INPUT", (day, answer)
                assert (
                    f"{EARLIEST_DATE} (the first day Business Central can hold) to {LATEST_DATE}"
                    in (error["message"])
                )
                assert bc_log.entries == []


@pytest.mark.parametrize(
    ("operation", "field", "path"),
    [case for case in CASES if case[0] == "query"],
    ids=[f"{f}.{'.'.join(p)}" for o, f, p in CASES if o == "query"],
)
async def test_the_first_and_last_dates_are_accepted(
    operation: str, field: str, path: Path, client: httpx.AsyncClient, token_for: Any
) -> None:
    for day in (EARLIEST_DATE, LATEST_DATE):
        document, variables = operation_with(operation, field, path, day)
        response = await client.post(
            "/graphql",
            json={"query": document, "variables": variables},
            headers={"authorization": f"Bearer {token_for('10000')}"},
        )
        answer = response.json()
        assert response.status_code == 200, answer
        # The resolver may still find nothing, or that `to` is before `from`; the scalar let it in.
        assert all("Business Central can hold" not in e["message"] for e in answer.get("errors", ())), answer
        assert "data" in answer
