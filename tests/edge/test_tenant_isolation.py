"""With a token for customer A, nothing of customer B comes back, whatever the query asks."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from gateway.sandbox.store import PORTAL_ROUTE, SandboxStore
from tests.helpers import customer_rows, data_of, rows

pytestmark = pytest.mark.anyio

SCOPE_FIELDS = {
    "customers": "number",
    "customerFinancialDetails": "number",
    "salesOrders": "customerNumber",
    "salesInvoices": "customerNumber",
    "salesShipments": "customerNumber",
    "salesCreditMemos": "customerNumber",
    "shipmentTrackings": "customerNumber",
    "agedAccountsReceivables": "customerNumber",
    "customerQueries": "customerNumber",
    "deliveryDocuments": "customerNumber",
    "customerLedgerEntries": "dcleCustomerNo",
}

LISTS = {
    "orders": "{ orders(first: 100) { nodes { number } } }",
    "invoices": "{ invoices(first: 100) { nodes { number } } }",
    "shipments": "{ shipments(first: 100) { nodes { number order { number } } } }",
}
# Fields added by "The complete portal": history, an order's documents, tracking.
DEEP = """{
  orders(first: 30) { nodes { number shipments { number trackingNumber carrier { code } }
                              invoices { number } } }
  shipments(first: 30) { nodes { number trackingNumber trackingUrl carrier { code name } } }
}"""
LOOKUPS = {
    "order": ("salesOrders", "query($n: String!) { order(number: $n) { number } }"),
    "invoice": ("salesInvoices", "query($n: String!) { invoice(number: $n) { number } }"),
    "shipment": ("salesShipments", "query($n: String!) { shipment(number: $n) { number } }"),
}


def two_customers(store: SandboxStore) -> tuple[str, str, str]:
    """A company and two of its customers who both have orders, invoices and shipments."""
    company = store.companies[0]["id"]
    owners = [
        {row["customerNumber"] for row in rows(store, company, entity_set)}
        for entity_set in ("salesOrders", "salesInvoices", "salesShipments")
    ]
    both = sorted(owners[0] & owners[1] & owners[2])
    return company, both[0], both[1]


def order_numbers(store: SandboxStore, company: str, customer: str) -> set[str]:
    return {
        row["orderNumber"]
        for entity_set in ("salesInvoices", "salesShipments")
        for row in customer_rows(store, company, entity_set, customer)
        if row["orderNumber"]
    }


def assert_every_customer_request_is_scoped(bc_log: Any, customer: str) -> None:
    for entry in bc_log.entries:
        field = SCOPE_FIELDS.get(entry.entity_set or "")
        if field is not None:
            assert f"{field} eq '{customer}'" in (entry.filter or ""), (entry.entity_set, entry.filter)


async def test_me_is_the_token_customer(
    client: httpx.AsyncClient, shared_store: SandboxStore, token_for: Any, bc_log: Any
) -> None:
    company, a, _ = two_customers(shared_store)
    data = await data_of(client, "{ me { number name } }", token=token_for(a, company))
    assert data["me"]["number"] == a
    assert_every_customer_request_is_scoped(bc_log, a)


@pytest.mark.parametrize("field", sorted(LISTS))
async def test_lists_hold_only_the_callers_documents(
    field: str, client: httpx.AsyncClient, shared_store: SandboxStore, token_for: Any, bc_log: Any
) -> None:
    company, a, b = two_customers(shared_store)
    entity_set = {"orders": "salesOrders", "invoices": "salesInvoices", "shipments": "salesShipments"}[field]
    mine = {row["number"] for row in customer_rows(shared_store, company, entity_set, a)}
    theirs = {row["number"] for row in customer_rows(shared_store, company, entity_set, b)}
    if field == "orders":  # completed orders, rebuilt from posted documents, are listed too
        mine |= order_numbers(shared_store, company, a)
        theirs |= order_numbers(shared_store, company, b)

    data = await data_of(client, LISTS[field], token=token_for(a, company))

    numbers = {node["number"] for node in data[field]["nodes"]}
    assert numbers, f"customer {a} should see some {field}"
    assert numbers <= mine
    assert not numbers & theirs
    assert_every_customer_request_is_scoped(bc_log, a)


@pytest.mark.parametrize("field", sorted(LOOKUPS))
async def test_another_customers_document_number_finds_nothing(
    field: str, client: httpx.AsyncClient, shared_store: SandboxStore, token_for: Any, bc_log: Any
) -> None:
    company, a, b = two_customers(shared_store)
    entity_set, query = LOOKUPS[field]
    theirs = customer_rows(shared_store, company, entity_set, b)[0]["number"]

    data = await data_of(client, query, {"n": theirs}, token=token_for(a, company))

    assert data[field] is None
    assert_every_customer_request_is_scoped(bc_log, a)


async def test_a_company_header_cannot_reach_a_company_the_token_does_not_name(
    client: httpx.AsyncClient, shared_store: SandboxStore, token_for: Any, bc_log: Any
) -> None:
    company, a, _ = two_customers(shared_store)
    other = next(c["id"] for c in shared_store.companies if c["id"] != company)
    bc_log.clear()
    response = await client.post(
        "/graphql",
        json={"query": "{ orders { nodes { number } } }"},
        headers={"authorization": f"Bearer {token_for(a, company)}", "x-bc-company": other},
    )
    assert response.status_code in (401, 403)
    assert response.json()["errors"][0]["extensions"]["code"] in ("UNAUTHENTICATED", "FORBIDDEN")
    assert [entry for entry in bc_log.entries if entry.entity_set] == []


async def test_catalogue_queries_are_not_customer_data_and_stay_correct(
    client: httpx.AsyncClient, shared_store: SandboxStore, token_for: Any
) -> None:
    company, a, _ = two_customers(shared_store)
    data = await data_of(client, "{ items(first: 5) { nodes { number name } } }", token=token_for(a, company))
    expected = sorted(row["number"] for row in rows(shared_store, company, "items") if not row["blocked"])[:5]
    assert [node["number"] for node in data["items"]["nodes"]] == expected


async def test_order_documents_and_tracking_are_only_the_callers(
    client: httpx.AsyncClient, shared_store: SandboxStore, token_for: Any, bc_log: Any
) -> None:
    company, a, b = two_customers(shared_store)
    mine_shipments = {row["number"] for row in customer_rows(shared_store, company, "salesShipments", a)}
    mine_invoices = {row["number"] for row in customer_rows(shared_store, company, "salesInvoices", a)}
    trackings = {
        row["shipmentNumber"]: row
        for row in shared_store.table(company, PORTAL_ROUTE, "shipmentTrackings")
        if row["customerNumber"] == a
    }
    bc_log.clear()

    data = await data_of(client, DEEP, token=token_for(a, company))

    orders = data["orders"]["nodes"]
    assert {s["number"] for o in orders for s in o["shipments"]} <= mine_shipments
    assert {i["number"] for o in orders for i in o["invoices"]} <= mine_invoices
    for shipment in data["shipments"]["nodes"]:
        assert shipment["number"] in mine_shipments
        tracking = trackings[shipment["number"]]
        assert shipment["trackingNumber"] == (tracking["packageTrackingNumber"] or None)
    assert bc_log.count("shipmentTrackings") >= 1
    assert_every_customer_request_is_scoped(bc_log, a)
    assert not {o["number"] for o in orders} & order_numbers(shared_store, company, b)


async def test_another_customers_completed_order_and_its_documents_find_nothing(
    client: httpx.AsyncClient, shared_store: SandboxStore, token_for: Any, bc_log: Any
) -> None:
    company, a, b = two_customers(shared_store)
    open_numbers = {row["number"] for row in rows(shared_store, company, "salesOrders")}
    theirs = sorted(order_numbers(shared_store, company, b) - open_numbers)[0]

    data = await data_of(
        client,
        "query($n: String!) { order(number: $n) { number shipments { number } invoices { number } } }",
        {"n": theirs},
        token=token_for(a, company),
    )

    assert data["order"] is None
    assert_every_customer_request_is_scoped(bc_log, a)


# Fields added by "The complete portal", items 2-8: every one answers only the caller's data.
PORTAL = """query($from: Date!) {
  me { number aging { balanceDue { amount } } }
  invoices(first: 50) { nodes { number pdfUrl } }
  creditMemos(first: 50) { nodes { number pdfUrl } }
  shipments(first: 50) { nodes { number proofOfDelivery { fileName downloadUrl } } }
  statement(from: $from) { entries { documentNumber } pdfUrl }
  queries(first: 50) { nodes { id number relatedDocument { number } messages { body } } }
}"""


def _portal_rows(store: SandboxStore, company: str, entity_set: str, customer: str) -> set[str]:
    return {
        r["number"] for r in store.table(company, PORTAL_ROUTE, entity_set) if r["customerNumber"] == customer
    }


async def test_every_portal_field_holds_only_the_callers_data(
    client: httpx.AsyncClient, shared_store: SandboxStore, token_for: Any, bc_log: Any
) -> None:
    company, a, b = two_customers(shared_store)
    bc_log.clear()

    data = await data_of(client, PORTAL, {"from": "2024-01-01"}, token=token_for(a, company))

    assert data["me"]["number"] == a
    memos = {n["number"] for n in data["creditMemos"]["nodes"]}
    assert memos <= {r["number"] for r in customer_rows(shared_store, company, "salesCreditMemos", a)}
    pods = {p["fileName"] for n in data["shipments"]["nodes"] for p in n["proofOfDelivery"] or ()}
    assert pods <= {
        r["fileName"]
        for r in shared_store.table(company, PORTAL_ROUTE, "deliveryDocuments")
        if r["customerNumber"] == a
    }
    mine = {
        r["dcleDocumentNo"]
        for r in shared_store.table(company, "microsoft/analytics/v1.0", "customerLedgerEntries")
        if r["dcleCustomerNo"] == a
    }
    assert {e["documentNumber"] for e in data["statement"]["entries"]} <= mine
    queries = {n["number"] for n in data["queries"]["nodes"]}
    assert queries == _portal_rows(shared_store, company, "customerQueries", a)
    assert not queries & _portal_rows(shared_store, company, "customerQueries", b)
    assert_every_customer_request_is_scoped(bc_log, a)


async def test_another_customers_credit_memo_and_query_find_nothing(
    client: httpx.AsyncClient, shared_store: SandboxStore, token_for: Any, bc_log: Any
) -> None:
    company, a, _ = two_customers(shared_store)
    memo = next(r for r in rows(shared_store, company, "salesCreditMemos") if r["customerNumber"] != a)
    query = next(
        r for r in shared_store.table(company, PORTAL_ROUTE, "customerQueries") if r["customerNumber"] != a
    )
    bc_log.clear()

    data = await data_of(
        client,
        "query($n: String!, $id: ID!) { creditMemo(number: $n) { number } query(id: $id) { number } }",
        {"n": memo["number"], "id": query["id"]},
        token=token_for(a, company),
    )

    assert data == {"creditMemo": None, "query": None}
    assert_every_customer_request_is_scoped(bc_log, a)
