"""What each staff action does to the sandbox, seen through BC's API."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import httpx
import pytest

from gateway.sandbox.staff import StaffError, run_action
from gateway.sandbox.state import Sandbox
from tests.sandbox.staff.conftest import amount, company, read, rows

pytestmark = pytest.mark.anyio

PORTAL = "/v2.0/sandbox/production/api/bcgateway/portal/v1.0"


def open_order(sandbox: Sandbox, company_id: str, *, unshipped: bool) -> dict[str, Any]:
    """A released order whose customer may be shipped to: nothing shipped yet, or partly invoiced."""

    def fresh(goods: list[dict[str, Any]]) -> bool:
        return all(r["shippedQuantity"] == 0 for r in goods) and all(r["quantity"] >= 2 for r in goods)

    return shippable_order(sandbox, company_id, lambda goods: fresh(goods) == unshipped)


def shippable_order(
    sandbox: Sandbox, company_id: str, accept: Callable[[list[dict[str, Any]]], bool]
) -> dict[str, Any]:
    """A released order whose customer may be shipped to, and whose lines (but comments) ``accept``."""
    customers = {c["id"]: c for c in rows(sandbox, company_id, "customers")}
    for order in rows(sandbox, company_id, "salesOrders"):
        lines = [r for r in rows(sandbox, company_id, "salesOrderLines") if r["documentId"] == order["id"]]
        goods = [r for r in lines if r["lineType"] != "Comment"]
        if (
            order["status"] == "Open"
            and customers[order["customerId"]]["blocked"] == "_x0020_"
            and goods
            and accept(goods)
        ):
            return order
    raise LookupError("no such order in the demo world")


async def test_shipping_an_order_posts_a_shipment_and_moves_quantities_and_stock(
    sandbox: Sandbox, bc: httpx.AsyncClient
) -> None:
    co = company(sandbox)
    order = open_order(sandbox, co, unshipped=True)
    lines = await read(bc, co, f"salesOrders({order['id']})/salesOrderLines")
    items_before = {i["id"]: amount(i["inventory"]) for i in await read(bc, co, "items")}

    outcome = await run_action(sandbox, "ship", {"order": order["number"]}, sandbox.staff_rng)

    (shipment,) = await read(bc, co, "salesShipments", **{"$filter": f"orderNumber eq '{order['number']}'"})
    shipped = await read(bc, co, f"salesShipments({shipment['id']})/salesShipmentLines")
    assert {(r["sequence"], amount(r["quantity"])) for r in shipped} == {
        (r["sequence"], amount(r["quantity"])) for r in lines if r["lineType"] != "Comment"
    }
    after = await read(bc, co, f"salesOrders({order['id']})/salesOrderLines")
    assert all(r["shippedQuantity"] == r["quantity"] for r in after)
    assert (await read(bc, co, "salesOrders", **{"$filter": f"id eq {order['id']}"}))[0]["fullyShipped"]
    items_after = {i["id"]: amount(i["inventory"]) for i in await read(bc, co, "items")}
    for line in lines:
        if line["lineType"] == "Item" and items_before[line["itemId"]] != items_after[line["itemId"]]:
            assert items_before[line["itemId"]] - items_after[line["itemId"]] >= amount(line["quantity"])
    tracking = (await bc.get(f"{PORTAL}/companies({co})/shipmentTrackings({shipment['id']})")).json()
    assert tracking["shipmentNumber"] == shipment["number"]
    assert outcome.summary.startswith(f"Shipped order {order['number']} completely")


async def test_shipping_in_full_ships_a_fractional_quantity_too(
    sandbox: Sandbox, bc: httpx.AsyncClient
) -> None:
    co = company(sandbox)
    order = shippable_order(  # nothing shipped yet, and a quantity like 11.5 metres
        sandbox,
        co,
        lambda goods: (
            all(r["shippedQuantity"] == 0 for r in goods) and any(amount(r["quantity"]) % 1 for r in goods)
        ),
    )

    outcome = await run_action(sandbox, "ship", {"order": order["number"]}, sandbox.staff_rng)

    after = await read(bc, co, f"salesOrders({order['id']})/salesOrderLines")
    assert all(amount(r["shippedQuantity"]) == amount(r["quantity"]) for r in after)
    assert (await read(bc, co, "salesOrders", **{"$filter": f"id eq {order['id']}"}))[0]["fullyShipped"]
    assert outcome.summary.startswith(f"Shipped order {order['number']} completely")


async def test_shipping_half_leaves_the_rest_outstanding(sandbox: Sandbox, bc: httpx.AsyncClient) -> None:
    co = company(sandbox)
    order = open_order(sandbox, co, unshipped=True)

    await run_action(sandbox, "ship", {"order": order["number"], "fraction": "0.5"}, sandbox.staff_rng)

    after = [
        r
        for r in await read(bc, co, f"salesOrders({order['id']})/salesOrderLines")
        if r["lineType"] != "Comment"
    ]
    assert all(0 < amount(r["shippedQuantity"]) < amount(r["quantity"]) for r in after)
    assert all(
        amount(r["shipQuantity"]) == amount(r["quantity"]) - amount(r["shippedQuantity"]) for r in after
    )
    assert not (await read(bc, co, "salesOrders", **{"$filter": f"id eq {order['id']}"}))[0]["fullyShipped"]


async def test_invoicing_what_was_shipped_completes_and_deletes_the_order_and_bills_the_customer(
    sandbox: Sandbox, bc: httpx.AsyncClient
) -> None:
    co = company(sandbox)
    order = open_order(sandbox, co, unshipped=True)
    customer_filter = {"$filter": f"number eq '{order['customerNumber']}'"}
    before = (await read(bc, co, "customers", **customer_filter))[0]
    await run_action(sandbox, "ship", {"order": order["number"]}, sandbox.staff_rng)

    outcome = await run_action(sandbox, "invoice", {"order": order["number"]}, sandbox.staff_rng)

    assert await read(bc, co, "salesOrders", **{"$filter": f"id eq {order['id']}"}) == []
    (invoice,) = await read(bc, co, "salesInvoices", **{"$filter": f"orderNumber eq '{order['number']}'"})
    lines = await read(bc, co, "salesInvoiceLines", **{"$filter": f"documentId eq {invoice['id']}"})
    total = sum((amount(r["amountIncludingTax"]) for r in lines), Decimal(0))
    assert amount(invoice["totalAmountIncludingTax"]) == total == amount(invoice["remainingAmount"])
    assert invoice["status"] == "Open"
    after = (await read(bc, co, "customers", **customer_filter))[0]
    assert amount(after["balanceDue"]) == amount(before["balanceDue"]) + total
    archives = await read(bc, co, "salesOrderArchives", **{"$filter": f"number eq '{order['number']}'"})
    assert [a["versionNumber"] for a in archives] == [1]
    assert "deleted the completed order" in outcome.summary


async def test_a_payment_settles_the_invoice_in_every_ledger(sandbox: Sandbox, bc: httpx.AsyncClient) -> None:
    co = company(sandbox)
    order = open_order(sandbox, co, unshipped=True)
    await run_action(sandbox, "ship", {"order": order["number"]}, sandbox.staff_rng)
    await run_action(sandbox, "invoice", {"order": order["number"]}, sandbox.staff_rng)
    (invoice,) = await read(bc, co, "salesInvoices", **{"$filter": f"orderNumber eq '{order['number']}'"})
    customer_filter = {"$filter": f"number eq '{order['customerNumber']}'"}
    billed = (await read(bc, co, "customers", **customer_filter))[0]

    await run_action(sandbox, "pay", {"invoice": invoice["number"], "part": "0.5"}, sandbox.staff_rng)
    await run_action(sandbox, "pay", {"invoice": invoice["number"]}, sandbox.staff_rng)

    paid = (await read(bc, co, "salesInvoices", **{"$filter": f"id eq {invoice['id']}"}))[0]
    assert (paid["status"], amount(paid["remainingAmount"])) == ("Paid", Decimal(0))
    after = (await read(bc, co, "customers", **customer_filter))[0]
    assert amount(after["balanceDue"]) == amount(billed["balanceDue"]) - amount(
        invoice["totalAmountIncludingTax"]
    )
    ledger = rows(sandbox, co, "customerLedgerEntries", "microsoft/analytics/v1.0")
    entry = next(r for r in ledger if r["dcleDocumentNo"] == invoice["number"])
    of_invoice = [r for r in ledger if r["cleEntryNo"] == entry["cleEntryNo"]]
    assert [r["dcleEntryType"] for r in of_invoice] == ["Initial_x0020_Entry", "Application", "Application"]
    assert sum((r["dcleAmountLCY"] for r in of_invoice), Decimal(0)) == 0
    assert all(r["cleOpen"] is False for r in of_invoice)


async def test_release_stock_and_answer(sandbox: Sandbox, bc: httpx.AsyncClient) -> None:
    co = company(sandbox)
    draft = next(o for o in rows(sandbox, co, "salesOrders") if o["status"] == "Draft")
    item = dict(next(i for i in rows(sandbox, co, "items") if i["type"] == "Inventory"))
    query = next(
        q for q in rows(sandbox, co, "customerQueries", "bcgateway/portal/v1.0") if q["status"] == "Open"
    )

    await run_action(sandbox, "release", {"order": draft["number"]}, sandbox.staff_rng)
    await run_action(sandbox, "stock", {"item": item["number"], "quantity": "40"}, sandbox.staff_rng)
    await run_action(
        sandbox, "answer", {"query": query["number"], "message": "On its way."}, sandbox.staff_rng
    )

    assert (await read(bc, co, "salesOrders", **{"$filter": f"id eq {draft['id']}"}))[0]["status"] == "Open"
    stocked = (await read(bc, co, "items", **{"$filter": f"id eq {item['id']}"}))[0]
    assert amount(stocked["inventory"]) == amount(item["inventory"]) + 40
    answered = (
        await bc.get(f"{PORTAL}/companies({co})/customerQueries({query['id']})?$expand=customerQueryMessages")
    ).json()
    assert answered["status"] == "In_x0020_Progress"
    last = max(answered["customerQueryMessages"], key=lambda m: m["sequence"])
    assert (last["authorType"], last["body"]) == ("Staff", "On its way.")


@pytest.mark.parametrize(
    ("action", "options", "status", "message"),
    [
        ("ship", {"order": "NO-SUCH-ORDER"}, 404, "No order NO-SUCH-ORDER"),
        ("ship", {"fraction": "1.5", "company": "CRONUS International Ltd."}, 400, "fraction"),
        ("pay", {"amount": "-1", "company": "CRONUS International Ltd."}, 400, "amount"),
        (
            "stock",
            {"quantity": "ten", "company": "CRONUS International Ltd."},
            400,
            "quantity must be a number",
        ),
        ("dance", {}, 404, "Unknown staff action"),
    ],
)
async def test_an_action_that_cannot_be_done_says_why_and_changes_nothing(
    sandbox: Sandbox, action: str, options: dict[str, str], status: int, message: str
) -> None:
    co = company(sandbox)
    before = (
        [dict(r) for r in rows(sandbox, co, "salesInvoices")],
        [dict(r) for r in rows(sandbox, co, "items")],
    )

    with pytest.raises(StaffError) as refused:
        await run_action(sandbox, action, options, sandbox.staff_rng)

    assert refused.value.status == status
    assert message in refused.value.message
    assert (
        [dict(r) for r in rows(sandbox, co, "salesInvoices")],
        [dict(r) for r in rows(sandbox, co, "items")],
    ) == before
    assert sandbox.webhooks.pending_count() == 0


async def test_releasing_a_released_order_is_refused(sandbox: Sandbox) -> None:
    co = company(sandbox)
    released = next(o for o in rows(sandbox, co, "salesOrders") if o["status"] == "Open")

    with pytest.raises(StaffError) as refused:
        await run_action(sandbox, "release", {"order": released["number"]}, sandbox.staff_rng)

    assert (refused.value.status, refused.value.message) == (
        409,
        f"Order {released['number']} is already released.",
    )
