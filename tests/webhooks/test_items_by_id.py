"""A line's item, read by its id, is kept while BC's ``items`` notifications come, and dropped by
the notification of that item alone (docs/caching.md, "Items read by id").

Two customers' orders share an item.  With webhooks on, the second customer's view reads none of
the items the first one's read, even once the catalogue's minute has passed; a staff stock
adjustment of one item (BC notifies ``items`` with its id) makes the next view read that item
again, and only that one, and show its new stock.  A ``collection`` of ``items`` drops every
item so kept.  Without webhooks, an item is kept the catalogue's minute, as before.  Exact BC
round trips are counted; the answer cache's counters say how many items each view read.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import pytest
from starlette.applications import Starlette

from gateway.app import create_app
from gateway.bc import DataKind, notified_by
from gateway.bc._answer_policy import Stale, invalidated_by_change
from gateway.edge.development import start_development
from gateway.edge.state import gateway_state
from gateway.sandbox.store import SandboxStore
from gateway.settings import Settings
from tests.conftest import TODAY
from tests.edge.test_reference_screens import CountingTransport
from tests.helpers import rows
from tests.sandbox.webhooks.support import FakeClock
from tests.webhooks.conftest import client_for, service_of, until
from tests.webhooks.test_invalidation import CACHE
from tests.webhooks.test_record_invalidation import Portal, portal_of

pytestmark = pytest.mark.anyio

# An order view's lines with their items, stock included (what a stock adjustment changes).
ORDER_ITEMS = """query($number: String!) {
  order(number: $number) { number lines { item { id number blocked inventory } } }
}"""
CATALOGUE_MINUTE = 61  # seconds: past the catalogue's time to live (60 s)


@pytest.fixture
async def portal(live_sandbox: Starlette, clock: FakeClock) -> AsyncIterator[Portal]:
    async with portal_of(live_sandbox, clock) as served:
        yield served


@dataclasses.dataclass(frozen=True)
class Sharing:
    """Two customers' orders that share an item, and that item's number and id."""

    first: str
    first_order: str
    second: str
    second_order: str
    item_number: str
    item_id: str


def sharing_orders(store: SandboxStore, company: str) -> Sharing:
    customers = {c["number"]: c for c in rows(store, company, "customers") if c["blocked"] == "_x0020_"}
    items = {i["id"]: i for i in rows(store, company, "items")}
    lines = [line for line in rows(store, company, "salesOrderLines") if line["lineType"] == "Item"]
    orders = [o for o in rows(store, company, "salesOrders") if o["customerNumber"] in customers]

    def items_of(order: dict[str, Any]) -> set[str]:
        return {line["itemId"] for line in lines if line["documentId"] == order["id"]}

    for first in orders:
        for second in orders:
            shared = sorted(i for i in items_of(first) & items_of(second) if items[i]["type"] == "Inventory")
            if first["customerNumber"] != second["customerNumber"] and shared:
                item = items[shared[0]]
                return Sharing(
                    first["customerNumber"],
                    first["number"],
                    second["customerNumber"],
                    second["number"],
                    item["number"],
                    item["id"],
                )
    pytest.fail("no two customers of the demo world have orders of one item")


async def view(portal: Portal, customer: str, number: str) -> list[dict[str, Any]]:
    """The order's lines' items, as the customer sees them."""
    http = portal.replicas[0][1]
    response = await http.post(
        "/graphql",
        json={"query": ORDER_ITEMS, "variables": {"number": number}},
        headers={"authorization": f"Bearer {portal.token(customer)}"},
    )
    body: dict[str, Any] = response.json()
    assert "errors" not in body, body
    return [line["item"] for line in body["data"]["order"]["lines"] if line["item"] is not None]


def items_read(app: Starlette) -> int:
    """How many item answers the cache has read from BC so far (its ``catalogue`` misses)."""
    answers = gateway_state(app).bc.answers
    assert answers is not None
    return answers.stats[("catalogue", "miss")]


async def test_an_item_one_customer_read_serves_another_after_the_catalogue_minute(portal: Portal) -> None:
    shared = sharing_orders(portal.store, portal.company)
    app = portal.replicas[0][0]
    first = await view(portal, shared.first, shared.first_order)
    read = items_read(app)
    second = await view(portal, shared.second, shared.second_order)
    # The second customer's view reads only the items the first's did not.
    first_ids = {item["id"] for item in first}
    assert items_read(app) - read == len({item["id"] for item in second} - first_ids)
    portal.requests()

    portal.clock.advance(CATALOGUE_MINUTE)  # BC's webhooks are active all along
    read = items_read(app)
    assert await view(portal, shared.first, shared.first_order) == first
    assert await view(portal, shared.second, shared.second_order) == second
    assert portal.requests() == []  # orders and items kept: not one BC request
    assert items_read(app) == read


async def test_bcs_notification_of_one_item_reads_that_item_again_and_leaves_the_others_kept(
    portal: Portal,
) -> None:
    shared = sharing_orders(portal.store, portal.company)
    app = portal.replicas[0][0]
    before = await view(portal, shared.first, shared.first_order)
    await view(portal, shared.second, shared.second_order)
    portal.requests()

    await portal.staff("stock", item=shared.item_number, quantity="10")
    await portal.deliver()  # BC notifies `items` with the item's id

    read = items_read(app)
    after = await view(portal, shared.first, shared.first_order)
    assert portal.requests() == ["GET items"]  # that item alone, once
    assert items_read(app) == read + 1
    moved = [item for item in after if item["id"].lower() == shared.item_id.lower()]
    assert moved
    assert {Decimal(item["inventory"]) for item in moved} == {_inventory(before, shared.item_id) + 10}
    assert [item for item in after if item not in moved] == [
        item for item in before if item["id"].lower() != shared.item_id.lower()
    ]
    # The other customer's view finds the item as the first view read it again.
    await view(portal, shared.second, shared.second_order)
    assert portal.requests() == []


async def test_a_collection_of_items_drops_every_item_kept_by_id(portal: Portal) -> None:
    shared = sharing_orders(portal.store, portal.company)
    app = portal.replicas[0][0]
    before = await view(portal, shared.first, shared.first_order)
    portal.requests()

    service = service_of(app)
    processed = service.stats.processed
    collection = _collection(portal, app)
    response = await portal.replicas[0][1].post("/webhooks/bc", json={"value": [collection]})
    assert response.status_code == 202
    await until(lambda: service.stats.processed > processed)

    read = items_read(app)
    assert await view(portal, shared.first, shared.first_order) == before
    assert portal.requests() == ["GET items"]  # every item of the order, in one read
    assert items_read(app) == read + len({item["id"] for item in before})


async def test_without_webhooks_an_item_is_kept_the_catalogues_minute(
    live_sandbox: Starlette, clock: FakeClock
) -> None:
    settings = Settings(cache=CACHE)
    development = start_development(settings, sandbox=live_sandbox)
    counting = CountingTransport(development.bc_transport)
    counted = dataclasses.replace(development, bc_transport=counting)
    app = create_app(
        settings, development=counted, today=lambda: TODAY, wall_clock=lambda: clock.now.timestamp()
    )
    async with app.router.lifespan_context(app), client_for(app) as http:
        portal = Portal([(app, http)], counted, live_sandbox, counting, clock)
        shared = sharing_orders(portal.store, portal.company)
        first = await view(portal, shared.first, shared.first_order)
        clock.advance(CATALOGUE_MINUTE - 2)
        assert await view(portal, shared.first, shared.first_order) == first
        portal.requests()
        read = items_read(app)
        clock.advance(2)  # the minute has passed: the items are read again, the order is kept
        assert await view(portal, shared.first, shared.first_order) == first
        assert portal.requests() == ["GET items"]
        assert items_read(app) == read + len({item["id"] for item in first})


def _inventory(items: list[dict[str, Any]], item_id: str) -> Decimal:
    found = {Decimal(item["inventory"]) for item in items if item["id"].lower() == item_id.lower()}
    assert len(found) == 1
    return found.pop()


def _collection(portal: Portal, app: Starlette) -> dict[str, Any]:
    """BC's ``collection`` notification of the company's ``items``: more changes than it lists."""
    company = portal.company
    since = (portal.clock.now - dt.timedelta(seconds=5)).strftime("%Y-%m-%dT%H:%M:%SZ")
    return {
        "subscriptionId": "5c3a36f1b0a94c1d8d3a4f7b2c1e9d01",
        "clientState": service_of(app).client_states.for_resource(company, "v2.0", "items"),
        "expirationDateTime": (portal.clock.now + dt.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "resource": f"api/v2.0/companies({company})/items?$filter=lastModifiedDateTime%20gt%20{since}",
        "changeType": "collection",
        "lastModifiedDateTime": portal.clock.now.strftime("%Y-%m-%dT%H:%M:%SZ"),
    }


def test_an_items_notification_names_only_that_items_answers_read_by_id() -> None:
    item = "5D115C9C-44E3-EA11-BB43-000D3A2FECA1"
    by_id = Stale(DataKind.CATALOGUE, company_wide=True, records=(f"item:{item.lower()}",), lists=False)
    assert invalidated_by_change("items", owner_known=False, identifiers={"id": item}) == (by_id,)
    # A collection, a resync: every item read by id, and still no list of the catalogue or stock.
    every = Stale(DataKind.CATALOGUE, company_wide=True, lists=False)
    assert invalidated_by_change("items", owner_known=False) == (every,)
    assert notified_by(DataKind.CATALOGUE, keyed=True) == {"items"}
    assert notified_by(DataKind.CATALOGUE) == notified_by(DataKind.AVAILABILITY, keyed=True) == frozenset()
