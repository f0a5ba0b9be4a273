"""What a reorder costs BC, exactly, and what it still decides on BC's state at the time.

A reorder needs the source's lines, the look-up of its reference (a retry of a committed reorder
finds that order), the customer's blocked state, the items' state, the write and the read-back
(docs/writes.md, "What a reorder costs").  The source's lines may come from the answer kept when
the customer viewed the order; everything the write is decided on is read from BC, in one $batch.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import httpx
import pytest

from gateway.bc import CacheSettings
from gateway.edge.development import Development
from gateway.sandbox.store import SandboxStore
from gateway.settings import Settings
from tests.edge.test_order_idempotency import DropAfterOrderCommits
from tests.edge.test_order_view_cost import PORTAL
from tests.edge.test_place_order import BlockItemOnOrder
from tests.edge.test_reorder import order_with_item_lines, reorderer, unblocked
from tests.edge.test_shared_writes import _on_redis
from tests.edge.writes_support import gateway_client, items, lines_of, orders_of, place, reorder
from tests.helpers import data_of, rows

pytestmark = [pytest.mark.anyio, pytest.mark.writes]

# The portal's order view, as much of it as matters here (PortalOrder asks for more fields of the
# same reads).
ORDER_VIEW = """
query($number: String!) {
  order(number: $number) { number status lines { sequence lineType number quantity item { number blocked } } }
}
"""


def bc_requests(log: Any) -> list[tuple[str, str]]:
    """The HTTP requests BC answered since the last call (a $batch is one), then forgets them."""
    asked = [(e.method, e.entity_set or e.path) for e in log.entries if not e.in_batch]
    log.clear()
    return asked


def batched_reads(log: Any) -> list[list[str]]:
    """The entity sets read inside each $batch since the last clear, in order."""
    batches: list[list[str]] = []
    current: list[str] = []
    for entry in log.entries:
        if entry.in_batch:
            current.append(entry.entity_set or entry.path)
        elif entry.entity_set == "$batch":
            batches.append(sorted(current))
            current = []
    return batches


def source(store: SandboxStore) -> tuple[str, str, dict[str, Any]]:
    company, number = reorderer(store)
    unblocked(store, company)
    return company, number, order_with_item_lines(store, company, number)


async def test_a_reorder_of_an_order_the_customer_just_viewed_costs_bc_three_requests(
    client: httpx.AsyncClient, store: SandboxStore, token_for: Callable[..., str], bc_log: Any
) -> None:
    company, number, original = source(store)
    token = token_for(number, company)
    await data_of(client, ORDER_VIEW, {"number": original["number"]}, token=token)
    bc_log.clear()

    result = await reorder(client, token, {"orderNumber": original["number"], "idempotencyKey": "viewed"})

    assert result["__typename"] == "PlacedOrder", result
    # The source's lines from the view's kept answer; one $batch for what the write is decided
    # on; the deep insert; the read-back of the order as BC priced it, the customer's first page
    # of orders riding along in its $batch (open orders, posted documents and archives).
    assert batched_reads(bc_log) == [
        ["customers", "items", "salesInvoices", "salesOrders"],
        # ... and the new order's posted documents and archives by its number, for its view.
        [
            *("salesInvoices", "salesInvoices", "salesOrderArchives", "salesOrderArchives"),
            *("salesOrders", "salesOrders", "salesShipments", "salesShipments"),
        ],
    ]
    assert bc_requests(bc_log) == [("POST", "$batch"), ("POST", "salesOrders"), ("POST", "$batch")]


async def test_a_reorder_of_an_order_not_viewed_costs_bc_four_requests(
    client: httpx.AsyncClient, store: SandboxStore, token_for: Callable[..., str], bc_log: Any
) -> None:
    company, number, original = source(store)
    bc_log.clear()

    result = await reorder(
        client, token_for(number, company), {"orderNumber": original["number"], "idempotencyKey": "cold"}
    )

    assert result["__typename"] == "PlacedOrder", result
    # The source (open, or rebuilt from its posted documents: one $batch), then as above.
    assert batched_reads(bc_log)[1:] == [
        ["customers", "items", "salesInvoices", "salesOrders"],
        # ... and the new order's posted documents and archives by its number, for its view.
        [
            *("salesInvoices", "salesInvoices", "salesOrderArchives", "salesOrderArchives"),
            *("salesOrders", "salesOrders", "salesShipments", "salesShipments"),
        ],
    ]
    assert bc_requests(bc_log) == [
        ("POST", "$batch"),
        ("POST", "$batch"),
        ("POST", "salesOrders"),
        ("POST", "$batch"),
    ]


async def test_an_item_blocked_after_the_view_is_left_out_and_reported(
    client: httpx.AsyncClient, store: SandboxStore, token_for: Callable[..., str]
) -> None:
    company, number, original = source(store)
    token = token_for(number, company)
    viewed = await data_of(client, ORDER_VIEW, {"number": original["number"]}, token=token)
    item_lines = [line for line in lines_of(store, company, original["id"]) if line["lineType"] == "Item"]
    first_item = item_lines[0]["lineObjectNumber"]
    blocked = next(item for item in rows(store, company, "items") if item["number"] == first_item)
    assert not any(line["item"] and line["item"]["blocked"] for line in viewed["order"]["lines"])
    blocked["blocked"] = True  # in BC, after the customer saw the order

    result = await reorder(client, token, {"orderNumber": original["number"], "idempotencyKey": "blocked"})

    assert result["__typename"] == "PlacedOrder", result
    skipped = [(line["sequence"], line["itemNumber"], line["code"]) for line in result["skippedLines"]]
    assert (item_lines[0]["sequence"], first_item, "ITEM_BLOCKED") in skipped
    assert blocked["number"] not in [line["number"] for line in result["order"]["lines"]]


async def test_a_customer_blocked_after_the_view_cannot_reorder(
    client: httpx.AsyncClient, store: SandboxStore, token_for: Callable[..., str], bc_log: Any
) -> None:
    company, number, original = source(store)
    token = token_for(number, company)
    await data_of(client, ORDER_VIEW, {"number": original["number"]}, token=token)
    await data_of(client, "{ me { number } }", {}, token=token)  # the account kept too
    before = len(orders_of(store, company, number))
    next(c for c in rows(store, company, "customers") if c["number"] == number)["blocked"] = "Ship"
    bc_log.clear()

    result = await reorder(client, token, {"orderNumber": original["number"], "idempotencyKey": "stopped"})

    assert result["code"] == "CUSTOMER_BLOCKED", result
    assert len(orders_of(store, company, number)) == before
    assert bc_log.count(entity_set="salesOrders", method="POST") == 0


async def test_a_retry_of_a_reorder_bc_committed_finds_it_although_the_source_is_kept(
    development: Development, store: SandboxStore, token_for: Callable[..., str], bc_log: Any
) -> None:
    company, number, original = source(store)
    token = token_for(number, company)
    before = len(orders_of(store, company, number))
    request = {"orderNumber": original["number"], "idempotencyKey": "lost"}
    # BC commits the reorder, its answer is lost and BC stays unreachable for this replica.
    flaky = DropAfterOrderCommits(development.bc_transport, then_unreachable=True)
    async with gateway_client(replace(development, bc_transport=flaky)) as first_replica:
        first = await reorder(first_replica, token, request)

    async with gateway_client(development) as other_replica:
        await data_of(other_replica, ORDER_VIEW, {"number": original["number"]}, token=token)
        bc_log.clear()
        retried = await reorder(other_replica, token, request)

    assert first["code"] == "BC_UNAVAILABLE", first
    assert retried["__typename"] == "PlacedOrder", retried
    assert len(orders_of(store, company, number)) == before + 1
    assert bc_log.count(entity_set="salesOrders", method="POST") == 0  # found by its reference


# Riding along the reorder's read-back: the customer's first page of orders, the new order on it
# (docs/writes.md, "What a reorder costs").  Before, the dashboard and the orders page right after
# a reorder each read the customer's orders from BC again.


async def _dashboard_then_reorder(
    client: httpx.AsyncClient, store: SandboxStore, token_for: Callable[..., str], key: str
) -> tuple[str, dict[str, Any]]:
    company, number, original = source(store)
    token = token_for(number, company)
    await data_of(client, PORTAL["PortalDashboard"], {}, token=token)
    placed = await reorder(client, token, {"orderNumber": original["number"], "idempotencyKey": key})
    assert placed["__typename"] == "PlacedOrder", placed
    return token, placed["order"]


async def test_the_dashboard_right_after_a_reorder_lists_the_new_order_without_asking_bc(
    client: httpx.AsyncClient, store: SandboxStore, token_for: Callable[..., str], bc_log: Any
) -> None:
    token, placed = await _dashboard_then_reorder(client, store, token_for, "home-kept")
    bc_log.clear()

    dashboard = await data_of(client, PORTAL["PortalDashboard"], {}, token=token)

    listed = {order["number"]: order for order in dashboard["orders"]["nodes"]}
    assert placed["number"] in listed  # BC's number, as the read-back answered it
    assert listed[placed["number"]]["status"] == placed["status"]
    assert bc_requests(bc_log) == []


async def test_the_orders_page_right_after_a_reorder_lists_the_new_order_without_asking_bc(
    client: httpx.AsyncClient, store: SandboxStore, token_for: Callable[..., str], bc_log: Any
) -> None:
    token, placed = await _dashboard_then_reorder(client, store, token_for, "page-kept")
    bc_log.clear()

    page = await data_of(client, PORTAL["PortalOrders"], {"first": 20}, token=token)

    assert placed["number"] in [order["number"] for order in page["orders"]["nodes"]]
    assert bc_requests(bc_log) == []


async def test_the_dashboard_right_after_an_order_placed_lists_it_without_asking_bc(
    client: httpx.AsyncClient, store: SandboxStore, token_for: Callable[..., str], bc_log: Any
) -> None:
    company, number = reorderer(store)
    unblocked(store, company)
    token = token_for(number, company)
    await data_of(client, PORTAL["PortalDashboard"], {}, token=token)
    cart = [{"itemNumber": item["number"], "quantity": "1"} for item in items(store, company)[:2]]
    placed = await place(client, token, {"lines": cart, "idempotencyKey": "placed-home"})
    assert placed["__typename"] == "PlacedOrder", placed
    bc_log.clear()

    dashboard = await data_of(client, PORTAL["PortalDashboard"], {}, token=token)

    assert placed["order"]["number"] in [order["number"] for order in dashboard["orders"]["nodes"]]
    assert bc_requests(bc_log) == []


async def test_a_reorder_on_one_replica_serves_the_dashboard_on_the_other(
    development: Development,
    store: SandboxStore,
    redis_server: Any,
    token_for: Callable[..., str],
    bc_log: Any,
) -> None:
    settings = _on_redis(redis_server, "test-reorder-ride-along")
    async with (
        gateway_client(development, settings) as first,
        gateway_client(development, settings) as second,
    ):
        token, placed = await _dashboard_then_reorder(first, store, token_for, "other-replica")
        bc_log.clear()

        dashboard = await data_of(second, PORTAL["PortalDashboard"], {}, token=token)

    assert placed["number"] in [order["number"] for order in dashboard["orders"]["nodes"]]
    assert bc_requests(bc_log) == []


async def test_a_reorder_bc_refuses_keeps_nothing_and_the_next_dashboard_reads_bc(
    development: Development, store: SandboxStore, token_for: Callable[..., str], bc_log: Any
) -> None:
    company, number, original = source(store)
    token = token_for(number, company)
    line = next(row for row in lines_of(store, company, original["id"]) if row["lineType"] == "Item")
    item = next(row for row in rows(store, company, "items") if row["number"] == line["lineObjectNumber"])
    # BC blocks an item of the order after the gateway checked it, before the order lands.
    racing = replace(development, bc_transport=BlockItemOnOrder(development.bc_transport, item))
    async with gateway_client(racing) as client:
        before = await data_of(client, PORTAL["PortalDashboard"], {}, token=token)
        refused = await reorder(client, token, {"orderNumber": original["number"], "idempotencyKey": "no"})
        assert refused["code"] == "BC_REJECTED", refused
        bc_log.clear()

        after = await data_of(client, PORTAL["PortalDashboard"], {}, token=token)

    assert after["orders"] == before["orders"]
    # BC refused: every answer of the customer's orders was dropped (what BC did is unknown to
    # the gateway) and nothing was read ahead, so the dashboard reads its orders again: their
    # first page, then the completed orders it names, by number.
    assert bc_requests(bc_log) == [("POST", "$batch"), ("POST", "$batch")]


async def test_with_the_cache_off_a_reorder_reads_back_its_order_alone(
    development: Development, store: SandboxStore, token_for: Callable[..., str], bc_log: Any
) -> None:
    company, number, original = source(store)
    token = token_for(number, company)
    async with gateway_client(development, Settings(cache=CacheSettings(enabled=False))) as client:
        bc_log.clear()
        placed = await reorder(client, token, {"orderNumber": original["number"], "idempotencyKey": "off"})

    assert placed["__typename"] == "PlacedOrder", placed
    # Nothing is kept, so nothing rides along: the read-back is the order alone, as before.
    assert bc_requests(bc_log) == [
        ("POST", "$batch"),
        ("POST", "$batch"),
        ("POST", "salesOrders"),
        ("GET", "salesOrders"),
    ]


async def test_the_view_of_the_new_order_right_after_a_reorder_reads_nothing_from_bc(
    client: httpx.AsyncClient, store: SandboxStore, token_for: Callable[..., str], bc_log: Any
) -> None:
    company, number, original = source(store)
    token = token_for(number, company)
    await data_of(client, PORTAL["PortalOrder"], {"number": original["number"]}, token=token)
    placed = await reorder(client, token, {"orderNumber": original["number"], "idempotencyKey": "view"})
    assert placed["__typename"] == "PlacedOrder", placed
    bc_log.clear()

    view = await data_of(client, PORTAL["PortalOrder"], {"number": placed["order"]["number"]}, token=token)

    assert view["order"]["number"] == placed["order"]["number"]
    assert view["order"]["shipments"] == []
    assert view["order"]["invoices"] == []
    # Its posted documents and archives (none) rode along the read-back; the order itself came
    # with the first page read along; its lines' items were kept when the source was viewed.
    assert bc_requests(bc_log) == []
