"""Customer queries with their threads, from the portal custom API, scoped to the caller."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from gateway.sandbox.store import PORTAL_ROUTE, SandboxStore
from tests.edge.portal_support import customer_queries, customer_with
from tests.helpers import data_of

pytestmark = pytest.mark.anyio

QUERIES = """
query($first: Int, $after: String, $status: [QueryStatus!]) {
  queries(first: $first, after: $after, status: $status) {
    nodes { id number subject category status relatedDocument { type number }
            messages { sequence author authorName body } }
    pageInfo { hasNextPage endCursor }
  }
}
"""
CATEGORY = {
    "Statement_x0020_Dispute": "STATEMENT_DISPUTE",
    "Delivery": "DELIVERY",
    "Product": "PRODUCT",
    "Other": "OTHER",
}
STATUS = {"Open": "OPEN", "In_x0020_Progress": "IN_PROGRESS", "Resolved": "RESOLVED"}
DOCUMENT = {
    "Sales_x0020_Order": "SALES_ORDER",
    "Sales_x0020_Shipment": "SALES_SHIPMENT",
    "Sales_x0020_Invoice": "SALES_INVOICE",
    "Sales_x0020_Credit_x0020_Memo": "SALES_CREDIT_MEMO",
}


def thread(store: SandboxStore, company: str, query_id: str) -> list[dict[str, Any]]:
    messages = [
        m for m in store.table(company, PORTAL_ROUTE, "customerQueryMessages") if m["queryId"] == query_id
    ]
    return sorted(messages, key=lambda m: m["sequence"])


def asker(store: SandboxStore) -> tuple[str, str]:
    return customer_with(store, lambda c, n: len(customer_queries(store, c, n)), minimum=2)


async def test_queries_are_the_callers_newest_first_with_their_threads(
    client: httpx.AsyncClient, shared_store: SandboxStore, token_for: Any, bc_log: Any
) -> None:
    company, customer = asker(shared_store)
    want = customer_queries(shared_store, company, customer)
    await client.get("/healthz")
    bc_log.clear()

    data = await data_of(client, QUERIES, {"first": 50}, token=token_for(customer, company))

    nodes = data["queries"]["nodes"]
    assert [n["number"] for n in nodes] == [q["number"] for q in want]
    for node, row in zip(nodes, want, strict=True):
        assert node["subject"] == row["subject"]
        assert node["category"] == CATEGORY[row["category"]]
        assert node["status"] == STATUS[row["status"]]
        related = node["relatedDocument"]
        if row["relatedDocumentType"] == "_x0020_":
            assert related is None
        else:
            assert related == {
                "type": DOCUMENT[row["relatedDocumentType"]],
                "number": row["relatedDocumentNumber"],
            }
        assert [(m["sequence"], m["author"], m["body"]) for m in node["messages"]] == [
            (m["sequence"], m["authorType"].upper(), m["body"])
            for m in thread(shared_store, company, row["id"])
        ]
    assert [(e.route, e.entity_set) for e in bc_log.entries] == [("bcgateway/portal/v1.0", "customerQueries")]
    assert f"customerNumber eq '{customer}'" in (bc_log.entries[0].filter or "")


async def test_query_pages_and_status_filter_follow_the_sandbox(
    client: httpx.AsyncClient, shared_store: SandboxStore, token_for: Any
) -> None:
    company, customer = asker(shared_store)
    token = token_for(customer, company)
    want = customer_queries(shared_store, company, customer)
    seen: list[str] = []
    after = None
    while True:
        page = (await data_of(client, QUERIES, {"first": 1, "after": after}, token=token))["queries"]
        seen += [n["number"] for n in page["nodes"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == [q["number"] for q in want]

    status = want[0]["status"]
    filtered = await data_of(client, QUERIES, {"status": [STATUS[status]]}, token=token)
    assert [n["number"] for n in filtered["queries"]["nodes"]] == [
        q["number"] for q in want if q["status"] == status
    ]


async def test_query_by_id_returns_the_thread_and_another_customers_query_is_not_found(
    client: httpx.AsyncClient, shared_store: SandboxStore, token_for: Any
) -> None:
    company, customer = asker(shared_store)
    token = token_for(customer, company)
    mine = customer_queries(shared_store, company, customer)[0]
    theirs = next(
        q
        for q in shared_store.table(company, PORTAL_ROUTE, "customerQueries")
        if q["customerNumber"] != customer
    )
    one = "query($id: ID!) { query(id: $id) { number messages { body } } }"

    found = await data_of(client, one, {"id": mine["id"]}, token=token)
    other = await data_of(client, one, {"id": theirs["id"]}, token=token)

    assert found["query"]["number"] == mine["number"]
    assert [m["body"] for m in found["query"]["messages"]] == [
        m["body"] for m in thread(shared_store, company, mine["id"])
    ]
    assert other["query"] is None
