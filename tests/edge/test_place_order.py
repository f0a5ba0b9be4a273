"""placeOrder end to end against the sandbox: one atomic deep insert, prices and totals from BC,
every refusal typed and without a BC write."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal
from typing import Any

import httpx
import pytest

from gateway.edge.development import Development
from gateway.sandbox.store import SandboxStore
from tests.edge.writes_support import (
    bc_writes,
    customer,
    decimal,
    gateway_client,
    items,
    lines_of,
    orders_of,
    place,
)

pytestmark = [pytest.mark.anyio, pytest.mark.writes]


async def test_a_cart_becomes_one_order_with_bcs_prices_and_totals(
    client: httpx.AsyncClient, store: SandboxStore, token_for: Callable[..., str], bc_log: Any
) -> None:
    company, number = customer(store)
    first, second = items(store, company)[:2]
    before = len(orders_of(store, company, number))
    bc_log.clear()

    result = await place(
        client,
        token_for(number, company),
        {
            "lines": [
                {"itemNumber": first["number"], "quantity": "3"},
                {"itemNumber": second["number"], "quantity": "1.5"},
            ],
            "customerReference": "PO-4711",
            "requestedDeliveryDate": "2026-07-01",
            "idempotencyKey": "cart-1",
        },
    )

    assert result["__typename"] == "PlacedOrder", result
    assert bc_log.count(entity_set="salesOrders", method="POST") == 1
    assert bc_log.count(entity_set="salesOrderLines", method="POST") == 0  # lines went inline
    mine = orders_of(store, company, number)
    assert len(mine) == before + 1
    created = next(o for o in mine if o["number"] == result["order"]["number"])
    assert created["externalDocumentNumber"] == "PO-4711"
    assert result["order"]["externalDocumentNumber"] == "PO-4711"
    assert result["order"]["requestedDeliveryDate"] == "2026-07-01"
    item_lines = [line for line in result["order"]["lines"] if line["lineType"] == "ITEM"]
    assert [(line["number"], decimal(line["quantity"])) for line in item_lines] == [
        (first["number"], Decimal(3)),
        (second["number"], Decimal("1.5")),
    ]
    assert [decimal(line["unitPrice"]["amount"]) for line in item_lines] == [
        first["unitPrice"],
        second["unitPrice"],
    ]
    stored = [line for line in lines_of(store, company, created["id"]) if line["lineType"] == "Item"]
    assert [decimal(line["amountExcludingTax"]["amount"]) for line in item_lines] == [
        line["amountExcludingTax"] for line in stored
    ]
    assert decimal(result["order"]["totalIncludingTax"]["amount"]) == created["totalAmountIncludingTax"]
    assert created["totalAmountExcludingTax"] == sum(line["amountExcludingTax"] for line in stored)


async def test_the_order_carries_the_portal_reference_as_its_first_line(
    client: httpx.AsyncClient, store: SandboxStore, token_for: Callable[..., str]
) -> None:
    company, number = customer(store)
    item = items(store, company)[0]

    result = await place(
        client,
        token_for(number, company),
        {"lines": [{"itemNumber": item["number"], "quantity": "1"}], "idempotencyKey": "ref-1"},
    )

    created = next(o for o in orders_of(store, company, number) if o["number"] == result["order"]["number"])
    first_line = lines_of(store, company, created["id"])[0]
    assert first_line["lineType"] == "Comment"
    assert first_line["description"].startswith("Portal order ref PRT-")


@pytest.mark.parametrize(
    ("quantity", "code"),
    [("0", "QUANTITY_NOT_POSITIVE"), ("-2", "QUANTITY_NOT_POSITIVE"), ("10001", "QUANTITY_TOO_LARGE")],
)
async def test_a_quantity_out_of_bounds_is_a_line_problem_and_nothing_is_written(
    client: httpx.AsyncClient,
    store: SandboxStore,
    token_for: Callable[..., str],
    bc_log: Any,
    quantity: str,
    code: str,
) -> None:
    company, number = customer(store)
    item = items(store, company)[0]
    bc_log.clear()

    result = await place(
        client,
        token_for(number, company),
        {"lines": [{"itemNumber": item["number"], "quantity": quantity}], "idempotencyKey": f"q-{quantity}"},
    )

    assert result["__typename"] == "WriteError"
    assert result["code"] == "VALIDATION_FAILED"
    assert [(p["itemNumber"], p["code"]) for p in result["lineProblems"]] == [(item["number"], code)]
    assert bc_writes(bc_log) == 0


async def test_a_blocked_item_is_refused_before_any_write(
    client: httpx.AsyncClient, store: SandboxStore, token_for: Callable[..., str], bc_log: Any
) -> None:
    company, number = customer(store)
    good, bad = items(store, company)[0], items(store, company, blocked=True)[0]
    bc_log.clear()

    result = await place(
        client,
        token_for(number, company),
        {
            "lines": [
                {"itemNumber": good["number"], "quantity": "1"},
                {"itemNumber": bad["number"], "quantity": "1"},
            ],
            "idempotencyKey": "blocked-item",
        },
    )

    assert result["code"] == "VALIDATION_FAILED"
    assert [(p["itemNumber"], p["code"]) for p in result["lineProblems"]] == [(bad["number"], "ITEM_BLOCKED")]
    assert bc_writes(bc_log) == 0


async def test_an_unknown_item_is_refused_before_any_write(
    client: httpx.AsyncClient, store: SandboxStore, token_for: Callable[..., str], bc_log: Any
) -> None:
    company, number = customer(store)
    bc_log.clear()

    result = await place(
        client,
        token_for(number, company),
        {"lines": [{"itemNumber": "NO-SUCH-ITEM", "quantity": "1"}], "idempotencyKey": "unknown-item"},
    )

    assert result["code"] == "VALIDATION_FAILED"
    assert [p["code"] for p in result["lineProblems"]] == ["ITEM_NOT_FOUND"]
    assert bc_writes(bc_log) == 0


async def test_every_bad_line_of_a_cart_is_reported_at_once_with_its_index(
    client: httpx.AsyncClient, store: SandboxStore, token_for: Callable[..., str], bc_log: Any
) -> None:
    company, number = customer(store)
    good, other = items(store, company)[:2]
    blocked = items(store, company, blocked=True)[0]
    bc_log.clear()

    result = await place(
        client,
        token_for(number, company),
        {
            "lines": [
                {"itemNumber": good["number"], "quantity": "1"},
                {"itemNumber": "NO-SUCH-ITEM", "quantity": "1"},
                {"itemNumber": other["number"], "quantity": "0"},
                {"itemNumber": blocked["number"], "quantity": "1"},
                {"itemNumber": good["number"], "quantity": "2"},
                {"itemNumber": "NOT-THERE-EITHER", "quantity": "20000"},
            ],
            "idempotencyKey": "many-bad",
        },
    )

    assert result["code"] == "VALIDATION_FAILED"
    assert [(p["index"], p["itemNumber"], p["code"]) for p in result["lineProblems"]] == [
        (1, "NO-SUCH-ITEM", "ITEM_NOT_FOUND"),
        (2, other["number"], "QUANTITY_NOT_POSITIVE"),
        (3, blocked["number"], "ITEM_BLOCKED"),
        (4, good["number"], "DUPLICATE_LINE"),
        (5, "NOT-THERE-EITHER", "QUANTITY_TOO_LARGE"),
        (5, "NOT-THERE-EITHER", "ITEM_NOT_FOUND"),
    ]
    assert {p["sequence"] for p in result["lineProblems"]} == {None}  # a cart has no original lines
    assert bc_writes(bc_log) == 0


@pytest.mark.parametrize("blocked", ["All", "Ship"])
async def test_a_blocked_customer_cannot_order(
    client: httpx.AsyncClient, store: SandboxStore, token_for: Callable[..., str], bc_log: Any, blocked: str
) -> None:
    company, number = customer(store, blocked=blocked)
    item = items(store, company)[0]
    bc_log.clear()

    result = await place(
        client,
        token_for(number, company),
        {"lines": [{"itemNumber": item["number"], "quantity": "1"}], "idempotencyKey": "blocked-customer"},
    )

    assert result["code"] == "CUSTOMER_BLOCKED"
    assert bc_writes(bc_log) == 0


async def test_more_lines_than_the_limit_are_refused_before_any_write(
    client: httpx.AsyncClient, store: SandboxStore, token_for: Callable[..., str], bc_log: Any
) -> None:
    company, number = customer(store)
    cart = [{"itemNumber": f"X{n}", "quantity": "1"} for n in range(101)]
    bc_log.clear()

    result = await place(client, token_for(number, company), {"lines": cart, "idempotencyKey": "too-many"})

    assert result["code"] == "VALIDATION_FAILED"
    assert "at most 100 lines" in result["message"]
    assert bc_log.count() == 0


async def test_bc_refusing_a_line_in_the_middle_leaves_no_order_header_or_line(
    development: Development, store: SandboxStore, token_for: Callable[..., str], bc_log: Any
) -> None:
    company, number = customer(store)
    first, second, third = items(store, company)[:3]
    # BC blocks the middle item after the gateway checked the catalogue, before the order lands.
    racing = replace(development, bc_transport=BlockItemOnOrder(development.bc_transport, second))
    orders_before = len(store.table(company, "v2.0", "salesOrders"))
    lines_before = len(store.table(company, "v2.0", "salesOrderLines"))
    cart = [{"itemNumber": item["number"], "quantity": "2"} for item in (first, second, third)]

    async with gateway_client(racing) as client:
        bc_log.clear()
        result = await place(client, token_for(number, company), {"lines": cart, "idempotencyKey": "race"})

    assert result["__typename"] == "WriteError", result
    assert result["code"] == "BC_REJECTED"
    assert second["number"] in result["message"]
    assert "://" not in result["message"]
    assert "CorrelationId" not in result["message"]
    assert bc_log.count(entity_set="salesOrders", method="POST") == 1
    assert len(store.table(company, "v2.0", "salesOrders")) == orders_before
    assert len(store.table(company, "v2.0", "salesOrderLines")) == lines_before


class BlockItemOnOrder(httpx.AsyncBaseTransport):
    """In front of the sandbox: blocks ``item`` in BC when an order is posted."""

    def __init__(self, inner: httpx.AsyncBaseTransport, item: dict[str, Any]) -> None:
        self.inner = inner
        self.item = item

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "POST" and request.url.path.endswith("/salesOrders"):
            self.item["blocked"] = True
        return await self.inner.handle_async_request(request)
