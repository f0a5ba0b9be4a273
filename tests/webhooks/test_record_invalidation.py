"""A change of one record makes stale the answers that can hold it, not every answer of its
owner's kind (docs/caching.md, "Invalidation by record").

The customer has viewed orders N and M.  Staff ship N: BC's notification names the shipment and
its order, so N's view reads BC again while M's view, and every answer of another customer,
stays kept.  The customer's own reorder leaves M's view kept while their orders page shows the
new order.  Where the record cannot be named (a deleted order whose remembered owner has no
number), every order view of the customer goes, as before.  Exact BC round trips are counted
(a ``$batch`` is one).
"""

from __future__ import annotations

import dataclasses
import random
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from gateway.app import create_app
from gateway.edge.development import Development, mint_for, start_development
from gateway.edge.state import gateway_state
from gateway.sandbox.app import sandbox_of
from gateway.sandbox.staff.desk import Desk
from gateway.sandbox.store import SandboxStore
from gateway.settings import Settings
from gateway.store import StoreSettings
from tests.conftest import TODAY
from tests.edge.test_order_view_cost import PORTAL
from tests.edge.test_reference_screens import CountingTransport
from tests.edge.test_reorder import unblocked
from tests.helpers import rows
from tests.redis_server import RedisServer
from tests.sandbox.webhooks.support import FakeClock
from tests.webhooks.conftest import WEBHOOKS, client_for, service_of, until
from tests.webhooks.test_invalidation import CACHE

pytestmark = pytest.mark.anyio

# The order and its archives (ORDERS) in one $batch; its documents by order number are kept.
ORDER_ONLY = ["POST $batch"]


@dataclasses.dataclass
class Portal:
    """Replicas of a gateway over one live sandbox; BC round trips counted across them."""

    replicas: list[tuple[Starlette, httpx.AsyncClient]]
    development: Development
    sandbox: Starlette
    counting: CountingTransport
    clock: FakeClock

    @property
    def store(self) -> SandboxStore:
        return sandbox_of(self.sandbox).store

    @property
    def company(self) -> str:
        return str(self.store.companies[0]["id"])

    def token(self, customer: str) -> str:
        found = next(
            c
            for c in self.development.customers
            if str(c.company_id) == self.company and c.customer_number == customer
        )
        return mint_for(self.development, found)

    async def ask(self, token: str, operation: str, *, replica: int = 0, **variables: Any) -> dict[str, Any]:
        response = await self.replicas[replica][1].post(
            "/graphql",
            json={"query": PORTAL[operation], "variables": variables},
            headers={"authorization": f"Bearer {token}"},
        )
        body: dict[str, Any] = response.json()
        assert response.status_code == 200, body
        assert "errors" not in body, body
        data: dict[str, Any] = body["data"]
        return data

    def requests(self) -> list[str]:
        """BC round trips since the last call."""
        made = sorted(self.counting.requests)
        self.counting.requests.clear()
        return made

    async def staff(self, action: str, **options: str) -> dict[str, Any]:
        answer = await self.replicas[0][1].post(
            f"/_sandbox/staff/{action}", json={"company": self.company, **options}
        )
        assert answer.status_code == 200, answer.text
        outcome: dict[str, Any] = answer.json()
        return outcome

    async def deliver(self, replica: int = 0) -> None:
        """BC's notification job after its 30 s, processed by ``replica``."""
        app = self.replicas[replica][0]
        sandbox_of(self.sandbox).webhooks.deliver_through(httpx.ASGITransport(app=app))
        service = service_of(app)
        before = service.stats.processed
        self.clock.advance(30)
        made = await sandbox_of(self.sandbox).webhooks.deliver_due()
        sent = sum(len(delivery.entries) for delivery in made)
        # Every notification of the job (orders, shipments, each item a shipment moved) processed.
        await until(lambda: service.stats.processed >= before + sent)
        self.requests()  # the owner reads of the notifications


