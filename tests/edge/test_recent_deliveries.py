"""A customer's order views share one read of its recent tracking and proof of delivery: the
second and later shipped-order views read neither while it is kept (docs/caching.md, "Recent
tracking and proof of delivery"), and show exactly what a read by the shipments' keys shows."""

from __future__ import annotations

import random
import uuid
from decimal import Decimal
from typing import Any

import pytest

from gateway.bc import CacheSettings
from gateway.edge.development import Development
from gateway.sandbox.app import sandbox_of
from gateway.sandbox.staff.desk import Desk, StaffError
from gateway.sandbox.staff.orders import ship
from gateway.sandbox.store import PORTAL_ROUTE, SandboxStore
from gateway.settings import Settings
from gateway.store import StoreSettings
from tests.edge.conftest import FakeClock
from tests.edge.test_order_view_cost import Served, gateway_over, served, served_token
from tests.edge.test_reference_screens import CountingTransport
from tests.helpers import rows
from tests.redis_server import RedisServer

pytestmark = pytest.mark.anyio

__all__ = ["served"]  # the fixture, shared with test_order_view_cost

PORTAL_READS = {"shipmentTrackings", "deliveryDocuments", "shippingAgents"}
CACHE_OFF = Settings(cache=CacheSettings(enabled=False))


def _portal(store: SandboxStore, company: str, entity_set: str) -> list[dict[str, Any]]:
    return store.table(company, PORTAL_ROUTE, entity_set)


def _shipped_orders(store: SandboxStore, company: str, customer: str) -> list[str]:
    """The customer's open orders with a posted shipment, newest first."""
    shipments = {row["orderNumber"] for row in rows(store, company, "salesShipments")}
    mine = [
        row
        for row in rows(store, company, "salesOrders")
        if row["customerNumber"] == customer and row["number"] in shipments
    ]
    return [row["number"] for row in sorted(mine, key=lambda row: row["orderDate"], reverse=True)]


def _with_and_without_proof(store: SandboxStore, *, unshipped: bool = False) -> tuple[str, str, list[str]]:
    """(company, customer, its shipped open orders, newest first): a customer whose shipments
    have proof of delivery and some that have none (``unshipped``: and an open order that is not
    shipped yet)."""
    company = store.companies[0]["id"]
    documents = {row["shipmentId"] for row in _portal(store, company, "deliveryDocuments")}
    customers = sorted({row["customerNumber"] for row in rows(store, company, "salesOrders")})
    for customer in customers:
        shipments = [
            row for row in rows(store, company, "salesShipments") if row["customerNumber"] == customer
        ]
        orders = _shipped_orders(store, company, customer)
        proved = {row["id"] in documents for row in shipments if row["orderNumber"] in orders}
        if (
            len(orders) >= 3
            and proved == {True, False}
            and (not unshipped or _unshipped(store, company, customer))
        ):
            return company, customer, orders
    raise AssertionError("no customer with shipments with and without proof of delivery")


def _unshipped(store: SandboxStore, company: str, customer: str) -> list[dict[str, Any]]:
    shipped = set(_shipped_orders(store, company, customer))
    return [
        row
        for row in rows(store, company, "salesOrders")
        if row["customerNumber"] == customer and row["number"] not in shipped
    ]


def _tracking_numbers(store: SandboxStore, company: str) -> dict[str, str | None]:
    """Each shipment's package tracking number, as BC holds it (blank: none)."""
    return {
        row["shipmentNumber"]: row["packageTrackingNumber"] or None
        for row in _portal(store, company, "shipmentTrackings")
    }


async def _view(served: Served, token: str, number: str) -> dict[str, Any]:
    order: dict[str, Any] = (await served.ask("PortalOrder", token, number=number))["data"]["order"]
    return order


async def _views_without_cache(
    development: Development, clock: FakeClock, customer: str, company: str, numbers: list[str]
) -> dict[str, dict[str, Any]]:
    """Each order's view as a gateway that keeps nothing shows it: read by the shipments' keys."""
    counting = CountingTransport(development.bc_transport)
    async with gateway_over(development, counting, clock, CACHE_OFF) as client:
        off = Served(client, counting, None, clock, development)
        token = served_token(off, customer, company)
        return {number: await _view(off, token, number) for number in numbers}


async def test_a_customers_second_shipped_order_view_reads_nothing_from_bc(
    served: Served, shared_store: SandboxStore
) -> None:
    company, customer, orders = _with_and_without_proof(shared_store)
    token = served_token(served, customer, company)
    await served.ask("PortalOrders", token, first=20)  # the orders and their documents, kept
    first, second = orders[:2]
    await _view(served, token, first)  # reads its tracking and proof of delivery, and the recent ones
    served.clear()

    order = await _view(served, token, second)

    assert order["shipments"]
    assert served.reads() == []
    assert served.counting.requests == []


