"""How many BC round trips the portal's order view (`PortalOrder`) waits for, exactly: on a miss,
after the orders page, after the dashboard; with the answer cache on and off.

The requests of one round go to BC at once and the user waits for the slowest: the rounds,
not the requests, are the view's latency (tests/edge/rounds.py).  What each round is:

1. the order and its documents (shipments, invoices, archives): one ``$batch``;
2. what hangs off them, at once: the lines' items (``GET items``: the order is read without
   them) and the shipments' tracking, proof of delivery and the company's carriers (the
   portal API's ``$batch``).

Kept answers take whole rounds away; nothing else does.  After a page that listed it, the view
has no first round, and no items to read: the page read ahead its open orders' documents and
their lines' items in its own round (docs/caching.md, "Read along with the page"), items its
customer's completed orders share too.  Its request counts are tests/edge/test_order_view_cost.py's.
"""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest

from gateway.bc import CacheSettings
from gateway.edge.development import Development, mint_for
from gateway.sandbox.store import PORTAL_ROUTE, SandboxStore
from gateway.settings import Settings
from tests.edge.conftest import FakeClock
from tests.edge.rounds import RoundTransport
from tests.edge.test_order_view_cost import CURRENCY, PORTAL, gateway_over
from tests.helpers import graphql, rows

pytestmark = pytest.mark.anyio

ORDER_AND_DOCUMENTS = ["POST $batch"]
ITEMS = ["GET items"]
ITEMS_TRACKING_AND_PROOF = ["GET items", "POST $batch"]
TRACKING_AND_PROOF = ["POST $batch"]
SHIPPED_ON_A_MISS = [ORDER_AND_DOCUMENTS, ITEMS_TRACKING_AND_PROOF]
NOT_SHIPPED_ON_A_MISS = [ORDER_AND_DOCUMENTS, ITEMS]


@dataclasses.dataclass
class Gateway:
    client: httpx.AsyncClient
    bc: RoundTransport
    development: Development

    async def ask(self, operation: str, token: str, **variables: Any) -> list[dict[str, Any]]:
        """The orders the operation answered (the order view's as a list of one)."""
        response = await graphql(self.client, PORTAL[operation], variables, token=token)
        body: dict[str, Any] = response.json()
        assert response.status_code == 200, body
        assert "errors" not in body, body
        orders: dict[str, Any] = body["data"]["order" if operation == "PortalOrder" else "orders"]
        return [orders] if operation == "PortalOrder" else list(orders["nodes"])

    def token(self, company: str, customer: str) -> str:
        found = next(
            c
            for c in self.development.customers
            if c.customer_number == customer and str(c.company_id) == company
        )
        return mint_for(self.development, found)


@asynccontextmanager
async def serving(development: Development, *, cache: bool) -> AsyncIterator[Gateway]:
    rounds = RoundTransport(development.bc_transport)
    settings = Settings(cache=CacheSettings(enabled=cache))
    async with gateway_over(development, rounds, FakeClock(), settings) as client:
        yield Gateway(client, rounds, development)


OrderKind = Callable[[SandboxStore, str, str], bool]


def _shipments(store: SandboxStore, company: str, number: str) -> list[dict[str, Any]]:
    return [row for row in rows(store, company, "salesShipments") if row["orderNumber"] == number]


def _is_open(store: SandboxStore, company: str, number: str) -> bool:
    return any(row["number"] == number for row in rows(store, company, "salesOrders"))


def _tracked_and_delivered(store: SandboxStore, company: str, number: str) -> bool:
    """A shipment of it has a carrier, a tracking number and a proof of delivery."""
    tracked = {
        row["shipmentId"]
        for row in store.table(company, PORTAL_ROUTE, "shipmentTrackings")
        if row["shippingAgentCode"] and row["packageTrackingNumber"]
    }
    delivered = {row["shipmentId"] for row in store.table(company, PORTAL_ROUTE, "deliveryDocuments")}
    return any(s["id"] in tracked and s["id"] in delivered for s in _shipments(store, company, number))


