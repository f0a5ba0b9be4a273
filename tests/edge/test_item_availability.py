"""Stock and the catalogue: availability from the portal custom API, search, answers shared for a minute."""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import httpx
import pytest

from gateway.app import create_app
from gateway.edge.development import Development
from gateway.sandbox.store import PORTAL_ROUTE, SandboxStore
from gateway.settings import Settings
from tests.conftest import TODAY
from tests.helpers import data_of, rows

pytestmark = pytest.mark.anyio

ITEM = """
query($n: String!) {
  item(number: $n) {
    number inventory unitPrice { amount currencyCode }
    baseUnitOfMeasure { code } unitsOfMeasure { code name }
    availability { onHand committed available nextReceiptDate nextReceiptQuantity }
  }
}
"""
SEARCH = """
query($s: String, $c: String, $first: Int, $after: String) {
  items(search: $s, category: $c, first: $first, after: $after) {
    nodes { number name category { code } unitPrice { amount } unitsOfMeasure { code }
            availability { onHand available nextReceiptDate } }
    pageInfo { hasNextPage endCursor }
  }
}
"""


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def incoming_item(store: SandboxStore) -> tuple[str, dict[str, Any], dict[str, Any]]:
    """(company, items row, itemAvailabilities row) of an item with a purchase on the way."""
    company = store.companies[0]["id"]
    items = {row["id"]: row for row in rows(store, company, "items")}
    availability = next(
        row
        for row in store.table(company, PORTAL_ROUTE, "itemAvailabilities")
        if row["nextReceiptDate"] != "0001-01-01" and row["committedQuantity"] > 0
    )
    return company, items[availability["itemId"]], availability


def any_customer(store: SandboxStore, company: str, index: int = 0) -> str:
    return sorted({row["customerNumber"] for row in rows(store, company, "salesOrders")})[index]


async def test_an_items_availability_is_on_hand_committed_available_and_next_receipt(
    client: httpx.AsyncClient, shared_store: SandboxStore, token_for: Any
) -> None:
    company, item, availability = incoming_item(shared_store)

    data = await data_of(
        client, ITEM, {"n": item["number"]}, token=token_for(any_customer(shared_store, company), company)
    )

    found = data["item"]
    assert Decimal(found["availability"]["onHand"]) == Decimal(str(item["inventory"]))
    assert Decimal(found["availability"]["committed"]) == Decimal(str(availability["committedQuantity"]))
    assert Decimal(found["availability"]["available"]) == Decimal(str(availability["availableQuantity"]))
    assert found["availability"]["nextReceiptDate"] == availability["nextReceiptDate"]
    assert Decimal(found["availability"]["nextReceiptQuantity"]) == Decimal(
        str(availability["nextReceiptQuantity"])
    )
    assert Decimal(found["unitPrice"]["amount"]) == Decimal(str(item["unitPrice"]))
    assert found["unitsOfMeasure"] == [
        {"code": item["baseUnitOfMeasureCode"], "name": found["unitsOfMeasure"][0]["name"]}
    ]
    assert found["baseUnitOfMeasure"]["code"] == item["baseUnitOfMeasureCode"]


async def test_item_search_by_category_pages_through_the_category(
    client: httpx.AsyncClient, shared_store: SandboxStore, token_for: Any
) -> None:
    company = shared_store.companies[0]["id"]
    items = [row for row in rows(shared_store, company, "items") if not row["blocked"]]
    category = max(
        {row["itemCategoryCode"] for row in items},
        key=lambda c: sum(r["itemCategoryCode"] == c for r in items),
    )
    expected = sorted(row["number"] for row in items if row["itemCategoryCode"] == category)
    token = token_for(any_customer(shared_store, company), company)
    seen: list[str] = []
    after = None
    while True:
        data = await data_of(client, SEARCH, {"c": category, "first": 4, "after": after}, token=token)
        seen += [node["number"] for node in data["items"]["nodes"]]
        assert {node["category"]["code"] for node in data["items"]["nodes"]} <= {category}
        if not data["items"]["pageInfo"]["hasNextPage"]:
            break
        after = data["items"]["pageInfo"]["endCursor"]
    assert seen == expected


