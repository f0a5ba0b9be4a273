"""Order history end to end: open orders and orders BC deleted after posting, rebuilt.

Expected values come from the sandbox's own rows (tests/history.py), never from the gateway.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import httpx
import pytest

from gateway.sandbox.store import SandboxStore
from tests.helpers import data_of, rows
from tests.history import ExpectedOrder, busiest_history_customer, order_history

pytestmark = pytest.mark.anyio

ONE_ORDER = """
query($n: String!) {
  order(number: $n) {
    number status open orderDate externalDocumentNumber
    lines { number lineType quantity shippedQuantity invoicedQuantity unitPrice { amount } }
    shipments { number orderNumber lines { number quantity } }
    invoices { number orderNumber }
  }
}
"""
PAGE = """
query($first: Int, $after: String, $filter: OrderFilter) {
  orders(first: $first, after: $after, filter: $filter) {
    nodes { number status open orderDate externalDocumentNumber lines { number quantity } }
    pageInfo { hasNextPage endCursor }
  }
}
"""


def api_requests(bc_log: Any) -> list[str]:
    # A JSON $batch envelope is logged as well as each read inside it; the reads are what count.
    return sorted(entry.entity_set for entry in bc_log.entries if entry.entity_set not in (None, "$batch"))


def item_quantities(order: dict[str, Any]) -> dict[str, tuple[Decimal, Decimal, Decimal]]:
    return {
        line["number"]: (
            Decimal(str(line["quantity"])),
            Decimal(str(line["shippedQuantity"])),
            Decimal(str(line["invoicedQuantity"])),
        )
        for line in order["lines"]
        if line["lineType"] == "ITEM"
    }


async def all_pages(client: httpx.AsyncClient, token: str, filter: dict[str, Any]) -> list[dict[str, Any]]:
    nodes: list[dict[str, Any]] = []
    after = None
    while True:
        data = await data_of(client, PAGE, {"first": 50, "after": after, "filter": filter}, token=token)
        nodes += data["orders"]["nodes"]
        if not data["orders"]["pageInfo"]["hasNextPage"]:
            return nodes
        after = data["orders"]["pageInfo"]["endCursor"]


@pytest.fixture
def history_customer(shared_store: SandboxStore) -> tuple[str, str, list[ExpectedOrder]]:
    company, customer = busiest_history_customer(shared_store)
    return company, customer, order_history(shared_store, company, customer)


async def test_an_order_bc_deleted_after_ship_and_invoice_is_invoiced_with_its_documents(
    client: httpx.AsyncClient, shared_store: SandboxStore, token_for: Any, bc_log: Any, history_customer: Any
) -> None:
    company, customer, history = history_customer
    completed = next(o for o in history if not o.open and o.shipments and o.invoices)
    assert completed.number not in {row["number"] for row in rows(shared_store, company, "salesOrders")}
    bc_log.clear()

    data = await data_of(client, ONE_ORDER, {"n": completed.number}, token=token_for(customer, company))

    order = data["order"]
    assert order["status"] == "INVOICED"
    assert order["open"] is False
    assert order["orderDate"] == completed.order_date
    assert sorted(s["number"] for s in order["shipments"]) == sorted(completed.shipments)
    assert sorted(i["number"] for i in order["invoices"]) == sorted(completed.invoices)
    assert item_quantities(order) == completed.quantities
    # The order, its archive, its shipments and its invoices: read at once, one request each.
    assert api_requests(bc_log) == ["salesInvoices", "salesOrderArchives", "salesOrders", "salesShipments"]


async def test_a_partly_shipped_order_shows_partially_shipped_with_its_quantities(
    client: httpx.AsyncClient, shared_store: SandboxStore, token_for: Any, history_customer: Any
) -> None:
    company = history_customer[0]
    lines_by_order: dict[str, list[dict[str, Any]]] = {}
    for line in rows(shared_store, company, "salesOrderLines"):
        lines_by_order.setdefault(line["documentId"], []).append(line)

    def partly_shipped(order: dict[str, Any]) -> bool:
        lines = [line for line in lines_by_order[order["id"]] if line["lineType"] != "Comment"]
        return (
            any(line["shippedQuantity"] > 0 for line in lines)
            and any(line["shippedQuantity"] < line["quantity"] for line in lines)
            and all(line["invoicedQuantity"] == 0 for line in lines)
        )

    order_row = next(o for o in rows(shared_store, company, "salesOrders") if partly_shipped(o))
    token = token_for(order_row["customerNumber"], company)

    data = await data_of(client, ONE_ORDER, {"n": order_row["number"]}, token=token)

    order = data["order"]
    assert order["status"] == "PARTIALLY_SHIPPED"
    assert order["open"] is True
    expected = {
        line["lineObjectNumber"]: (
            Decimal(str(line["quantity"])),
            Decimal(str(line["shippedQuantity"])),
            Decimal(str(line["invoicedQuantity"])),
        )
        for line in lines_by_order[order_row["id"]]
        if line["lineType"] == "Item"
    }
    assert item_quantities(order) == expected
    shipped = {
        s["number"]
        for s in rows(shared_store, company, "salesShipments")
        if s["orderNumber"] == order_row["number"]
    }
    assert {s["number"] for s in order["shipments"]} == shipped
    assert order["invoices"] == []


async def test_history_lists_completed_orders_among_open_ones_newest_first(
    client: httpx.AsyncClient, token_for: Any, history_customer: Any
) -> None:
    company, customer, history = history_customer

    nodes = await all_pages(client, token_for(customer, company), {})

    assert [(n["number"], n["open"]) for n in nodes] == [(o.number, o.open) for o in history]
    assert {n["status"] for n in nodes if not n["open"]} == {"INVOICED"}


async def test_orders_page_with_shipments_and_invoices_costs_one_request_per_level(
    client: httpx.AsyncClient, token_for: Any, bc_log: Any, history_customer: Any
) -> None:
    company, customer, history = history_customer
    query = """{ orders(first: 20) { nodes { number lines { number quantity }
        shipments { number } invoices { number } } } }"""
    bc_log.clear()

    data = await data_of(client, query, token=token_for(customer, company))

    nodes = data["orders"]["nodes"]
    expected = {o.number: o for o in history[:20]}
    assert [n["number"] for n in nodes] == [o.number for o in history[:20]]
    for node in nodes:
        assert sorted(s["number"] for s in node["shipments"]) == sorted(expected[node["number"]].shipments)
        assert sorted(i["number"] for i in node["invoices"]) == sorted(expected[node["number"]].invoices)
    # Round 1, discovery: the open orders and the rows that can date a completed order (posted
    # shipments, invoices, archives: the full profile has them).  Round 2: the completed orders
    # looked up by number, whole (the open check, shipments, invoices, archives), and in the same
    # reads the open orders' shipments and invoices (43 order numbers: two chunks of at most 30).
    assert api_requests(bc_log) == [
        "salesInvoices",
        "salesInvoices",
        "salesInvoices",
        "salesOrderArchives",
        "salesOrderArchives",
        "salesOrders",
        "salesOrders",
        "salesShipments",
        "salesShipments",
        "salesShipments",
    ]
    assert bc_log.count(entity_set="$batch") == 2


async def test_filtering_by_status_finds_the_completed_orders(
    client: httpx.AsyncClient, token_for: Any, history_customer: Any
) -> None:
    company, customer, history = history_customer

    nodes = await all_pages(client, token_for(customer, company), {"status": ["INVOICED"]})

    assert [n["number"] for n in nodes] == [o.number for o in history if not o.open]


async def test_filtering_by_the_customers_reference_and_order_number(
    client: httpx.AsyncClient, token_for: Any, history_customer: Any
) -> None:
    company, customer, history = history_customer
    token = token_for(customer, company)
    referenced = next(o for o in history if o.external_reference and not o.open)

    by_reference = await all_pages(client, token, {"externalDocumentNumber": referenced.external_reference})
    by_number = await all_pages(client, token, {"number": referenced.number})

    assert [n["number"] for n in by_reference] == [
        o.number for o in history if o.external_reference == referenced.external_reference
    ]
    assert [n["number"] for n in by_number] == [referenced.number]


async def test_filtering_by_item_and_date_range(
    client: httpx.AsyncClient, token_for: Any, history_customer: Any
) -> None:
    company, customer, history = history_customer
    token = token_for(customer, company)
    item = next(iter(history[len(history) // 2].quantities))
    middle = history[len(history) // 2].order_date
    first_date = history[-1].order_date

    with_item = await all_pages(client, token, {"itemNumber": item})
    in_range = await all_pages(client, token, {"from": first_date, "to": middle})

    assert [n["number"] for n in with_item] == [o.number for o in history if item in o.quantities]
    assert [n["number"] for n in in_range] == [
        o.number for o in history if first_date <= o.order_date <= middle
    ]


async def test_another_customers_completed_order_is_not_found(
    client: httpx.AsyncClient, shared_store: SandboxStore, token_for: Any, history_customer: Any, bc_log: Any
) -> None:
    company, customer, _ = history_customer
    other = next(
        row
        for row in rows(shared_store, company, "salesInvoices")
        if row["customerNumber"] != customer and row["orderNumber"]
    )

    data = await data_of(client, ONE_ORDER, {"n": other["orderNumber"]}, token=token_for(customer, company))

    assert data["order"] is None
    for entry in bc_log.entries:
        if entry.entity_set in {"salesOrders", "salesInvoices", "salesShipments"}:
            assert f"customerNumber eq '{customer}'" in (entry.filter or "")
