"""reorder end to end: the original document's item lines with the requested changes, prices as
BC computes them, unorderable lines reported, other customers' documents not found."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import httpx
import pytest

from gateway.sandbox.store import SandboxStore
from tests.edge.writes_support import bc_writes, decimal, lines_of, orders_of, reorder
from tests.helpers import rows

pytestmark = [pytest.mark.anyio, pytest.mark.writes]


def order_with_item_lines(store: SandboxStore, company: str, number: str, count: int = 2) -> dict[str, Any]:
    for order in orders_of(store, company, number):
        items = [line for line in lines_of(store, company, order["id"]) if line["lineType"] == "Item"]
        if len(items) >= count:
            return order
    raise LookupError("no order with enough item lines")


def reorderer(store: SandboxStore) -> tuple[str, str]:
    """A customer, not blocked, with an order of two or more item lines."""
    company = store.companies[0]["id"]
    for row in rows(store, company, "customers"):
        if row["blocked"] != "_x0020_":
            continue
        try:
            order_with_item_lines(store, company, row["number"])
        except LookupError:
            continue
        return company, row["number"]
    raise LookupError("no customer to reorder for")


def unblocked(store: SandboxStore, company: str) -> None:
    for item in rows(store, company, "items"):
        item["blocked"] = False


async def test_a_reorder_repeats_the_item_lines_with_the_changes_at_bcs_prices(
    client: httpx.AsyncClient, store: SandboxStore, token_for: Callable[..., str], bc_log: Any
) -> None:
    company, number = reorderer(store)
    unblocked(store, company)
    original = order_with_item_lines(store, company, number)
    item_lines = [line for line in lines_of(store, company, original["id"]) if line["lineType"] == "Item"]
    changed, removed = item_lines[0], item_lines[1]
    items = {item["number"]: item for item in rows(store, company, "items")}
    bc_log.clear()

    result = await reorder(
        client,
        token_for(number, company),
        {
            "orderNumber": original["number"],
            "changes": [
                {"sequence": changed["sequence"], "quantity": "7"},
                {"sequence": removed["sequence"], "quantity": "0"},
            ],
            "idempotencyKey": "again-1",
        },
    )

    assert result["__typename"] == "PlacedOrder", result
    expected = [
        (line["lineObjectNumber"], Decimal(7) if line is changed else line["quantity"])
        for line in item_lines
        if line is not removed
    ]
    got = [line for line in result["order"]["lines"] if line["lineType"] == "ITEM"]
    assert [(line["number"], decimal(line["quantity"])) for line in got] == expected
    assert [decimal(line["unitPrice"]["amount"]) for line in got] == [
        items[n]["unitPrice"] for n, _ in expected
    ]
    created = next(o for o in orders_of(store, company, number) if o["number"] == result["order"]["number"])
    assert decimal(result["order"]["totalIncludingTax"]["amount"]) == created["totalAmountIncludingTax"]
    assert bc_log.count(entity_set="salesOrders", method="POST") == 1


async def test_lines_that_cannot_be_reordered_are_reported_not_dropped(
    client: httpx.AsyncClient, store: SandboxStore, token_for: Callable[..., str]
) -> None:
    company, number = reorderer(store)
    unblocked(store, company)
    original = order_with_item_lines(store, company, number)
    item_lines = [line for line in lines_of(store, company, original["id"]) if line["lineType"] == "Item"]
    blocked = item_lines[0]
    next(i for i in rows(store, company, "items") if i["number"] == blocked["lineObjectNumber"])[
        "blocked"
    ] = True
    comments = [line for line in lines_of(store, company, original["id"]) if line["lineType"] != "Item"]

    result = await reorder(
        client, token_for(number, company), {"orderNumber": original["number"], "idempotencyKey": "again-2"}
    )

    assert result["__typename"] == "PlacedOrder", result
    skipped = {(p["sequence"], p["code"]) for p in result["skippedLines"]}
    assert (blocked["sequence"], "ITEM_BLOCKED") in skipped
    assert {(line["sequence"], "NOT_AN_ITEM") for line in comments} <= skipped
    ordered = [line["number"] for line in result["order"]["lines"] if line["lineType"] == "ITEM"]
    assert ordered == [line["lineObjectNumber"] for line in item_lines[1:]]


async def test_a_posted_invoice_can_be_reordered(
    client: httpx.AsyncClient, store: SandboxStore, token_for: Callable[..., str]
) -> None:
    company = store.companies[0]["id"]
    unblocked(store, company)
    customers = {r["number"]: r for r in rows(store, company, "customers") if r["blocked"] == "_x0020_"}
    invoice = next(
        i
        for i in rows(store, company, "salesInvoices")
        if i["customerNumber"] in customers and i["status"] in ("Open", "Paid") and i["remainingAmount"] >= 0
    )
    lines = [
        line
        for line in rows(store, company, "salesInvoiceLines")
        if line["documentId"] == invoice["id"] and line["lineType"] == "Item"
    ]

    result = await reorder(
        client,
        token_for(invoice["customerNumber"], company),
        {"invoiceNumber": invoice["number"], "idempotencyKey": "from-invoice"},
    )

    assert result["__typename"] == "PlacedOrder", result
    got = [line for line in result["order"]["lines"] if line["lineType"] == "ITEM"]
    assert sorted((line["number"], decimal(line["quantity"])) for line in got) == sorted(
        (line["lineObjectNumber"], line["quantity"]) for line in lines
    )


@pytest.mark.parametrize("kind", ["orderNumber", "invoiceNumber"])
async def test_another_customers_document_is_not_found_and_nothing_is_written(
    client: httpx.AsyncClient, store: SandboxStore, token_for: Callable[..., str], bc_log: Any, kind: str
) -> None:
    company, number = reorderer(store)
    entity_set = "salesOrders" if kind == "orderNumber" else "salesInvoices"
    theirs = next(d for d in rows(store, company, entity_set) if d["customerNumber"] != number)
    bc_log.clear()

    result = await reorder(
        client, token_for(number, company), {kind: theirs["number"], "idempotencyKey": f"theirs-{kind}"}
    )

    assert result["code"] == "NOT_FOUND"
    assert bc_writes(bc_log) == 0


async def test_an_unknown_order_number_is_not_found_and_nothing_is_written(
    client: httpx.AsyncClient, store: SandboxStore, token_for: Callable[..., str], bc_log: Any
) -> None:
    company, number = reorderer(store)
    bc_log.clear()

    result = await reorder(
        client, token_for(number, company), {"orderNumber": "NO-SUCH-ORDER", "idempotencyKey": "unknown"}
    )

    assert result["code"] == "NOT_FOUND"
    assert bc_writes(bc_log) == 0


async def test_a_change_to_a_line_the_document_does_not_have_is_a_line_problem(
    client: httpx.AsyncClient, store: SandboxStore, token_for: Callable[..., str], bc_log: Any
) -> None:
    company, number = reorderer(store)
    original = order_with_item_lines(store, company, number)
    bc_log.clear()

    result = await reorder(
        client,
        token_for(number, company),
        {
            "orderNumber": original["number"],
            "changes": [{"sequence": 999999, "quantity": "1"}],
            "idempotencyKey": "bad-change",
        },
    )

    assert result["code"] == "VALIDATION_FAILED"
    assert [(p["sequence"], p["code"]) for p in result["lineProblems"]] == [(999999, "LINE_NOT_FOUND")]
    assert bc_writes(bc_log) == 0


async def test_every_bad_change_of_a_reorder_is_reported_at_once_with_its_index(
    client: httpx.AsyncClient, store: SandboxStore, token_for: Callable[..., str], bc_log: Any
) -> None:
    company, number = reorderer(store)
    original = order_with_item_lines(store, company, number)
    first, second = [line for line in lines_of(store, company, original["id"]) if line["lineType"] == "Item"][
        :2
    ]
    bc_log.clear()

    result = await reorder(
        client,
        token_for(number, company),
        {
            "orderNumber": original["number"],
            "changes": [
                {"sequence": first["sequence"], "quantity": "2"},
                {"sequence": 999999, "quantity": "1"},
                {"sequence": second["sequence"], "quantity": "-1"},
                {"sequence": first["sequence"], "quantity": "3"},
                {"sequence": 888888, "quantity": "20000"},
            ],
            "idempotencyKey": "bad-changes",
        },
    )

    assert result["code"] == "VALIDATION_FAILED"
    assert [(p["index"], p["sequence"], p["code"]) for p in result["lineProblems"]] == [
        (1, 999999, "LINE_NOT_FOUND"),
        (2, second["sequence"], "QUANTITY_NOT_POSITIVE"),
        (3, first["sequence"], "DUPLICATE_LINE"),
        (4, 888888, "QUANTITY_TOO_LARGE"),
        (4, 888888, "LINE_NOT_FOUND"),
    ]
    assert bc_writes(bc_log) == 0


async def test_a_completed_order_bc_deleted_can_be_reordered_from_its_posted_documents(
    client: httpx.AsyncClient, store: SandboxStore, token_for: Callable[..., str]
) -> None:
    company = store.companies[0]["id"]
    unblocked(store, company)
    customers = {r["number"] for r in rows(store, company, "customers") if r["blocked"] == "_x0020_"}
    open_numbers = {o["number"] for o in rows(store, company, "salesOrders")}
    invoice = next(
        i
        for i in rows(store, company, "salesInvoices")
        if i["customerNumber"] in customers
        and i["orderNumber"]
        and i["orderNumber"] not in open_numbers
        and i["status"] in ("Open", "Paid")
    )
    invoiced = [
        line
        for line in rows(store, company, "salesInvoiceLines")
        if line["documentId"] == invoice["id"] and line["lineType"] == "Item"
    ]

    result = await reorder(
        client,
        token_for(invoice["customerNumber"], company),
        {"orderNumber": invoice["orderNumber"], "idempotencyKey": "completed"},
    )

    assert result["__typename"] == "PlacedOrder", result
    got = {line["number"] for line in result["order"]["lines"] if line["lineType"] == "ITEM"}
    assert {line["lineObjectNumber"] for line in invoiced} <= got


async def test_a_line_whose_item_was_deleted_is_reported_as_not_found(
    client: httpx.AsyncClient, store: SandboxStore, token_for: Callable[..., str]
) -> None:
    company, number = reorderer(store)
    unblocked(store, company)
    original = order_with_item_lines(store, company, number)
    item_lines = [line for line in lines_of(store, company, original["id"]) if line["lineType"] == "Item"]
    gone = item_lines[0]["lineObjectNumber"]
    catalogue = store.table(company, "v2.0", "items")
    catalogue.remove(next(item for item in catalogue if item["number"] == gone))

    result = await reorder(
        client, token_for(number, company), {"orderNumber": original["number"], "idempotencyKey": "deleted"}
    )

    assert result["__typename"] == "PlacedOrder", result
    skipped = [(p["itemNumber"], p["code"]) for p in result["skippedLines"] if p["code"] == "ITEM_NOT_FOUND"]
    assert skipped == [(gone, "ITEM_NOT_FOUND")] * sum(
        1 for line in item_lines if line["lineObjectNumber"] == gone
    )
