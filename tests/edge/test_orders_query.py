"""The orders screen end to end: GraphQL → gateway → sandbox BC, counted on the sandbox's log."""

from __future__ import annotations

from collections import Counter
from typing import Any

import httpx
import pytest

from gateway.resolvers.dates import months_before
from gateway.resolvers.pagination import encode_cursor
from gateway.sandbox.store import SandboxStore
from tests.conftest import TODAY
from tests.helpers import data_of, rows
from tests.history import ExpectedOrder, order_history

pytestmark = pytest.mark.anyio

RECENT_ORDERS = """
query Recent($first: Int, $after: String) {
  orders(first: $first, after: $after) {
    edges {
      cursor
      node { number orderDate status lines { sequence number quantity item { number name inventory } } }
    }
    pageInfo { hasNextPage endCursor }
  }
}
"""


def busiest_customer(store: SandboxStore) -> tuple[str, str]:
    """(company id, customer number) with the most open orders in the history window."""
    earliest = months_before(TODAY, 12).isoformat()
    counts: Counter[tuple[str, str]] = Counter()
    for company in store.companies:
        for order in rows(store, company["id"], "salesOrders"):
            if order["orderDate"] >= earliest:
                counts[(company["id"], order["customerNumber"])] += 1
    return counts.most_common(1)[0][0]


def expected_orders(store: SandboxStore, company_id: str, customer: str) -> list[ExpectedOrder]:
    """Open and completed orders in the window, newest first, from the sandbox's own rows."""
    return order_history(store, company_id, customer)


async def test_recent_orders_with_lines_and_items_take_one_request_per_source(
    client: httpx.AsyncClient, shared_store: SandboxStore, token_for: Any, bc_log: Any
) -> None:
    company, customer = busiest_customer(shared_store)
    token = token_for(customer, company)
    bc_log.clear()

    data = await data_of(client, RECENT_ORDERS, {"first": 20}, token=token)

    # A JSON $batch envelope is logged as well as each read inside it; the reads are what count here.
    api_requests = [entry for entry in bc_log.entries if entry.entity_set not in (None, "$batch")]
    # Two rounds of one request per entity set: discovery (open orders, and the posted shipments,
    # invoices and — the full profile has them — archives that date completed orders), then the
    # completed orders looked up by number, whole.  The lines' items come expanded inside them,
    # not as lookups of their own.
    assert sorted(entry.entity_set for entry in api_requests) == [
        "salesInvoices",
        "salesInvoices",
        "salesOrderArchives",
        "salesOrderArchives",
        "salesOrders",
        "salesOrders",
        "salesShipments",
        "salesShipments",
    ]
    expected = expected_orders(shared_store, company, customer)[:20]
    assert [edge["node"]["number"] for edge in data["orders"]["edges"]] == [o.number for o in expected]
    assert expected  # the busiest customer has orders
    items = {item["number"]: item for item in rows(shared_store, company, "items")}
    for edge in data["orders"]["edges"]:
        for line in edge["node"]["lines"]:
            if line["item"] is not None:
                assert line["item"]["name"] == items[line["item"]["number"]]["displayName"]
                assert float(line["item"]["inventory"]) == float(items[line["item"]["number"]]["inventory"])


async def test_following_cursors_returns_every_order_once_in_order(
    client: httpx.AsyncClient, shared_store: SandboxStore, token_for: Any
) -> None:
    company, customer = busiest_customer(shared_store)
    token = token_for(customer, company)
    seen: list[str] = []
    after = None
    while True:
        data = await data_of(client, RECENT_ORDERS, {"first": 3, "after": after}, token=token)
        seen += [edge["node"]["number"] for edge in data["orders"]["edges"]]
        if not data["orders"]["pageInfo"]["hasNextPage"]:
            break
        after = data["orders"]["pageInfo"]["endCursor"]
    assert seen == [order.number for order in expected_orders(shared_store, company, customer)]


async def test_order_lines_are_never_requested_without_their_parent(
    client: httpx.AsyncClient, shared_store: SandboxStore, token_for: Any, bc_log: Any
) -> None:
    company, customer = busiest_customer(shared_store)
    number = next(o.number for o in expected_orders(shared_store, company, customer) if o.open)
    token = token_for(customer, company)
    bc_log.clear()

    data = await data_of(
        client,
        "query($n: String!) { order(number: $n) { number lines { sequence } } }",
        {"n": number},
        token=token,
    )

    assert data["order"]["number"] == number
    assert data["order"]["lines"]
    assert all(entry.entity_set not in {"salesOrderLines", "salesInvoiceLines"} for entry in bc_log.entries)


async def test_a_bad_cursor_is_a_clear_user_error(
    client: httpx.AsyncClient, token_for: Any, shared_store: SandboxStore
) -> None:
    company, customer = busiest_customer(shared_store)
    response = await client.post(
        "/graphql",
        json={"query": RECENT_ORDERS, "variables": {"first": 2, "after": "not-a-cursor"}},
        headers={"authorization": f"Bearer {token_for(customer, company)}"},
    )
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "after" in error["message"]


@pytest.mark.parametrize("number", ["S-ORD1*", "A|B", "'", ""])
async def test_a_cursor_whose_number_would_change_a_filter_is_refused_before_bc(
    client: httpx.AsyncClient, token_for: Any, shared_store: SandboxStore, bc_log: Any, number: str
) -> None:
    company, customer = busiest_customer(shared_store)
    crafted = encode_cursor(("2026-05-01", number))  # a later page reads below the cursor's number
    await client.get("/healthz")
    bc_log.clear()
    response = await client.post(
        "/graphql",
        json={"query": RECENT_ORDERS, "variables": {"first": 2, "after": crafted}},
        headers={"authorization": f"Bearer {token_for(customer, company)}"},
    )
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert bc_log.entries == []