@asynccontextmanager
async def portal_of(
    sandbox: Starlette, clock: FakeClock, store: StoreSettings | None = None, replicas: int = 1
) -> AsyncIterator[Portal]:
    settings = Settings(webhooks=WEBHOOKS, cache=CACHE, store=store or StoreSettings())
    development = start_development(settings, sandbox=sandbox)
    counting = CountingTransport(development.bc_transport)
    counted = dataclasses.replace(development, bc_transport=counting)
    apps = [
        create_app(
            settings, development=counted, today=lambda: TODAY, wall_clock=lambda: clock.now.timestamp()
        )
        for _ in range(replicas)
    ]
    async with _serving(apps) as clients:
        await until(lambda: any(service_of(app).manager.reported.is_set() for app in apps))
        yield Portal(list(zip(apps, clients, strict=True)), counted, sandbox, counting, clock)


@asynccontextmanager
async def _serving(apps: list[Starlette]) -> AsyncIterator[list[httpx.AsyncClient]]:
    if not apps:
        yield []
        return
    first, *rest = apps
    async with first.router.lifespan_context(first), client_for(first) as client, _serving(rest) as others:
        yield [client, *others]


@pytest.fixture
async def portal(live_sandbox: Starlette, clock: FakeClock) -> AsyncIterator[Portal]:
    async with portal_of(live_sandbox, clock) as served:
        yield served


def _shipped(store: SandboxStore, company: str, number: str) -> bool:
    return any(row["orderNumber"] == number for row in rows(store, company, "salesShipments"))


def _item_lines(store: SandboxStore, company: str, order: dict[str, Any]) -> list[dict[str, Any]]:
    lines = rows(store, company, "salesOrderLines")
    return [line for line in lines if line["documentId"] == order["id"] and line["lineType"] == "Item"]


def two_open_orders(portal: Portal) -> tuple[str, dict[str, Any], dict[str, Any], str]:
    """(a customer, an open order N staff can ship, another open order M, not shipped, with item
    lines, another customer with open orders)."""
    store, company = portal.store, portal.company
    orders = [o for o in rows(store, company, "salesOrders") if o["status"] == "Open"]
    customers = {c["number"]: c for c in rows(store, company, "customers")}
    for number in sorted({o["customerNumber"] for o in orders}):
        if customers[number]["blocked"] != "_x0020_":
            continue
        mine = [o for o in orders if o["customerNumber"] == number and _item_lines(store, company, o)]
        unshipped = [o for o in mine if not _shipped(store, company, o["number"])]
        if len(mine) >= 2 and unshipped:
            m = unshipped[0]
            n = next(o for o in mine if o is not m)
            other = next(o["customerNumber"] for o in orders if o["customerNumber"] != number)
            return number, n, m, other
    pytest.fail("no customer of the demo world has two open orders")


async def views(portal: Portal, token: str, *numbers: str, replica: int = 0) -> list[dict[str, Any]]:
    return [(await portal.ask(token, "PortalOrder", replica=replica, number=n))["order"] for n in numbers]


async def viewed_source(portal: Portal) -> tuple[str, dict[str, Any], dict[str, Any]]:
    """A customer's token, an open order M of theirs to reorder (its items unblocked) and M's view,
    which the customer has just opened."""
    customer, _, m, _ = two_open_orders(portal)
    unblocked(portal.store, portal.company)
    token = portal.token(customer)
    (view,) = await views(portal, token, m["number"])
    return token, m, view


async def reordered(portal: Portal, token: str, number: str, key: str) -> str:
    """The number of the customer's reorder of ``number``; BC round trips forgotten."""
    placed = await portal.ask(token, "PortalReorder", input={"orderNumber": number, "idempotencyKey": key})
    assert placed["reorder"]["__typename"] == "PlacedOrder", placed
    portal.requests()
    new: str = placed["reorder"]["order"]["number"]
    return new


