"""BC's change events make the cache forget what they change — for the owner only (issue 13, item 4).

Times to live are long here (10 minutes) so that only an event can make an answer go: BC's
notification comes 30 s after staff ship an order, and the next query must show the shipment.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from gateway.app import create_app
from gateway.bc import CacheSettings
from gateway.edge.development import Development, mint_for, start_development
from gateway.edge.state import gateway_state
from gateway.sandbox.app import sandbox_of
from gateway.settings import Settings
from gateway.webhooks import ResourceResync
from tests.conftest import TODAY
from tests.sandbox.webhooks.support import FakeClock
from tests.webhooks.conftest import WEBHOOKS, client_for, service_of, until

pytestmark = pytest.mark.anyio

LONG = 600.0
CACHE = CacheSettings(orders_ttl=LONG, shipments_ttl=LONG, invoices_ttl=LONG, account_ttl=LONG)
ORDER = """query($n: String!) {
  order(number: $n) { number status lines { shippedQuantity } shipments { number } }
}"""
ORDERS = "{ orders(first: 5) { nodes { number status } } }"


@dataclass
class Portal:
    app: Starlette
    http: httpx.AsyncClient
    development: Development
    sandbox: Starlette

    def token(self, company: str, number: str) -> str:
        customer = next(
            c
            for c in self.development.customers
            if str(c.company_id) == company and c.customer_number == number
        )
        return mint_for(self.development, customer)

    async def ask(self, token: str, query: str, **variables: Any) -> dict[str, Any]:
        response = await self.http.post(
            "/graphql",
            json={"query": query, "variables": variables},
            headers={"authorization": f"Bearer {token}"},
        )
        body: dict[str, Any] = response.json()
        assert "errors" not in body, body
        return body


@pytest.fixture
async def portal(live_sandbox: Starlette, clock: FakeClock) -> AsyncIterator[Portal]:
    settings = Settings(webhooks=WEBHOOKS, cache=CACHE)
    development = start_development(settings, sandbox=live_sandbox)
    app = create_app(
        settings, development=development, today=lambda: TODAY, wall_clock=lambda: clock.now.timestamp()
    )
    async with app.router.lifespan_context(app), client_for(app) as http:
        await until(lambda: service_of(app).manager.reported.is_set())
        yield Portal(app, http, development, live_sandbox)


def bc_reads(portal: Portal, entity_set: str | None = None) -> int:
    """Reads BC answered since the last call (of ``entity_set``, or of any set)."""
    log = sandbox_of(portal.sandbox).log
    reads = sum(
        1
        for e in log.entries
        if e.method == "GET"
        and e.entity_set not in (None, "$batch", "subscriptions")
        and (entity_set is None or e.entity_set == entity_set)
    )
    log.clear()
    return reads


def shippable_orders(portal: Portal, company: str) -> list[dict[str, Any]]:
    store = sandbox_of(portal.sandbox).store
    return [o for o in store.table(company, "v2.0", "salesOrders") if o["status"] == "Open"]


async def deliver(portal: Portal, clock: FakeClock) -> None:
    """BC's notification job after its 30 s, and the gateway's processing of it."""
    service = service_of(portal.app)
    before = service.stats.processed
    clock.advance(30)
    await sandbox_of(portal.sandbox).webhooks.deliver_due()
    await until(lambda: service.stats.processed > before)


async def test_a_shipment_event_refreshes_its_owners_order_and_leaves_other_customers_kept(
    portal: Portal, clock: FakeClock
) -> None:
    company = str(sandbox_of(portal.sandbox).store.companies[0]["id"])
    for order in shippable_orders(portal, company):
        owner = portal.token(company, order["customerNumber"])
        before = await portal.ask(owner, ORDER, n=order["number"])
        shipped = await portal.http.post(
            "/_sandbox/staff/ship", json={"company": company, "order": order["number"]}
        )
        if shipped.status_code == 200:
            break
    else:
        pytest.fail("no order of the demo world could be shipped")
    shipment = next(c["number"] for c in shipped.json()["changes"] if c["entitySet"] == "salesShipments")
    other_number = next(
        c.customer_number
        for c in portal.development.customers
        if str(c.company_id) == company and c.customer_number != order["customerNumber"]
    )
    other = portal.token(company, other_number)
    others_before = await portal.ask(other, ORDERS)
    bc_reads(portal)
    responses = gateway_state(portal.app).responses
    assert responses is not None
    hits = responses.stats["hit"]

    still = await portal.ask(owner, ORDER, n=order["number"])
    assert bc_reads(portal) == 0  # kept: BC has not told the gateway yet
    assert still["data"] == before["data"]
    assert responses.stats["hit"] == hits + 1  # the whole response, kept

    await deliver(portal, clock)
    bc_reads(portal)
    stale = responses.stats["stale"]
    after = await portal.ask(owner, ORDER, n=order["number"])
    assert responses.stats["stale"] == stale + 1  # the event made the kept response stale
    owner_reads = bc_reads(portal)
    others_after = await portal.ask(other, ORDERS)
    other_reads = bc_reads(portal)

    def shipped_quantity(body: dict[str, Any]) -> float:
        return sum(float(line["shippedQuantity"]) for line in body["data"]["order"]["lines"])

    shipments = [s["number"] for s in after["data"]["order"]["shipments"]]
    assert shipment in shipments
    assert shipment not in [s["number"] for s in before["data"]["order"]["shipments"]]
    assert shipped_quantity(after) > shipped_quantity(before)
    assert owner_reads > 0  # the order and its shipments read again, long before their time to live
    assert other_reads == 0  # another customer's kept answers are untouched
    assert others_after["data"] == others_before["data"]


async def test_a_collection_makes_every_customer_of_the_company_read_that_set_again_once(
    portal: Portal,
) -> None:
    company_id = sandbox_of(portal.sandbox).store.companies[0]["id"]
    company = str(company_id)
    numbers = sorted(
        {c.customer_number for c in portal.development.customers if str(c.company_id) == company}
    )[:2]
    tokens = [portal.token(company, number) for number in numbers]
    for token in tokens:
        await portal.ask(token, ORDERS)
    bc_reads(portal)
    for token in tokens:
        await portal.ask(token, ORDERS)
    assert bc_reads(portal) == 0  # both kept

    resync = ResourceResync(company_id, "v2.0", "salesOrders", None, "collection")
    await service_of(portal.app).dispatcher.resync(resync)

    again = [bc_reads(portal, "salesOrders") for token in tokens if await portal.ask(token, ORDERS)]
    once_more = [bc_reads(portal, "salesOrders") for token in tokens if await portal.ask(token, ORDERS)]
    assert all(reads > 0 for reads in again)  # each customer's orders re-read from BC …
    assert once_more == [0, 0]  # … once
