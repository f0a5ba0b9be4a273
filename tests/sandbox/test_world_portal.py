"""The portal extension's tables agree with the standard route's shipments, items and customers."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal

import pytest

from gateway.sandbox.store import PORTAL_ROUTE, STANDARD_ROUTE, Row, SandboxStore
from gateway.sandbox.world import build_store

TODAY = date(2026, 11, 25)


@pytest.fixture(scope="module")
def store() -> SandboxStore:
    return build_store(seed=9, scale=0.15, today=TODAY)


def _portal(store: SandboxStore, company: Row, entity_set: str) -> list[Row]:
    return store.table(company["id"], PORTAL_ROUTE, entity_set)


def _standard(store: SandboxStore, company: Row, entity_set: str) -> list[Row]:
    return store.table(company["id"], STANDARD_ROUTE, entity_set)


def test_every_posted_shipment_has_one_tracking_row_for_the_same_customer(store: SandboxStore) -> None:
    for company in store.companies:
        shipments = {s["id"]: s for s in _standard(store, company, "salesShipments")}
        trackings = _portal(store, company, "shipmentTrackings")
        assert {t["shipmentId"] for t in trackings} == set(shipments)
        for tracking in trackings:
            shipment = shipments[tracking["shipmentId"]]
            assert (tracking["shipmentNumber"], tracking["customerNumber"]) == (
                shipment["number"],
                shipment["customerNumber"],
            )


def test_tracking_numbers_belong_to_a_known_shipping_agent_with_a_url_template(store: SandboxStore) -> None:
    for company in store.companies:
        agents = {a["code"]: a for a in _portal(store, company, "shippingAgents")}
        assert any("%1" in a["internetAddress"] for a in agents.values())
        trackings = _portal(store, company, "shipmentTrackings")
        assert any(t["packageTrackingNumber"] for t in trackings)
        assert any(not t["shippingAgentCode"] for t in trackings)
        for tracking in trackings:
            assert tracking["shippingAgentCode"] in agents or tracking["shippingAgentCode"] == ""
            if tracking["packageTrackingNumber"]:
                assert "%1" in agents[tracking["shippingAgentCode"]]["internetAddress"]


def test_delivery_documents_are_pdfs_of_the_stated_size_for_real_shipments(store: SandboxStore) -> None:
    for company in store.companies:
        shipments = {s["id"]: s for s in _standard(store, company, "salesShipments")}
        documents = _portal(store, company, "deliveryDocuments")
        assert documents
        for document in documents:
            shipment = shipments[document["shipmentId"]]
            assert document["customerNumber"] == shipment["customerNumber"]
            assert document["_content"].startswith(b"%PDF-")
            assert document["byteSize"] == len(document["_content"])
            assert "/" not in document["fileName"]


def test_item_availability_is_inventory_less_what_open_orders_still_have_to_ship(store: SandboxStore) -> None:
    for company in store.companies:
        outstanding: dict[str, Decimal] = defaultdict(Decimal)
        for line in _standard(store, company, "salesOrderLines"):
            if line["lineType"] == "Item":
                outstanding[line["itemId"]] += line["quantity"] - line["shippedQuantity"]
        items = {i["id"]: i for i in _standard(store, company, "items")}
        rows = _portal(store, company, "itemAvailabilities")
        assert {r["itemId"] for r in rows} == set(items)
        for row in rows:
            assert row["inventory"] == items[row["itemId"]]["inventory"]
            assert row["committedQuantity"] == outstanding[row["itemId"]]
            assert row["availableQuantity"] == row["inventory"] - row["committedQuantity"]
            assert (row["nextReceiptDate"] == "0001-01-01") == (row["nextReceiptQuantity"] == 0)


def test_customer_queries_point_at_the_customers_own_documents(store: SandboxStore) -> None:
    for company in store.companies:
        owners = {
            **{
                ("Sales_x0020_Invoice", i["number"]): i["customerNumber"]
                for i in _standard(store, company, "salesInvoices")
            },
            **{
                ("Sales_x0020_Shipment", s["number"]): s["customerNumber"]
                for s in _standard(store, company, "salesShipments")
            },
            **{
                ("Sales_x0020_Order", s["orderNumber"]): s["customerNumber"]
                for s in _standard(store, company, "salesShipments")
            },
            **{
                ("Sales_x0020_Order", o["number"]): o["customerNumber"]
                for o in _standard(store, company, "salesOrders")
            },
        }
        customers = {c["number"] for c in _standard(store, company, "customers")}
        queries = _portal(store, company, "customerQueries")
        assert {q["status"] for q in queries} == {"Open", "In_x0020_Progress", "Resolved"}
        for query in queries:
            assert query["customerNumber"] in customers
            if query["relatedDocumentType"] != "_x0020_":
                key = (query["relatedDocumentType"], query["relatedDocumentNumber"])
                assert owners[key] == query["customerNumber"]


def test_query_messages_are_numbered_in_time_order_and_start_with_the_customer(store: SandboxStore) -> None:
    for company in store.companies:
        threads: dict[str, list[Row]] = defaultdict(list)
        for message in _portal(store, company, "customerQueryMessages"):
            threads[message["queryId"]].append(message)
        queries = _portal(store, company, "customerQueries")
        assert set(threads) == {q["id"] for q in queries}
        for query in queries:
            thread = sorted(threads[query["id"]], key=lambda m: m["sequence"])
            assert [m["sequence"] for m in thread] == list(range(1, len(thread) + 1))
            assert thread[0]["authorType"] == "Customer"
            assert [m["createdDateTime"] for m in thread] == sorted(m["createdDateTime"] for m in thread)
            assert query["createdDateTime"] == thread[0]["createdDateTime"]
            assert query["lastModifiedDateTime"] == thread[-1]["createdDateTime"]