@pytest.mark.writes
async def test_a_customer_with_years_of_delivery_documents_reads_nothing_for_its_second_view(
    served: Served, store: SandboxStore, sandbox: Any, development: Development, clock: FakeClock
) -> None:
    """More documents than any one list would carry (the customer's older shipments'): each
    recent shipment's documents still come complete with its tracking row, so the second view
    reads nothing, and shows what reads by the shipments' keys show."""
    company, customer, orders = _with_and_without_proof(store)
    _scan_old_proofs(store, sandbox, company, customer, count=120)
    token = served_token(served, customer, company)
    await served.ask("PortalOrders", token, first=20)
    await _view(served, token, orders[0])
    served.clear()

    order = await _view(served, token, orders[1])

    assert order["shipments"]
    assert served.counting.requests == []
    expected = await _views_without_cache(development, clock, customer, company, orders[1:2])
    assert order == expected[orders[1]]


def _scan_old_proofs(store: SandboxStore, sandbox: Any, company: str, customer: str, *, count: int) -> None:
    """``count`` more delivery documents of the customer, on its oldest shipment (years of
    scanned delivery notes, as BC's Document Attachment table holds them)."""
    shipments = [row for row in rows(store, company, "salesShipments") if row["customerNumber"] == customer]
    oldest = min(shipments, key=lambda row: (row["postingDate"], row["number"]))
    model = _portal(store, company, "deliveryDocuments")[0]
    desk = Desk(sandbox_of(sandbox), company, random.Random(0))
    for index in range(count):
        desk.insert(
            "deliveryDocuments",
            {
                **model,
                "id": desk.new_id(),
                "shipmentId": oldest["id"],
                "shipmentNumber": oldest["number"],
                "customerNumber": customer,
                "fileName": f"POD-{oldest['number']}-{index:03}.pdf",
                "lastModifiedDateTime": f"{oldest['postingDate']}T12:00:00Z",
            },
            PORTAL_ROUTE,
        )
    mine = [row for row in _portal(store, company, "deliveryDocuments") if row["customerNumber"] == customer]
    assert len(mine) > count  # more than any one list of the customer's documents would carry


@pytest.mark.writes
async def test_an_expanded_document_of_another_customer_proves_nothing_and_is_never_shown(
    served: Served, store: SandboxStore, sandbox: Any
) -> None:
    """Expanded documents are checked as rows are: one not the customer's (BC may drop a filter,
    REFERENCE §14) leaves its shipment's documents to the read by id, which never shows it."""
    company, customer, orders = _with_and_without_proof(store)
    [shipment, *_] = [
        row
        for row in rows(store, company, "salesShipments")
        if row["orderNumber"] == orders[1] and row["customerNumber"] == customer
    ]
    other = next(row for row in rows(store, company, "customers") if row["number"] != customer)["number"]
    desk = Desk(sandbox_of(sandbox), company, random.Random(0))
    foreign = desk.insert(
        "deliveryDocuments",
        {
            **_portal(store, company, "deliveryDocuments")[0],
            "id": desk.new_id(),
            "shipmentId": shipment["id"],
            "shipmentNumber": shipment["number"],
            "customerNumber": other,
            "fileName": "someone-elses.pdf",
        },
        PORTAL_ROUTE,
    )
    token = served_token(served, customer, company)
    await _view(served, token, orders[0])
    served.clear()

    order = await _view(served, token, orders[1])

    shown = {pod["id"] for s in order["shipments"] for pod in s["proofOfDelivery"]}
    assert foreign["id"] not in shown
    assert "deliveryDocuments" in served.reads()  # read by the shipments' ids
    assert "shipmentTrackings" not in served.reads()  # the tracking still proved


async def test_what_the_recent_reads_prove_is_what_reads_by_the_shipments_keys_show(
    served: Served, shared_store: SandboxStore, development: Development, clock: FakeClock
) -> None:
    """Tracking, carriers and proof of delivery — files of a shipment, or none — as the reads by
    key show them, without reading any (after the first view)."""
    company, customer, orders = _with_and_without_proof(shared_store)
    token = served_token(served, customer, company)
    await served.ask("PortalOrders", token, first=20)
    await _view(served, token, orders[0])
    served.clear()

    newest = orders[1:6]  # its newest orders, as on its dashboard

    kept = {number: await _view(served, token, number) for number in newest}

    assert not PORTAL_READS & set(served.reads())
    assert kept == await _views_without_cache(development, clock, customer, company, newest)
    shown = [shipment for order in kept.values() for shipment in order["shipments"]]
    assert any(shipment["proofOfDelivery"] for shipment in shown)
    assert any(not shipment["proofOfDelivery"] for shipment in shown)
    assert any(shipment["trackingNumber"] for shipment in shown)