def responses(app: Starlette) -> Counter[str]:
    """The whole-response cache's counters: ``hit``, ``miss``, ``stale``."""
    kept = gateway_state(app).responses
    assert kept is not None
    return kept.stats


async def test_a_shipment_of_one_order_reads_that_order_again_and_leaves_the_others_kept(
    portal: Portal,
) -> None:
    customer, n, m, other = two_open_orders(portal)
    token, theirs = portal.token(customer), portal.token(other)
    before_n, before_m = await views(portal, token, n["number"], m["number"])
    await portal.ask(token, "PortalDashboard")
    others = await portal.ask(theirs, "PortalOrders", first=20)
    other_order = others["orders"]["nodes"][0]["number"]
    other_view = await views(portal, theirs, other_order)
    portal.requests()
    assert await views(portal, token, n["number"], m["number"]) == [before_n, before_m]
    await portal.ask(token, "PortalDashboard")  # its whole response kept now (not the first's)
    assert portal.requests() == []  # kept

    shipped = await portal.staff("ship", order=n["number"])
    shipment = next(c["number"] for c in shipped["changes"] if c["entitySet"] == "salesShipments")
    await portal.deliver()

    counted = responses(portal.replicas[0][0])
    stale = counted["stale"]
    assert await views(portal, token, m["number"]) == [before_m]
    # M's view: its order's answers are kept; only the items it shares with N, whose shipment BC
    # notified for each item it moved (docs/caching.md, "Items read by id"), are read again.
    assert portal.requests() == ["GET items"]
    assert counted["stale"] == stale + 1  # its whole response went with those items' generations

    (after_n,) = await views(portal, token, n["number"])
    assert sorted(s["number"] for s in after_n["shipments"]) == sorted(
        [*(s["number"] for s in before_n["shipments"]), shipment]
    )
    # N's order, archives and shipments again (one $batch), then its new shipment's tracking and
    # proof of delivery (one of the portal API), and the items the shipment moved that M's view
    # did not read again; its invoices stay kept.
    assert portal.requests() == ["GET items", "POST $batch", "POST $batch"]

    assert counted["stale"] == stale + 2  # N's whole response went with N's generation
    await portal.ask(token, "PortalDashboard")
    assert portal.requests() == ["POST $batch"]  # its orders read again; balance, invoices kept
    assert counted["stale"] == stale + 3  # the dashboard's went with the customer's lists
    assert await portal.ask(theirs, "PortalOrders", first=20) == others
    assert await views(portal, theirs, other_order) == other_view
    assert portal.requests() == []  # another customer's answers are untouched


async def test_a_reorder_leaves_the_copied_orders_view_kept_and_puts_the_new_order_on_the_page(
    portal: Portal,
) -> None:
    token, m, before_m = await viewed_source(portal)
    page = await portal.ask(token, "PortalOrders", first=20)
    portal.requests()

    new = await reordered(portal, token, m["number"], "per-record-reorder")

    assert await views(portal, token, m["number"]) == [before_m]
    assert portal.requests() == []  # the source order's view is still kept
    after = await portal.ask(token, "PortalOrders", first=20)
    assert new in [node["number"] for node in after["orders"]["nodes"]]
    assert new not in [node["number"] for node in page["orders"]["nodes"]]
    # The customer's lists were read again — riding along the reorder's read-back, after the
    # write's invalidation (docs/caching.md, "Read with the write's read-back"): no request now.
    assert portal.requests() == []
    (placed_view,) = await views(portal, token, new)
    assert placed_view["number"] == new


