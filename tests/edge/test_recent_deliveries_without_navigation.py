"""A tenant whose portal extension predates ``shipmentTracking``'s ``deliveryDocuments``
navigation: the customer's recent tracking is still read along and proves tracking, each
shipment's proof of delivery is read by its id, and every view shows what reads by the
shipments' keys show (docs/caching.md, "Recent tracking and proof of delivery")."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from starlette.applications import Starlette

from gateway.edge.development import Development, start_development
from gateway.sandbox.app import create_sandbox_app, sandbox_of
from gateway.sandbox.config import ApiRoute, SandboxConfig, default_routes
from gateway.sandbox.store import SandboxStore
from gateway.settings import Settings
from tests.conftest import SCALE, SEED, TODAY
from tests.edge.conftest import FakeClock
from tests.edge.test_order_view_cost import Served, gateway_over, served_token
from tests.edge.test_recent_deliveries import _view, _views_without_cache, _with_and_without_proof
from tests.edge.test_reference_screens import CountingTransport

pytestmark = pytest.mark.anyio

PORTAL_ROUTE = "bcgateway/portal/v1.0"
NAVIGATION = '<NavigationProperty Name="deliveryDocuments"'


def _without_navigation(tmp_path: Path) -> tuple[ApiRoute, ...]:
    """The sandbox's routes, its portal EDMX without shipmentTracking's navigation."""
    routes = []
    for route in default_routes():
        if route.route == PORTAL_ROUTE:
            text = route.metadata_path.read_text(encoding="utf-8")
            start = text.index(NAVIGATION)
            end = text.index("</NavigationProperty>", start) + len("</NavigationProperty>")
            older = tmp_path / "portal-without-navigation.xml"
            older.write_text(text[:start] + text[end:], encoding="utf-8")
            route = dataclasses.replace(route, metadata_path=older)
        routes.append(route)
    return tuple(routes)


@pytest.fixture
def older_extension(shared_store: SandboxStore, tmp_path: Path) -> Starlette:
    config = SandboxConfig(seed=SEED, scale=SCALE, today=TODAY, routes=_without_navigation(tmp_path))
    return create_sandbox_app(config, store=shared_store)


@pytest.fixture
def older_development(older_extension: Starlette) -> Development:
    return start_development(Settings(), sandbox=older_extension)


@pytest.fixture
async def older(
    older_development: Development, older_extension: Starlette, clock: FakeClock
) -> AsyncIterator[Served]:
    counting = CountingTransport(older_development.bc_transport)
    async with gateway_over(older_development, counting, clock, Settings()) as client:
        yield Served(client, counting, sandbox_of(older_extension).log, clock, older_development)


async def test_views_prove_tracking_and_read_proof_of_delivery_by_id(
    older: Served, shared_store: SandboxStore, older_development: Development, clock: FakeClock
) -> None:
    company, customer, orders = _with_and_without_proof(shared_store)
    token = served_token(older, customer, company)
    await older.ask("PortalOrders", token, first=20)
    first = await _view(older, token, orders[0])
    older.clear()

    second = await _view(older, token, orders[1])

    # Tracking from the recent list read along with the first view; documents by the shipments' ids.
    assert older.reads() == ["deliveryDocuments"]
    assert older.counting.requests == ["GET deliveryDocuments"]
    expected = await _views_without_cache(older_development, clock, customer, company, orders[:2])
    assert {orders[0]: first, orders[1]: second} == expected
    shown = [*first["shipments"], *second["shipments"]]
    assert any(shipment["proofOfDelivery"] for shipment in shown)
    assert any(shipment["trackingNumber"] for shipment in shown)