async def test_item_search_with_stock_is_one_request_per_level(
    client: httpx.AsyncClient, shared_store: SandboxStore, token_for: Any, bc_log: Any
) -> None:
    company = shared_store.companies[0]["id"]
    items = [row for row in rows(shared_store, company, "items") if not row["blocked"]]
    word = items[0]["displayName"].split()[0]
    expected = sorted(
        row["number"]
        for row in items
        if word.casefold() in row["displayName"].casefold() or word.casefold() in row["number"].casefold()
    )[:10]
    token = token_for(any_customer(shared_store, company), company)
    bc_log.clear()

    data = await data_of(client, SEARCH, {"s": word, "first": 10}, token=token)

    assert [node["number"] for node in data["items"]["nodes"]] == expected
    # Level 1: name and number matches (BC's `or` spans one field), sent together.
    # Level 2: the page's stock, and the company's currency for the prices (read once per app).
    # A JSON $batch envelope is logged besides each read inside it; the reads are what count here.
    assert sorted(e.entity_set for e in bc_log.entries if e.entity_set not in (None, "$batch")) == [
        "generalLedgerSetup",
        "itemAvailabilities",
        "items",
        "items",
    ]


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def clocked_client(development: Development, clock: FakeClock) -> AsyncIterator[httpx.AsyncClient]:
    # Kept answers are dated by the wall clock (replicas compare their ages).
    app = create_app(Settings(), development=development, today=lambda: TODAY, clock=clock, wall_clock=clock)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gateway.test") as http,
    ):
        yield http


async def test_stock_is_shared_across_customers_for_at_most_a_minute(
    clocked_client: httpx.AsyncClient,
    shared_store: SandboxStore,
    token_for: Any,
    bc_log: Any,
    clock: FakeClock,
) -> None:
    company, item, availability = incoming_item(shared_store)
    first = token_for(any_customer(shared_store, company, 0), company)
    second = token_for(any_customer(shared_store, company, 1), company)
    query = "query($n: String!) { item(number: $n) { availability { onHand available } } }"
    original = (item["inventory"], availability["availableQuantity"])

    await data_of(clocked_client, query, {"n": item["number"]}, token=first)
    bc_log.clear()
    try:
        item["inventory"] = original[0] + 7
        availability["availableQuantity"] = original[1] + 7
        clock.now += 59.0
        cached = await data_of(clocked_client, query, {"n": item["number"]}, token=second)
        assert bc_log.entries == []  # another customer, within the minute: no BC request
        clock.now += 1.0
        fresh = await data_of(clocked_client, query, {"n": item["number"]}, token=second)
    finally:
        item["inventory"], availability["availableQuantity"] = original

    assert Decimal(cached["item"]["availability"]["onHand"]) == Decimal(str(original[0]))
    assert Decimal(fresh["item"]["availability"]["onHand"]) == Decimal(str(original[0] + 7))
    assert Decimal(fresh["item"]["availability"]["available"]) == Decimal(str(original[1] + 7))
    assert sorted(e.entity_set for e in bc_log.entries if e.entity_set) == ["itemAvailabilities", "items"]


async def test_customer_owned_answers_are_never_shared_between_customers(
    clocked_client: httpx.AsyncClient, shared_store: SandboxStore, token_for: Any, bc_log: Any
) -> None:
    company = shared_store.companies[0]["id"]
    first, second = (any_customer(shared_store, company, index) for index in (0, 1))
    query = "{ orders(first: 2) { nodes { number } } shipments(first: 2) { nodes { trackingNumber } } }"
    sets = ("salesOrders", "salesShipments", "shipmentTrackings")

    await data_of(clocked_client, query, token=token_for(first, company))
    once = {name: bc_log.count(name) for name in sets}
    await data_of(clocked_client, query, token=token_for(second, company))

    # The same request of another customer is another answer: read from BC, with its own filter.
    assert {name: bc_log.count(name) for name in sets} == {name: 2 * count for name, count in once.items()}
    assert once["salesOrders"] > 0
    seconds = [e.filter or "" for e in bc_log.entries if e.entity_set == "salesOrders"][once["salesOrders"] :]
    assert seconds
    assert all(f"customerNumber eq '{second}'" in text for text in seconds)
