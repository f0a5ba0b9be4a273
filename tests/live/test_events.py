"""Staff change things in BC → BC notifies → the owning customer's subscription hears it, nobody else's."""

from __future__ import annotations

import random
import uuid
from typing import Any

import anyio.lowlevel
import httpx
import pytest
from starlette.applications import Starlette

from gateway.sandbox.app import sandbox_of
from gateway.sandbox.staff.desk import Desk
from tests.live.conftest import LiveGateway, hub_of, settle
from tests.live.websocket import Socket, connect, initialised
from tests.webhooks.conftest import service_of
from tests.webhooks.test_moved_records import movable_orders

pytestmark = pytest.mark.anyio

ORDER_FIELDS = "number status lines { quantity shippedQuantity invoicedQuantity shipmentDate }"
ORDERS = f"subscription Moves {{ orderUpdated {{ {ORDER_FIELDS} }} }}"
ORDER = f"query One($number: String!) {{ order(number: $number) {{ {ORDER_FIELDS} }} }}"
DOCUMENTS = """subscription Posted { documentPosted { __typename
  ... on Shipment { number orderNumber } ... on Invoice { number } ... on CreditMemo { number } } }"""
QUERIES = "subscription Replies { queryUpdated { id status messages { author body } } }"
ITEMS = """subscription Stock($numbers: [String!]!) {
  itemAvailabilityChanged(numbers: $numbers) { number availability { onHand available } } }"""


async def subscribe(
    socket: Socket, operation_id: str, query: str, variables: dict[str, Any] | None = None
) -> None:
    await socket.send(
        {"id": operation_id, "type": "subscribe", "payload": {"query": query, "variables": variables}}
    )


async def staff_on(http: httpx.AsyncClient, company: str, action: str, **options: Any) -> dict[str, Any]:
    """What BC's staff do (``/_sandbox/staff/…`` on the development gateway)."""
    response = await http.post(f"/_sandbox/staff/{action}", json={"company": company, **options})
    assert response.status_code == 200, response.text
    outcome: dict[str, Any] = response.json()
    return outcome


async def staff(live: LiveGateway, action: str, **options: Any) -> dict[str, Any]:
    return await staff_on(live.http, live.company, action, **options)


def staff_edit(live: LiveGateway, order: dict[str, Any], changes: dict[str, Any]) -> None:
    """A member of staff edits the order in BC (BC notifies its update)."""
    Desk(sandbox_of(live.sandbox), live.company, random.Random(0)).update("salesOrders", order, changes)


def row(sandbox: Starlette, company: str, entity_set: str, record_id: str) -> dict[str, Any]:
    rows = sandbox_of(sandbox).store.table(company, "v2.0", entity_set)
    return next(r for r in rows if r["id"] == record_id)


def other_customer(live: LiveGateway, customer: str) -> str:
    return next(
        c.customer_number
        for c in live.development.customers
        if str(c.company_id) == live.company and c.customer_number != customer
    )


async def listening(live: LiveGateway, count: int) -> None:
    """Until ``count`` subscriptions listen and the company's channel is heard."""
    hub = hub_of(live.app)
    await settle(lambda: hub.feeds_listening == count and hub.listening(uuid.UUID(live.company)))


async def test_a_shipped_order_reaches_its_customer_at_once_and_nobody_else(live: LiveGateway) -> None:
    shipped = await staff(live, "ship")
    changes = {c["entitySet"]: c for c in shipped["changes"]}
    order = row(live.sandbox, live.company, "salesOrders", changes["salesOrders"]["id"])
    customer, other = order["customerNumber"], other_customer(live, order["customerNumber"])
    async with connect(live.app) as mine, connect(live.app) as theirs:
        await initialised(mine, live.token(customer))
        await initialised(theirs, live.token(other))
        await subscribe(mine, "orders", ORDERS)
        await subscribe(mine, "documents", DOCUMENTS)
        await subscribe(theirs, "orders", ORDERS)
        await subscribe(theirs, "documents", DOCUMENTS)
        await listening(live, 4)

        await live.deliver_notifications()  # BC's notification reaches the gateway
        reached_at = live.clock()
        moved = await mine.receive_until("next")
        posted = await mine.receive_until("next")
        delivered_at = live.clock()
        await settle(lambda: hub_of(live.app).stats.changes_offered >= 2)
        for _ in range(1000):
            await anyio.lowlevel.checkpoint()
        heard_by_other = theirs.pending()
        extra = mine.pending()

    by_id = {moved["id"]: moved["payload"], posted["id"]: posted["payload"]}
    now = await live.http.post(
        "/graphql",
        json={"query": ORDER, "variables": {"number": order["number"]}},
        headers={"Authorization": f"Bearer {live.token(customer)}"},
    )
    assert by_id["orders"] == {"data": {"orderUpdated": now.json()["data"]["order"]}}
    assert by_id["orders"]["data"]["orderUpdated"]["status"] in ("SHIPPED", "PARTIALLY_SHIPPED")
    assert by_id["documents"]["data"]["documentPosted"] == {
        "__typename": "Shipment",
        "number": changes["salesShipments"]["number"],
        "orderNumber": order["number"],
    }
    assert delivered_at == reached_at  # no time passed: no timer, no poll between the two
    assert heard_by_other == []
    assert extra == []  # the order moved once for the customer (order updated + shipment posted)


