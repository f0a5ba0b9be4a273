"""One root field failing does not take its siblings with it: with BC failing on one entity set,
the dashboard still answers everything that does not need that set, and the failed fields are
null with their error (they used to be non-null, so the whole answer became ``data: null``)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from gateway.app import create_app
from gateway.bc import ResilienceSettings
from gateway.edge.development import Development
from gateway.sandbox.app import sandbox_of
from gateway.sandbox.faults import Fault
from gateway.settings import Settings
from tests.conftest import TODAY
from tests.helpers import graphql

pytestmark = pytest.mark.anyio

DASHBOARD = """{
  me { number }
  companies { id }
  orders(first: 3) { nodes { number } }
  invoices(first: 3) { nodes { number } }
  creditMemos(first: 3) { nodes { number } }
  shipments(first: 3) { nodes { number } }
  items(first: 3) { nodes { number } }
}"""


@pytest.fixture
def gateway_app(development: Development) -> Starlette:
    # No retries: a failed read fails at once (retries are tested elsewhere); no $batch, so the
    # sandbox's fault hits the one entity set's own request.
    resilience = ResilienceSettings(retry_max_attempts=1, breaker_failures=1000, batch=False)
    settings = Settings(bc_resilience=resilience)
    return create_app(settings, development=development, today=lambda: TODAY)


@pytest.mark.parametrize(
    ("failing", "needs_it"),
    [
        ("salesInvoices", {"invoices", "orders"}),  # completed orders are rebuilt from invoices
        ("salesCreditMemos", {"creditMemos"}),
        ("items", {"items"}),
        ("customers", {"me"}),
    ],
)
async def test_a_failing_entity_set_nulls_only_the_root_fields_that_read_it(
    failing: str,
    needs_it: set[str],
    client: httpx.AsyncClient,
    sandbox: Starlette,
    token_for: Any,
) -> None:
    sandbox_of(sandbox).faults.set([Fault("status", status=503, entity_set=failing)])
    response = await graphql(client, DASHBOARD, token=token_for("10000"))
    sandbox_of(sandbox).faults.clear()
    body = response.json()
    assert response.status_code == 200, body
    data = body["data"]
    assert data is not None, body
    failed = {error["path"][0] for error in body["errors"]}
    assert failed == needs_it, body["errors"]
    assert {error["extensions"]["code"] for error in body["errors"]} == {"BC_UNAVAILABLE"}
    for field, value in data.items():
        if field in needs_it:
            assert value is None
        else:
            assert value, field