async def test_the_new_orders_view_kept_from_the_reorder_shows_its_shipment_once_bc_notifies_it(
    portal: Portal,
) -> None:
    token, m, _ = await viewed_source(portal)  # its items kept, the new order's lines' too
    new = await reordered(portal, token, m["number"], "new-order-view")
    (before,) = await views(portal, token, new)
    # Its posted documents and archives (none) rode along the reorder's read-back.
    assert portal.requests() == []
    assert before["shipments"] == []

    shipped = await portal.staff("ship", order=new)
    shipment = next(c["number"] for c in shipped["changes"] if c["entitySet"] == "salesShipments")
    (still,) = await views(portal, token, new)
    assert still == before  # kept: BC has not told the gateway yet
    await portal.deliver()

    (after,) = await views(portal, token, new)
    assert [s["number"] for s in after["shipments"]] == [shipment]
    assert portal.requests() != []


async def test_a_deletion_whose_remembered_owner_has_no_number_makes_every_order_view_stale(
    portal: Portal,
) -> None:
    customer, n, m, _ = two_open_orders(portal)
    token = portal.token(customer)
    await views(portal, token, n["number"], m["number"])
    company = uuid.UUID(portal.company)
    deleted = next(
        o
        for o in rows(portal.store, portal.company, "salesOrders")
        if o["customerNumber"] == customer and o["number"] not in (n["number"], m["number"])
    )
    # What a kept read that did not select the number remembers of the order (``AnswerOwners``).
    answers = gateway_state(portal.replicas[0][0]).bc.answers
    assert answers is not None
    assert await answers.owners.learn(
        company, "salesOrders", customer, [{"id": deleted["id"], "customerNumber": customer}]
    )
    portal.requests()

    Desk(sandbox_of(portal.sandbox), portal.company, random.Random(0)).delete("salesOrders", deleted)
    await portal.deliver()

    await views(portal, token, n["number"])
    assert portal.requests() == ORDER_ONLY  # which order it was is not known: N's view read again
    await views(portal, token, m["number"])
    assert portal.requests() == ORDER_ONLY  # and M's
    stats = service_of(portal.replicas[0][0]).stats
    assert (stats.owners_learned, stats.owners_unknown) == (1, 0)


async def test_with_two_replicas_on_one_redis_a_shipment_another_replica_processed_leaves_m_kept(
    redis_server: RedisServer, live_sandbox: Starlette, clock: FakeClock
) -> None:
    shared = StoreSettings(redis_server.url, prefix=f"test-per-record-{uuid.uuid4().hex[:8]}")
    async with portal_of(live_sandbox, clock, shared, replicas=2) as portal:
        customer, n, m, other = two_open_orders(portal)
        token, theirs = portal.token(customer), portal.token(other)
        before_n, before_m = await views(portal, token, n["number"], m["number"])
        others = await portal.ask(theirs, "PortalOrders", first=20, replica=1)
        portal.requests()
        assert await views(portal, token, n["number"], m["number"], replica=1) == [before_n, before_m]
        assert portal.requests() == []  # the second replica serves what the first kept

        await portal.staff("ship", order=n["number"])
        await portal.deliver(replica=1)  # the second replica processes BC's notifications

        assert await views(portal, token, m["number"]) == [before_m]
        assert await views(portal, token, m["number"], replica=1) == [before_m]
        assert portal.requests() == ["GET items"]  # the items M shares with N, once for both
        (after_n,) = await views(portal, token, n["number"])
        assert len(after_n["shipments"]) == len(before_n["shipments"]) + 1
        # N's order again, its new shipment's documents, their tracking and proof of delivery and
        # the items it moved: which of these reads share a $batch (one per API) depends on when
        # Redis answers; none is made twice.
        read = portal.requests()
        assert "POST $batch" in read
        assert set(read) <= {"POST $batch", "GET items", "GET shipmentTrackings", "GET deliveryDocuments"}
        alone = [request for request in read if request != "POST $batch"]
        assert len(alone) == len(set(alone))
        assert read.count("POST $batch") <= 2
        assert await views(portal, token, n["number"], replica=1) == [after_n]
        assert portal.requests() == []  # read once, for both replicas
        assert await portal.ask(theirs, "PortalOrders", first=20) == others
        assert portal.requests() == []