async def test_a_reply_to_a_query_reaches_its_customer(live: LiveGateway) -> None:
    queries = sandbox_of(live.sandbox).store.table(live.company, "bcgateway/portal/v1.0", "customerQueries")
    query = next(q for q in queries if q["status"] != "Resolved")
    async with connect(live.app) as socket:
        await initialised(socket, live.token(query["customerNumber"]))
        await subscribe(socket, "q", QUERIES)
        await listening(live, 1)
        await staff(live, "answer", query=query["number"], message="The goods left us today.")
        await live.deliver_notifications()

        updated = (await socket.receive_until("next"))["payload"]["data"]["queryUpdated"]

    assert updated["id"] == query["id"]
    assert updated["status"] == "IN_PROGRESS"
    assert updated["messages"][-1] == {"author": "STAFF", "body": "The goods left us today."}


async def test_a_stock_change_reaches_those_who_watch_that_item_only(live: LiveGateway) -> None:
    items = sandbox_of(live.sandbox).store.table(live.company, "v2.0", "items")
    watched, unwatched = [i for i in items if i.get("type") == "Inventory" and not i.get("blocked")][:2]
    customer = live.development.customers[0].customer_number
    async with connect(live.app) as socket:
        await initialised(socket, live.token(customer))
        await subscribe(socket, "mine", ITEMS, {"numbers": [watched["number"]]})
        await subscribe(socket, "theirs", ITEMS, {"numbers": [unwatched["number"]]})
        await listening(live, 2)
        await staff(live, "stock", item=watched["number"], quantity=7)
        await live.deliver_notifications()

        changed = await socket.receive_until("next")
        for _ in range(1000):
            await anyio.lowlevel.checkpoint()
        rest = socket.pending()

    assert changed["id"] == "mine"
    item = changed["payload"]["data"]["itemAvailabilityChanged"]
    assert item["number"] == watched["number"]
    assert float(item["availability"]["onHand"]) == float(
        row(live.sandbox, live.company, "items", watched["id"])["inventory"]
    )
    assert rest == []


async def test_too_many_item_numbers_are_refused_before_anything_is_watched(live: LiveGateway) -> None:
    customer = live.development.customers[0].customer_number
    async with connect(live.app) as socket:
        await initialised(socket, live.token(customer))
        await subscribe(socket, "1", ITEMS, {"numbers": [f"I{n}" for n in range(51)]})

        refused = await socket.receive()

    assert refused["type"] == "error"
    assert refused["payload"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_an_order_moved_to_another_customer_reaches_the_new_one(live: LiveGateway) -> None:
    signed_in = {c.customer_number for c in live.development.customers if str(c.company_id) == live.company}
    order, new = next(movable_orders(live.sandbox, live.company, signed_in))
    previous = order["customerNumber"]
    # Staff edited the order before: the gateway remembers whose it was then.
    staff_edit(live, order, {"externalDocumentNumber": "PO-BY-PHONE"})
    await live.deliver_notifications()
    await settle(lambda: service_of(live.app).stats.processed >= 1)
    async with connect(live.app) as theirs_now, connect(live.app) as theirs_before:
        await initialised(theirs_now, live.token(new))
        await initialised(theirs_before, live.token(previous))
        await subscribe(theirs_now, "orders", ORDERS)
        await subscribe(theirs_before, "orders", ORDERS)
        await listening(live, 2)

        await staff(live, "reassign", order=order["number"], customer=new)
        await live.deliver_notifications()
        moved = await theirs_now.receive_until("next")
        for _ in range(1000):
            await anyio.lowlevel.checkpoint()
        heard_before = theirs_before.pending()

    assert moved["payload"]["data"]["orderUpdated"]["number"] == order["number"]
    # The previous customer's own read finds no order of theirs: nothing is theirs to hear.
    assert heard_before == []