def open_shipped(store: SandboxStore, company: str, number: str) -> bool:
    return _is_open(store, company, number) and _tracked_and_delivered(store, company, number)


def completed_shipped(store: SandboxStore, company: str, number: str) -> bool:
    """BC deleted it once shipped and invoiced: rebuilt from its posted documents."""
    return not _is_open(store, company, number) and _tracked_and_delivered(store, company, number)


def open_not_shipped(store: SandboxStore, company: str, number: str) -> bool:
    return _is_open(store, company, number) and not _shipments(store, company, number)


async def _newest_of_kind(
    development: Development, store: SandboxStore, kind: OrderKind
) -> tuple[str, str, str, str]:
    """(company, customer, order number, another customer): an order of ``kind`` that the
    customer's dashboard lists (so its orders page does too)."""
    company = store.companies[0]["id"]
    customers = sorted({row["customerNumber"] for row in rows(store, company, "salesOrders")})
    async with serving(development, cache=False) as gateway:
        for customer in customers:
            for order in await gateway.ask("PortalDashboard", gateway.token(company, customer)):
                if kind(store, company, order["number"]):
                    other = next(c for c in customers if c != customer)
                    return company, customer, order["number"], other
    raise AssertionError(f"no dashboard lists an order that is {kind.__name__}")


@pytest.mark.parametrize(
    ("kind", "on_a_miss", "after_a_page_kept"),
    [
        (open_shipped, SHIPPED_ON_A_MISS, [TRACKING_AND_PROOF]),
        (completed_shipped, SHIPPED_ON_A_MISS, [TRACKING_AND_PROOF]),
        (open_not_shipped, NOT_SHIPPED_ON_A_MISS, []),
    ],
    ids=["open-shipped", "completed-shipped", "open-not-shipped"],
)
@pytest.mark.parametrize(
    "after", [None, "PortalOrders", "PortalDashboard"], ids=["miss", "orders", "dashboard"]
)
@pytest.mark.parametrize("cache", [True, False], ids=["cache-on", "cache-off"])
async def test_the_order_view_waits_for_these_rounds(
    development: Development,
    shared_store: SandboxStore,
    kind: OrderKind,
    on_a_miss: list[list[str]],
    after_a_page_kept: list[list[str]],
    after: str | None,
    cache: bool,
) -> None:
    """Its reads that hang off the order go in one round (GraphQL resolves the lines' items and
    the shipments' fields at once), the carriers' names with the tracking that names them
    (they were a round of their own after it); after a page, with the cache on, the page's
    answers take the first round away; without the cache the view reads as on a miss."""
    company, customer, number, other = await _newest_of_kind(development, shared_store, kind)
    async with serving(development, cache=cache) as gateway:
        # What a company's first operation reads once (its currency), read for another customer
        # by a query that reads no order (a dashboard reads ahead items its lines share).
        warm = await graphql(gateway.client, CURRENCY, {}, token=gateway.token(company, other))
        assert "errors" not in warm.json()
        token = gateway.token(company, customer)
        if after is not None:
            listed = await gateway.ask(after, token, **({"first": 20} if after == "PortalOrders" else {}))
            assert number in [order["number"] for order in listed]
        gateway.bc.clear()

        (order,) = await gateway.ask("PortalOrder", token, number=number)

    assert order["number"] == number
    assert order["open"] is (kind is not completed_shipped)
    assert bool(order["shipments"]) is (kind is not open_not_shipped)
    assert all(line["item"] for line in order["lines"] if line["lineType"] == "ITEM")
    if kind is not open_not_shipped:
        assert any(
            s["carrier"]["name"] and s["trackingNumber"] and s["proofOfDelivery"] for s in order["shipments"]
        )
    assert gateway.bc.rounds == (after_a_page_kept if after is not None and cache else on_a_miss)
