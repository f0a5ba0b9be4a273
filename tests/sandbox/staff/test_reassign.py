"""Staff move an open order to another customer, as BC's Sell-to Customer No. validation allows:
only while the order is open (the API's ``Draft``) and nothing of it is shipped."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from gateway.sandbox.staff import StaffError, run_action
from gateway.sandbox.state import Sandbox
from tests.sandbox.conftest import API
from tests.sandbox.staff.conftest import company, read, rows

pytestmark = pytest.mark.anyio


def movable(sandbox: Sandbox, company_id: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """An open (unreleased) order with nothing shipped, and a customer it may move to: another
    one, billed in its currency; neither is blocked."""
    lines = rows(sandbox, company_id, "salesOrderLines")
    customers = [c for c in rows(sandbox, company_id, "customers") if c.get("blocked") == "_x0020_"]
    for order in rows(sandbox, company_id, "salesOrders"):
        if order["status"] != "Draft" or any(
            line["shippedQuantity"] for line in lines if line["documentId"] == order["id"]
        ):
            continue
        if not any(c["id"] == order["customerId"] for c in customers):
            continue
        for customer in customers:
            if customer["id"] != order["customerId"] and customer["currencyCode"] == order["currencyCode"]:
                return order, customer
    raise LookupError("no order of the demo world can move")


async def test_staff_move_an_open_order_and_bc_notifies_its_update(
    sandbox: Sandbox, bc: httpx.AsyncClient
) -> None:
    co = company(sandbox)
    order, customer = movable(sandbox, co)
    previous = order["customerNumber"]

    outcome = await run_action(
        sandbox, "reassign", {"order": order["number"], "customer": customer["number"]}, sandbox.staff_rng
    )

    (moved,) = await read(bc, co, "salesOrders", **{"$filter": f"number eq '{order['number']}'"})
    assert (moved["customerNumber"], moved["customerId"]) == (customer["number"], customer["id"])
    assert moved["customerName"] == customer["displayName"]
    assert moved["billToCustomerNumber"] == customer["number"]
    assert not await read(
        bc,
        co,
        "salesOrders",
        **{"$filter": f"number eq '{order['number']}' and customerNumber eq '{previous}'"},
    )
    assert [(c["entitySet"], c["changeType"]) for c in outcome.changes] == [("salesOrders", "updated")]
    assert outcome.summary == (
        f"Moved order {order['number']} from customer {previous} to customer {customer['number']}."
    )


async def test_a_released_or_shipped_order_cannot_be_moved(sandbox: Sandbox) -> None:
    co = company(sandbox)
    order, customer = movable(sandbox, co)
    await run_action(sandbox, "release", {"order": order["number"]}, sandbox.staff_rng)
    move = {"order": order["number"], "customer": customer["number"]}

    with pytest.raises(StaffError) as released:
        await run_action(sandbox, "reassign", move, sandbox.staff_rng)
    await run_action(sandbox, "ship", {"order": order["number"], "fraction": "0.5"}, sandbox.staff_rng)
    # Reopened (staff set it back to Open in BC): still refused, a line is shipped.
    order["status"] = "Draft"
    with pytest.raises(StaffError) as shipped:
        await run_action(sandbox, "reassign", move, sandbox.staff_rng)

    assert released.value.status == 409
    assert released.value.message == (
        f"Status must be equal to 'Open'  in Sales Header: Document Type=Order, No.={order['number']}. "
        "Current value is 'Released'."
    )
    assert shipped.value.message.startswith(
        f"Quantity Shipped must be equal to '0'  in Sales Line: Document Type=Order, "
        f"Document No.={order['number']}, Line No.="
    )
    assert order["customerId"] != customer["id"]


async def test_patching_an_orders_customer_number_moves_it_as_bc_does(
    sandbox: Sandbox, bc: httpx.AsyncClient
) -> None:
    co = company(sandbox)
    order, customer = movable(sandbox, co)
    released = next(o for o in rows(sandbox, co, "salesOrders") if o["status"] == "Open")

    moved = await bc.patch(
        f"{API}/companies({co})/salesOrders({order['id']})",
        json={"customerNumber": customer["number"]},
        headers={"If-Match": "*"},
    )
    refused = await bc.patch(
        f"{API}/companies({co})/salesOrders({released['id']})",
        json={"customerNumber": customer["number"]},
        headers={"If-Match": "*"},
    )

    assert moved.status_code == 200, moved.text
    assert (moved.json()["customerId"], moved.json()["customerName"]) == (
        customer["id"],
        customer["displayName"],
    )
    assert refused.status_code == 400
    assert refused.json()["error"]["code"] == "Application_FieldValidationException"
    assert released["customerId"] != customer["id"]
