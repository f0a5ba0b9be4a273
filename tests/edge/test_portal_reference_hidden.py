"""The reference comment the gateway writes into every order it places (``Portal order ref
PRT-…``) is bookkeeping for idempotent recovery: it is in BC, but in no answer a customer gets —
not the placed order, not the order read back, not the history, not a reorder, not the posted
shipments, invoices or credit memos BC copies it to."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from gateway.sandbox.store import SandboxStore
from tests.edge.writes_support import customer, items, lines_of, orders_of
from tests.helpers import data_of, rows

pytestmark = [pytest.mark.anyio, pytest.mark.writes]

REFERENCE = "Portal order ref"
LINES = "lines { sequence lineType number description quantity }"
RESULT = f"... on PlacedOrder {{ order {{ number {LINES} }} }} ... on WriteError {{ code }}"
PLACE = f"mutation($input: PlaceOrderInput!) {{ placeOrder(input: $input) {{ {RESULT} }} }}"
REORDER = f"mutation($input: ReorderInput!) {{ reorder(input: $input) {{ {RESULT} }} }}"
ONE_ORDER = f"query($n: String!) {{ order(number: $n) {{ number {LINES} }} }}"
CONNECTIONS = ("orders", "invoices", "shipments", "creditMemos")


def connection(name: str) -> str:
    return f"""
    query($after: String) {{
      {name}(first: 100, after: $after) {{ nodes {{ number {LINES} }} pageInfo {{ hasNextPage endCursor }} }}
    }}
    """


async def every_page(client: httpx.AsyncClient, token: str, name: str) -> list[dict[str, Any]]:
    nodes: list[dict[str, Any]] = []
    after = None
    while True:
        page = (await data_of(client, connection(name), {"after": after}, token=token))[name]
        nodes += page["nodes"]
        if not page["pageInfo"]["hasNextPage"]:
            return nodes
        after = page["pageInfo"]["endCursor"]


def descriptions(documents: list[dict[str, Any]]) -> list[str]:
    return [str(line["description"]) for document in documents for line in document["lines"]]


async def test_a_placed_order_keeps_its_reference_in_bc_but_no_answer_shows_it(
    client: httpx.AsyncClient, store: SandboxStore, token_for: Callable[..., str]
) -> None:
    company, number = customer(store)
    token = token_for(number, company)
    item = next(i for i in items(store, company) if i["type"] == "Inventory")

    placed = await data_of(
        client,
        PLACE,
        {"input": {"lines": [{"itemNumber": item["number"], "quantity": "2"}], "idempotencyKey": "ref-h"}},
        token=token,
    )
    order = placed["placeOrder"]["order"]
    read_back = (await data_of(client, ONE_ORDER, {"n": order["number"]}, token=token))["order"]
    history = await every_page(client, token, "orders")
    again = await data_of(
        client, REORDER, {"input": {"orderNumber": order["number"], "idempotencyKey": "ref-r"}}, token=token
    )

    created = next(o for o in orders_of(store, company, number) if o["number"] == order["number"])
    assert lines_of(store, company, created["id"])[0]["description"].startswith(REFERENCE)
    shown = [order, read_back, next(o for o in history if o["number"] == order["number"])]
    shown.append(again["reorder"]["order"])
    for document in shown:
        assert [(line["lineType"], line["number"]) for line in document["lines"]] == [
            ("ITEM", item["number"])
        ]
    assert not [text for text in descriptions(history) if REFERENCE in text]


async def test_documents_bc_copied_the_reference_to_never_show_it(
    client: httpx.AsyncClient, store: SandboxStore, token_for: Callable[..., str]
) -> None:
    """The demo world has orders placed through the portal, posted since: BC copied their
    reference comment to the shipments and invoices."""
    company = store.companies[0]["id"]
    referenced = {
        entity_set: {
            row["documentId"] for row in rows(store, company, entity_set) if REFERENCE in row["description"]
        }
        for entity_set in ("salesOrderLines", "salesShipmentLines", "salesInvoiceLines")
    }
    assert all(referenced.values()), referenced
    invoices = {row["id"]: row["customerNumber"] for row in rows(store, company, "salesInvoices")}
    number = next(invoices[i] for i in sorted(referenced["salesInvoiceLines"]) if i in invoices)
    token = token_for(number, company)

    for name in CONNECTIONS:
        documents = await every_page(client, token, name)
        assert documents or name == "creditMemos"
        assert not [text for text in descriptions(documents) if REFERENCE in text], name
