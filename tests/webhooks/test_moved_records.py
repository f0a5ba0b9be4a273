"""An order staff move to another customer leaves the previous one's kept answers as soon as BC
notifies it (docs/caching.md, "A record moved to another customer").

BC lets staff change an open order's sell-to customer.  Its notification is an update of the
order, and the owner read names the new customer only: before, the previous customer kept seeing
the order — by number and in their lists — until the time to live ran out (10 minutes here, as
with webhooks on), and an owner remembered from an earlier change named the wrong customer.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from starlette.applications import Starlette

from gateway.sandbox.app import sandbox_of
from gateway.sandbox.staff.desk import Desk
from gateway.settings import Settings
from gateway.store import StoreSettings
from tests.redis_server import RedisServer
from tests.sandbox.webhooks.support import FakeClock
from tests.webhooks.conftest import WEBHOOKS, service_of, two_replicas, until
from tests.webhooks.test_endpoint import notification, post
from tests.webhooks.test_invalidation import CACHE, Portal, deliver, portal

pytestmark = pytest.mark.anyio

__all__ = ["portal"]  # the fixture, shared with test_invalidation

ORDER = "query($n: String!) { order(number: $n) { number } }"
ORDERS = "{ orders(first: 20) { nodes { number } } }"


def numbers(body: dict[str, Any]) -> list[str]:
    return [node["number"] for node in body["data"]["orders"]["nodes"]]


def shown(body: dict[str, Any]) -> str | None:
    order = body["data"]["order"]
    return order["number"] if order else None


@dataclass
class Move:
    """An open, unshipped order of customer A that A's orders page shows, and customer B it may
    move to (billed in the same currency, neither blocked): their numbers and tokens."""

    company: str
    order: dict[str, Any]
    a_number: str
    b_number: str
    a: str
    b: str

    @property
    def number(self) -> str:
        return str(self.order["number"])


def movable_orders(
    sandbox: Starlette, company: str, signed_in: set[str]
) -> Iterator[tuple[dict[str, Any], str]]:
    """Open, unshipped orders of a customer of ``signed_in``, each with another customer of
    ``signed_in`` it may move to (billed in the same currency; neither is blocked)."""
    store = sandbox_of(sandbox).store
    customers = {
        c["number"]: c
        for c in store.table(company, "v2.0", "customers")
        if c["blocked"] == "_x0020_" and c["number"] in signed_in
    }
    lines = store.table(company, "v2.0", "salesOrderLines")
    for order in store.table(company, "v2.0", "salesOrders"):
        shipped = any(line["shippedQuantity"] for line in lines if line["documentId"] == order["id"])
        if order["status"] != "Draft" or shipped or order["customerNumber"] not in customers:
            continue
        others = [
            number
            for number, c in customers.items()
            if number != order["customerNumber"] and c["currencyCode"] == order["currencyCode"]
        ]
        if others:
            yield order, others[0]


async def movable_order(portal: Portal) -> Move:
    company = str(sandbox_of(portal.sandbox).store.companies[0]["id"])
    signed_in = {c.customer_number for c in portal.development.customers if str(c.company_id) == company}
    for order, other in movable_orders(portal.sandbox, company, signed_in):
        owner = order["customerNumber"]
        a = portal.token(company, owner)
        if order["number"] in numbers(await portal.ask(a, ORDERS)):
            return Move(company, order, owner, other, a, portal.token(company, other))
    pytest.fail("no open order of the demo world can move to another customer")


async def move(portal: Portal, moving: Move, customer: str) -> None:
    """Staff change the order's customer in BC."""
    options = {"company": moving.company, "order": moving.number, "customer": customer}
    moved = await portal.http.post("/_sandbox/staff/reassign", json=options)
    assert moved.status_code == 200, moved.text


async def test_the_previous_customer_stops_seeing_a_moved_order_once_bc_notifies_it(
    portal: Portal, clock: FakeClock
) -> None:
    moving = await movable_order(portal)
    a, b, number = moving.a, moving.b, moving.number
    # Both customers' answers are kept: A's page and order, B's page and the number (no order).
    assert number in numbers(await portal.ask(a, ORDERS))
    assert shown(await portal.ask(a, ORDER, n=number)) == number
    assert number not in numbers(await portal.ask(b, ORDERS))
    assert shown(await portal.ask(b, ORDER, n=number)) is None

    await move(portal, moving, moving.b_number)
    await deliver(portal, clock)

    assert shown(await portal.ask(a, ORDER, n=number)) is None
    assert number not in numbers(await portal.ask(a, ORDERS))
    assert shown(await portal.ask(b, ORDER, n=number)) == number
    assert number in numbers(await portal.ask(b, ORDERS))
    assert service_of(portal.app).stats.owners_moved == 1


async def test_an_order_whose_owner_was_remembered_goes_to_its_new_customer(
    portal: Portal, clock: FakeClock
) -> None:
    moving = await movable_order(portal)
    a, b, number = moving.a, moving.b, moving.number
    # Staff edit the order first: its owner (A) is read once and remembered.
    edit = Desk(sandbox_of(portal.sandbox), moving.company, random.Random(0))
    edit.update("salesOrders", moving.order, {"externalDocumentNumber": "PO-BY-PHONE"})
    await deliver(portal, clock)
    assert number not in numbers(await portal.ask(b, ORDERS))
    assert shown(await portal.ask(b, ORDER, n=number)) is None

    await move(portal, moving, moving.b_number)
    await deliver(portal, clock)

    assert shown(await portal.ask(b, ORDER, n=number)) == number
    assert number in numbers(await portal.ask(b, ORDERS))
    assert shown(await portal.ask(a, ORDER, n=number)) is None
    assert number not in numbers(await portal.ask(a, ORDERS))


async def test_with_redis_the_replica_that_hears_of_the_move_drops_the_answers_another_kept(
    redis_server: RedisServer, live_sandbox: Starlette, clock: FakeClock
) -> None:
    shared = StoreSettings(redis_server.url, prefix=f"test-moved-{uuid.uuid4().hex[:8]}")
    settings = Settings(webhooks=WEBHOOKS, cache=CACHE, store=shared)
    async with two_replicas(settings, live_sandbox, clock) as replicas:
        second, to_second = replicas.second, replicas.to_second
        # Customers ask the first replica.
        portal = Portal(replicas.first, replicas.to_first, replicas.development, live_sandbox)
        moving = await movable_order(portal)
        a, b, number, company = moving.a, moving.b, moving.number, moving.company
        assert shown(await portal.ask(a, ORDER, n=number)) == number
        assert shown(await portal.ask(b, ORDER, n=number)) is None

        await move(portal, moving, moving.b_number)  # and BC's notification reaches the second
        sent = notification(
            second, resource=f"api/v2.0/companies({company})/salesOrders({moving.order['id']})"
        )
        sent["clientState"] = service_of(second).client_states.for_resource(
            uuid.UUID(company), "v2.0", "salesOrders"
        )
        assert (await post(to_second, sent)).status_code == 202
        stats = service_of(second).stats
        await until(lambda: stats.processed == 1)

        assert shown(await portal.ask(a, ORDER, n=number)) is None
        assert number not in numbers(await portal.ask(a, ORDERS))
        assert shown(await portal.ask(b, ORDER, n=number)) == number
        assert stats.owners_moved == 1
