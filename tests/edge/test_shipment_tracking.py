"""Carrier, tracking number and tracking URL of a shipment, from the portal custom API."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from gateway.app import create_app
from gateway.edge.development import Development
from gateway.resolvers.context import PortalPolicy
from gateway.sandbox.store import PORTAL_ROUTE, SandboxStore
from gateway.settings import Settings
from tests.conftest import TODAY
from tests.helpers import data_of, rows

pytestmark = pytest.mark.anyio

SHIPMENT = """
query($n: String!) {
  shipment(number: $n) {
    number shipmentMethodCode lines { number quantity }
    carrier { code name serviceCode } trackingNumber trackingUrl
  }
}
"""


def portal(store: SandboxStore, company: str, entity_set: str) -> list[dict[str, Any]]:
    return store.table(company, PORTAL_ROUTE, entity_set)


def carried_shipment(store: SandboxStore, with_url: bool) -> tuple[str, dict[str, Any], dict[str, Any]]:
    """(company, tracking row, agent row) of a shipment whose agent has (or lacks) a BC URL."""
    for company in store.companies:
        agents = {agent["code"]: agent for agent in portal(store, company["id"], "shippingAgents")}
        for tracking in portal(store, company["id"], "shipmentTrackings"):
            agent = agents.get(tracking["shippingAgentCode"])
            if (
                agent is not None
                and tracking["packageTrackingNumber"]
                and bool(agent["internetAddress"]) == with_url
            ):
                return company["id"], tracking, agent
    raise LookupError("no such shipment in the demo world")


async def test_a_shipment_shows_its_carrier_tracking_number_and_bcs_tracking_url(
    client: httpx.AsyncClient, shared_store: SandboxStore, token_for: Any, bc_log: Any
) -> None:
    company, tracking, agent = carried_shipment(shared_store, with_url=True)
    shipment = next(
        s for s in rows(shared_store, company, "salesShipments") if s["number"] == tracking["shipmentNumber"]
    )
    bc_log.clear()

    data = await data_of(
        client,
        SHIPMENT,
        {"n": tracking["shipmentNumber"]},
        token=token_for(tracking["customerNumber"], company),
    )

    found = data["shipment"]
    assert found["carrier"] == {
        "code": agent["code"],
        "name": agent["name"],
        "serviceCode": tracking["shippingAgentServiceCode"] or None,
    }
    assert found["trackingNumber"] == tracking["packageTrackingNumber"]
    assert found["trackingUrl"] == agent["internetAddress"].replace("%1", tracking["packageTrackingNumber"])
    assert found["shipmentMethodCode"] == (shipment["shipmentMethodCode"] or None)
    assert found["lines"]
    # The shipment, then its tracking and the company's carriers at once (one $batch), the
    # customer's recent tracking, with its proof of delivery, along (docs/caching.md).
    read = [e.entity_set for e in bc_log.entries if e.entity_set]
    assert read[0] == "salesShipments"
    assert sorted(read[1:]) == ["$batch", "shipmentTrackings", "shipmentTrackings", "shippingAgents"]


async def test_a_shipment_collected_by_the_customer_has_no_carrier(
    client: httpx.AsyncClient, shared_store: SandboxStore, token_for: Any
) -> None:
    company = shared_store.companies[0]["id"]
    tracking = next(
        t for t in portal(shared_store, company, "shipmentTrackings") if not t["shippingAgentCode"]
    )

    data = await data_of(
        client,
        SHIPMENT,
        {"n": tracking["shipmentNumber"]},
        token=token_for(tracking["customerNumber"], company),
    )

    assert data["shipment"]["carrier"] is None
    assert data["shipment"]["trackingNumber"] is None
    assert data["shipment"]["trackingUrl"] is None


@pytest.fixture
async def configured_client(development: Development) -> AsyncIterator[httpx.AsyncClient]:
    templates = {
        "OWNFLEET": "https://fleet.example/track/{tracking}",
        "DHL": "https://dhl.example/?id={tracking}",
    }
    app = create_app(
        Settings(portal=PortalPolicy(tracking_urls=templates)), development=development, today=lambda: TODAY
    )
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gateway.test") as http,
    ):
        yield http


async def test_a_configured_url_template_overrides_the_one_in_bc(
    configured_client: httpx.AsyncClient, shared_store: SandboxStore, token_for: Any, bc_log: Any
) -> None:
    company = shared_store.companies[0]["id"]
    tracking = next(
        t
        for t in portal(shared_store, company, "shipmentTrackings")
        if t["shippingAgentCode"] == "DHL" and t["packageTrackingNumber"]
    )
    bc_log.clear()

    data = await data_of(
        configured_client,
        "query($n: String!) { shipment(number: $n) { trackingUrl } }",
        {"n": tracking["shipmentNumber"]},
        token=token_for(tracking["customerNumber"], company),
    )

    assert data["shipment"]["trackingUrl"] == f"https://dhl.example/?id={tracking['packageTrackingNumber']}"
    # The gateway's template needs no shipping agent from BC.
    assert bc_log.count("shippingAgents") == 0
