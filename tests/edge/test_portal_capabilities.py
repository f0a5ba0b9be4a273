"""On a BC without the portal custom API or the analytics API, the fields that need them answer
CAPABILITY_UNAVAILABLE and everything else still works — without asking BC for what it lacks."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import httpx
import pytest

from gateway.app import create_app
from gateway.edge.development import mint_for, start_development
from gateway.sandbox.app import create_sandbox_app, sandbox_of
from gateway.sandbox.config import SandboxConfig
from gateway.sandbox.store import SandboxStore
from gateway.settings import Settings
from tests.conftest import SCALE, SEED, TODAY
from tests.edge.portal_support import customer_queries, customer_with, delivery_documents
from tests.helpers import graphql

pytestmark = pytest.mark.anyio

EVERYTHING = """
query($from: Date!) {
  me { number aging { balanceDue { amount } } }
  invoices(first: 2) { nodes { number pdfUrl } }
  shipments(first: 5) { nodes { number proofOfDelivery { fileName } } }
  statement(from: $from) { closingBalance { amount } }
  queries(first: 5) { nodes { number } }
}
"""


@pytest.fixture(params=["no-portal", "no-analytics", "bare"])
async def reduced(
    request: pytest.FixtureRequest, shared_store: SandboxStore
) -> AsyncIterator[tuple[str, Any, Any, Any]]:
    profile = str(request.param)
    sandbox = create_sandbox_app(
        SandboxConfig(seed=SEED, scale=SCALE, today=TODAY, profile=profile),  # type: ignore[arg-type]
        store=shared_store,
    )
    development = start_development(Settings(), sandbox=sandbox)
    app = create_app(Settings(), development=development, today=lambda: TODAY)
    company, customer = customer_with(
        shared_store,
        lambda c, n: min(
            len(customer_queries(shared_store, c, n)), len(delivery_documents(shared_store, c, n))
        ),
    )
    demo = next(
        d for d in development.customers if d.customer_number == customer and str(d.company_id) == company
    )
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gateway.test") as http,
    ):
        yield profile, http, mint_for(development, demo), sandbox_of(sandbox).log


async def test_missing_apis_make_only_their_fields_unavailable(reduced: tuple[str, Any, Any, Any]) -> None:
    profile, client, token, log = reduced
    log.clear()

    response = await graphql(
        client, EVERYTHING, {"from": (TODAY - timedelta(days=90)).isoformat()}, token=token
    )

    body = response.json()
    data, errors = body["data"], body.get("errors", [])
    no_portal = profile in ("no-portal", "bare")
    no_analytics = profile in ("no-analytics", "bare")
    assert data["me"]["number"]
    assert data["me"]["aging"] is not None
    assert data["invoices"]["nodes"]
    assert all(n["pdfUrl"] for n in data["invoices"]["nodes"])
    assert data["shipments"]["nodes"]
    unavailable = {
        tuple(e["path"][:1]) for e in errors if e["extensions"]["code"] == "CAPABILITY_UNAVAILABLE"
    }
    assert all(e["extensions"]["code"] == "CAPABILITY_UNAVAILABLE" for e in errors), errors
    assert (data["statement"] is None) == no_analytics
    assert (("statement",) in unavailable) == no_analytics
    assert (data["queries"] is None) == no_portal
    assert (("queries",) in unavailable) == no_portal
    pods = [n["proofOfDelivery"] for n in data["shipments"]["nodes"]]
    assert all((p is None) == no_portal for p in pods)
    missing = {"bcgateway/portal/v1.0"} if no_portal else set()
    missing |= {"microsoft/analytics/v1.0"} if no_analytics else set()
    assert not [e for e in log.entries if e.route in missing and e.entity_set]