async def test_another_customers_recent_reads_serve_nobody_else(
    served: Served, shared_store: SandboxStore
) -> None:
    company, customer, orders = _with_and_without_proof(shared_store)
    await _view(served, served_token(served, customer, company), orders[0])
    other = next(
        number
        for number in sorted({row["customerNumber"] for row in rows(shared_store, company, "salesOrders")})
        if number != customer and _shipped_orders(shared_store, company, number)
    )
    token = served_token(served, other, company)
    served.clear()

    order = await _view(served, token, _shipped_orders(shared_store, company, other)[0])

    # Its own tracking and proof of delivery, read from BC: nothing the first customer's read kept.
    assert {"shipmentTrackings", "deliveryDocuments"} <= set(served.reads())
    tracking = _tracking_numbers(shared_store, company)
    assert [s["trackingNumber"] for s in order["shipments"]] == [
        tracking[s["number"]] for s in order["shipments"]
    ]
    theirs = {
        row["id"] for row in rows(shared_store, company, "salesShipments") if row["customerNumber"] == other
    }
    files = {row["id"]: row["shipmentId"] for row in _portal(shared_store, company, "deliveryDocuments")}
    assert all(files[pod["id"]] in theirs for s in order["shipments"] for pod in s["proofOfDelivery"])
    # Nor can it ask for the first customer's order.
    assert (await served.ask("PortalOrder", token, number=orders[1]))["data"]["order"] is None


@pytest.mark.writes
async def test_a_shipment_posted_after_the_recent_read_is_read_by_its_number(
    served: Served, store: SandboxStore, sandbox: Any
) -> None:
    company, customer, orders = _with_and_without_proof(store, unshipped=True)
    token = served_token(served, customer, company)
    await _view(served, token, orders[0])  # the customer's recent tracking and proof, kept
    desk = Desk(sandbox_of(sandbox), company, random.Random(0))
    for order in _unshipped(store, company, customer):
        try:
            posted = ship(desk, order, Decimal(1))
        except StaffError:
            continue
        break
    else:
        pytest.fail("none of the customer's open orders could be shipped")
    number = posted.split("on shipment ")[1].rstrip(".")
    served.clear()

    view = await _view(served, token, order["number"])

    [shipment] = [s for s in view["shipments"] if s["number"] == number]
    assert shipment["proofOfDelivery"] == []
    assert shipment["trackingNumber"] == _tracking_numbers(store, company)[number]
    # Read by its number, and by nothing else: the customer's recent ones are still kept.
    trackings = [e.filter for e in served.bc_log.entries if e.entity_set == "shipmentTrackings"]
    assert len(trackings) == 1
    assert f"'{number}'" in str(trackings[0])


async def test_with_the_cache_off_each_shipped_order_view_reads_its_own_tracking_and_proof(
    development: Development, shared_store: SandboxStore, bc_log: Any, clock: FakeClock
) -> None:
    company, customer, orders = _with_and_without_proof(shared_store)
    counting = CountingTransport(development.bc_transport)
    async with gateway_over(development, counting, clock, CACHE_OFF) as client:
        off = Served(client, counting, bc_log, clock, development)
        token = served_token(off, customer, company)
        for number in orders[:2]:
            off.clear()
            await _view(off, token, number)
            assert sorted(set(off.reads()) & PORTAL_READS) == sorted(PORTAL_READS)
            assert off.reads().count("shipmentTrackings") == 1
            assert off.reads().count("deliveryDocuments") == 1
            assert sorted(off.counting.requests) == ["GET items", "POST $batch", "POST $batch"]


async def test_with_redis_a_replica_serves_the_recent_reads_another_replica_made(
    development: Development,
    shared_store: SandboxStore,
    bc_log: Any,
    clock: FakeClock,
    redis_server: RedisServer,
) -> None:
    company, customer, orders = _with_and_without_proof(shared_store)
    shared = Settings(store=StoreSettings(redis_server.url, prefix=f"test-recent-{uuid.uuid4().hex[:8]}"))
    one, two = CountingTransport(development.bc_transport), CountingTransport(development.bc_transport)
    async with (
        gateway_over(development, one, clock, shared) as first,
        gateway_over(development, two, clock, shared) as second,
    ):
        by_one = Served(first, one, bc_log, clock, development)
        by_two = Served(second, two, bc_log, clock, development)
        token = served_token(by_one, customer, company)
        await by_one.ask("PortalOrders", token, first=20)
        await _view(by_one, token, orders[0])
        by_two.clear()

        order = await _view(by_two, token, orders[1])

    # Whatever else it reads, its tracking and proof of delivery come from the first's reads.
    assert order["shipments"]
    assert not PORTAL_READS & set(by_two.reads())


async def test_under_memory_pressure_views_read_by_key_and_show_the_same(
    development: Development, shared_store: SandboxStore, bc_log: Any, clock: FakeClock
) -> None:
    """Nothing kept in memory long: the recent reads are not there to prove anything, and each
    view reads its shipments' tracking and proof by key, as before."""
    company, customer, orders = _with_and_without_proof(shared_store)
    pressed = Settings(cache=CacheSettings(memory_rows=3))
    counting = CountingTransport(development.bc_transport)
    async with gateway_over(development, counting, clock, pressed) as client:
        tight = Served(client, counting, bc_log, clock, development)
        token = served_token(tight, customer, company)
        views = {}
        for number in orders[:3]:
            tight.clear()
            views[number] = await _view(tight, token, number)
            assert {"shipmentTrackings", "deliveryDocuments"} <= set(tight.reads())

    assert views == await _views_without_cache(development, clock, customer, company, orders[:3])
