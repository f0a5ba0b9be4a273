"""Order history with ``salesOrderArchives`` (newer BC): an order BC deleted after posting takes its
ORIGINAL ordered quantities from its archive; a tenant without archives is asked nothing about them.

Expected values come from the sandbox's own rows, never from the gateway.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from gateway.sandbox.app import sandbox_of
from gateway.sandbox.store import STANDARD_ROUTE, SandboxStore
from gateway.sandbox.world import build_store
from tests.conftest import SCALE, SEED, TODAY
from tests.edge.profiles import profile_gateway, token_of
from tests.edge.test_order_history import ONE_ORDER, all_pages, item_quantities
from tests.helpers import data_of, rows
from tests.history import busiest_history_customer, order_history

pytestmark = pytest.mark.anyio

ARCHIVES = "salesOrderArchives"
DETAIL = """
query($n: String!) {
  order(number: $n) {
    number open requestedDeliveryDate
    lines { number lineType quantity shippedQuantity invoicedQuantity }
  }
}
"""
PAGE = """
query($first: Int, $after: String) {
  orders(first: $first, after: $after) {
    nodes { number open requestedDeliveryDate
      lines { number lineType quantity shippedQuantity invoicedQuantity } }
    pageInfo { hasNextPage endCursor }
  }
}
"""


@pytest.fixture(scope="module")
def archived_store() -> SandboxStore:
    return _world()


def _world() -> SandboxStore:
    """The demo world, in which one completed order's archive says more was ordered than was
    shipped and invoiced (so the archive, not max(shipped, invoiced), visibly decides)."""
    store = build_store(seed=SEED, scale=SCALE, today=TODAY)
    company, customer = busiest_history_customer(store)
    archive = _completed_archive(store, company, customer)
    for line in rows(store, company, "salesOrderArchiveLines"):
        if line["documentNumber"] == archive["number"] and line["lineType"] == "Item":
            line["quantity"] += Decimal(3)
            break
    return store


def _completed_archive(store: SandboxStore, company: str, customer: str) -> dict[str, Any]:
    history = order_history(store, company, customer)
    completed = {o.number for o in history if not o.open and o.shipments and o.invoices}
    return next(
        row
        for row in rows(store, company, ARCHIVES)
        if row["sellToCustomerNumber"] == customer and row["number"] in completed
    )


def _archived_quantities(store: SandboxStore, company: str, number: str) -> dict[str, Decimal]:
    ordered: dict[str, Decimal] = defaultdict(Decimal)
    for line in rows(store, company, "salesOrderArchiveLines"):
        if line["documentNumber"] == number and line["lineType"] == "Item":
            ordered[line["lineObjectNumber"]] += line["quantity"]
    return dict(ordered)


def _reads(sandbox: Starlette) -> list[str]:
    return [e.entity_set for e in sandbox_of(sandbox).log.entries if e.entity_set not in (None, "$batch")]


async def _history(http: httpx.AsyncClient, token: str) -> list[dict[str, Any]]:
    nodes: list[dict[str, Any]] = []
    after = None
    while True:
        data = await data_of(http, PAGE, {"first": 50, "after": after}, token=token)
        nodes += data["orders"]["nodes"]
        if not data["orders"]["pageInfo"]["hasNextPage"]:
            return nodes
        after = data["orders"]["pageInfo"]["endCursor"]


async def test_a_completed_orders_ordered_quantities_come_from_its_archive(
    archived_store: SandboxStore,
) -> None:
    company, customer = busiest_history_customer(archived_store)
    archive = _completed_archive(archived_store, company, customer)
    ordered = _archived_quantities(archived_store, company, archive["number"])
    expected = next(
        o for o in order_history(archived_store, company, customer) if o.number == archive["number"]
    )
    async with profile_gateway(archived_store, "full") as (http, development, sandbox):
        token = token_of(development, company, customer)
        # The order alone first: after the history, its reads are served from what that kept.
        sandbox_of(sandbox).log.clear()
        single = (await data_of(http, DETAIL, {"n": archive["number"]}, token=token))["order"]
        reads = _reads(sandbox)
        listed = next(n for n in await _history(http, token) if n["number"] == archive["number"])

    for order in (listed, single):
        assert order["open"] is False
        quantities = item_quantities(order)
        # Ordered: the archive's original quantities; shipped and invoiced: the posted documents.
        assert {item: q[0] for item, q in quantities.items()} == ordered
        assert {item: q[1:] for item, q in quantities.items()} == {
            item: q[1:] for item, q in expected.quantities.items()
        }
        requested = archive["requestedDeliveryDate"]
        assert order["requestedDeliveryDate"] == (None if requested == "0001-01-01" else requested)
    assert any(ordered[item] > expected.quantities[item][0] for item in ordered)  # the archive decided
    assert sorted(reads) == ["salesInvoices", ARCHIVES, "salesOrders", "salesShipments"]


async def test_without_archives_the_history_is_unchanged_and_no_archive_is_asked_for(
    shared_store: SandboxStore,
) -> None:
    company, customer = busiest_history_customer(shared_store)
    history = order_history(shared_store, company, customer, archives=False)
    completed = next(o for o in history if not o.open and o.shipments and o.invoices)
    async with profile_gateway(shared_store, "bare") as (http, development, sandbox):
        token = token_of(development, company, customer)
        nodes = await all_pages(http, token, {})
        single = (await data_of(http, ONE_ORDER, {"n": completed.number}, token=token))["order"]
        reads = _reads(sandbox)

    assert [(n["number"], n["open"]) for n in nodes] == [(o.number, o.open) for o in history]
    assert item_quantities(single) == completed.quantities
    assert ARCHIVES not in reads
    assert "salesOrderArchiveLines" not in reads


async def test_another_customers_archive_never_appears(archived_store: SandboxStore) -> None:
    company, customer = busiest_history_customer(archived_store)
    mine = _completed_archive(archived_store, company, customer)
    other = next(
        row for row in rows(archived_store, company, ARCHIVES) if row["sellToCustomerNumber"] != customer
    )
    # A later "version" of my order's archive, but another customer's: it must never be used.
    store = _world()
    forged = {
        **other,
        "id": "0d8f2b1e-7c41-4a55-9a0e-3b8d7f6c5a11",
        "number": mine["number"],
        "versionNumber": 9,
    }
    forged_lines = [
        {
            **line,
            "id": f"0d8f2b1e-7c41-4a55-9a0e-{index:012d}",
            "documentNumber": mine["number"],
            "versionNumber": 9,
            "quantity": Decimal(999),
        }
        for index, line in enumerate(rows(store, company, "salesOrderArchiveLines"))
        if line["documentNumber"] == other["number"]
    ]
    store.put_table(company, STANDARD_ROUTE, ARCHIVES, [*rows(store, company, ARCHIVES), forged])
    store.put_table(
        company,
        STANDARD_ROUTE,
        "salesOrderArchiveLines",
        [*rows(store, company, "salesOrderArchiveLines"), *forged_lines],
    )
    ordered = _archived_quantities(archived_store, company, mine["number"])
    async with profile_gateway(store, "full") as (http, development, sandbox):
        token = token_of(development, company, customer)
        nodes = await _history(http, token)
        theirs = (await data_of(http, DETAIL, {"n": other["number"]}, token=token))["order"]
        single = (await data_of(http, DETAIL, {"n": mine["number"]}, token=token))["order"]
        entries = [e for e in sandbox_of(sandbox).log.entries if e.entity_set == ARCHIVES]

    assert theirs is None
    assert other["number"] not in {n["number"] for n in nodes}
    listed = next(n for n in nodes if n["number"] == mine["number"])
    for order in (listed, single):
        assert {item: q[0] for item, q in item_quantities(order).items()} == ordered
    assert entries
    for entry in entries:
        assert f"sellToCustomerNumber eq '{customer}'" in (entry.filter or "")
