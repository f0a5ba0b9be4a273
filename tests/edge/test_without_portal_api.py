"""A Business Central without the portal extension: its fields are CAPABILITY_UNAVAILABLE, the rest works."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from gateway.app import create_app
from gateway.edge.development import Development, mint_for, start_development
from gateway.sandbox.app import create_sandbox_app, sandbox_of
from gateway.sandbox.config import SandboxConfig, default_routes
from gateway.sandbox.store import PORTAL_ROUTE, SandboxStore
from gateway.settings import Settings
from tests.conftest import SCALE, SEED, TODAY
from tests.helpers import graphql, rows

pytestmark = pytest.mark.anyio

QUERY = """
query($item: String!, $shipment: String!) {
  item(number: $item) {
    number inventory
    availability { onHand committed available nextReceiptDate nextReceiptQuantity }
  }
  shipment(number: $shipment) { number lines { number } carrier { code } trackingNumber trackingUrl }
  orders(first: 3) { nodes { number status shipments { number } } }
}
"""


@pytest.fixture
def bare_sandbox(shared_store: SandboxStore) -> Starlette:
    """The demo world on a BC whose $metadata has no portal route: the extension is not installed."""
    routes = tuple(route for route in default_routes() if route.route != PORTAL_ROUTE)
    return create_sandbox_app(
        SandboxConfig(seed=SEED, scale=SCALE, today=TODAY, routes=routes), store=shared_store
    )


@pytest.fixture
async def bare_client(bare_sandbox: Starlette) -> AsyncIterator[tuple[httpx.AsyncClient, Development]]:
    development = start_development(Settings(), sandbox=bare_sandbox)
    app = create_app(Settings(), development=development, today=lambda: TODAY)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gateway.test") as http,
    ):
        yield http, development


async def test_portal_fields_are_capability_unavailable_and_everything_else_works(
    bare_client: Any, bare_sandbox: Starlette, shared_store: SandboxStore
) -> None:
    http, development = bare_client
    company = shared_store.companies[0]["id"]
    shipment = rows(shared_store, company, "salesShipments")[0]
    item = next(row for row in rows(shared_store, company, "items") if not row["blocked"])
    customer = next(
        c
        for c in development.customers
        if c.customer_number == shipment["customerNumber"] and str(c.company_id) == company
    )
    response = await graphql(
        http,
        QUERY,
        {"item": item["number"], "shipment": shipment["number"]},
        token=mint_for(development, customer),
    )

    body = response.json()
    data = body["data"]
    assert data["item"]["number"] == item["number"]
    assert float(data["item"]["availability"]["onHand"]) == float(item["inventory"])
    for field in ("committed", "available", "nextReceiptDate", "nextReceiptQuantity"):
        assert data["item"]["availability"][field] is None
    assert data["shipment"]["number"] == shipment["number"]
    assert data["shipment"]["lines"]
    for field in ("carrier", "trackingNumber", "trackingUrl"):
        assert data["shipment"][field] is None
    assert data["orders"]["nodes"]
    unavailable = {tuple(error["path"][-1:]) for error in body["errors"]}
    assert unavailable == {
        ("committed",),
        ("available",),
        ("nextReceiptDate",),
        ("nextReceiptQuantity",),
        ("carrier",),
        ("trackingNumber",),
        ("trackingUrl",),
    }
    assert {error["extensions"]["code"] for error in body["errors"]} == {"CAPABILITY_UNAVAILABLE"}
    # Nothing was asked of the missing route.
    assert all(
        entry.route != PORTAL_ROUTE for entry in sandbox_of(bare_sandbox).log.entries if entry.entity_set
    )
