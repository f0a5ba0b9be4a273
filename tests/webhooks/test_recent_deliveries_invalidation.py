"""A customer's recent tracking and proof of delivery (docs/caching.md, "Recent tracking and
proof of delivery") are kept under the customer's shipments: a staff shipment of the customer,
once BC notifies it, drops them, and another customer's stay kept."""

from __future__ import annotations

from typing import Any

import pytest

from gateway.sandbox.app import sandbox_of
from tests.sandbox.webhooks.support import FakeClock
from tests.webhooks.test_invalidation import Portal, bc_reads, deliver, portal

pytestmark = pytest.mark.anyio

__all__ = ["portal"]  # the fixture, shared with test_invalidation

ORDER = """query($n: String!) {
  order(number: $n) { number shipments { number trackingNumber proofOfDelivery { id } } }
}"""


def shipped_and_open(portal: Portal, company: str) -> list[tuple[str, list[str], list[dict[str, Any]]]]:
    """Each customer with two shipped orders or more: (customer, those orders, its open orders
    staff may ship)."""
    store = sandbox_of(portal.sandbox).store
    orders = store.table(company, "v2.0", "salesOrders")
    shipped = {row["orderNumber"] for row in store.table(company, "v2.0", "salesShipments")}
    found = []
    for customer in sorted({row["customerNumber"] for row in orders}):
        mine = sorted(
            (row for row in orders if row["customerNumber"] == customer), key=lambda row: row["orderDate"]
        )
        done = [row["number"] for row in reversed(mine) if row["number"] in shipped]
        shippable = [row for row in mine if row["status"] == "Open" and row["number"] not in shipped]
        if len(done) >= 2:
            found.append((customer, done, shippable))
    return found


async def test_a_staff_shipment_drops_its_customers_recent_tracking_only(
    portal: Portal, clock: FakeClock
) -> None:
    company = str(sandbox_of(portal.sandbox).store.companies[0]["id"])
    found = shipped_and_open(portal, company)
    customer, orders, shippable = next(c for c in found if c[2])
    other, others, _ = next(c for c in found if c[0] != customer)
    mine, theirs = portal.token(company, customer), portal.token(company, other)
    await portal.ask(mine, ORDER, n=orders[0])
    await portal.ask(theirs, ORDER, n=others[0])
    bc_reads(portal)
    await portal.ask(mine, ORDER, n=orders[1])
    assert bc_reads(portal, "shipmentTrackings") == 0  # served from the recent ones kept

    for order in shippable:
        shipped = await portal.http.post(
            "/_sandbox/staff/ship", json={"company": company, "order": order["number"]}
        )
        if shipped.status_code == 200:
            break
    else:
        pytest.fail("none of the customer's open orders could be shipped")
    await deliver(portal, clock)
    bc_reads(portal)

    await portal.ask(mine, ORDER, n=orders[1])
    # Read again: its shipments' by number, the customer's recent ones along.
    assert bc_reads(portal, "shipmentTrackings") == 2
    await portal.ask(theirs, ORDER, n=others[1])
    assert bc_reads(portal, "shipmentTrackings") == 0
