"""Release, ship and invoice a sales order, as BC's Release and Post (Ship / Invoice) do; and
move an open order to another customer, as changing its *Sell-to Customer No.* does.

Posting a shipment releases a draft order, writes a posted shipment for what was shipped (its
lines' quantities), moves the order lines' shipped quantities and takes the goods out of stock.
Posting an invoice bills what was shipped and not yet invoiced; once every line is shipped and
invoiced, BC deletes the order (after archiving it) — the history then lives in the posted
documents, exactly as the gateway rebuilds it.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import ROUND_FLOOR, Decimal
from typing import Any

from gateway.sandbox.errors import SandboxError
from gateway.sandbox.salesorders import ZERO, sell_to_changes
from gateway.sandbox.store import PORTAL_ROUTE, Row

from . import documents, finance
from .desk import Desk, StaffError, find

RELEASED = "Open"  # the API's name for BC's Released
PENDING_APPROVAL = "In_x0020_Review"
_BLOCKED_FOR_SHIPPING = ("Ship", "All")
_NO_CARRIER = ("PICKUP", "EXW")


def lines_of(desk: Desk, order: Row) -> list[Row]:
    return sorted(
        (r for r in desk.table("salesOrderLines") if r["documentId"] == order["id"]),
        key=lambda r: int(r["sequence"]),
    )


def lines_by_order(desk: Desk) -> dict[str, list[Row]]:
    """Every order's lines, by order id, in one pass over the lines: staff looking for an order to
    work on check each order's lines, and one scan of the lines per order would take seconds in a
    large world (the sandbox answers nothing meanwhile)."""
    grouped: dict[str, list[Row]] = defaultdict(list)
    for line in desk.table("salesOrderLines"):
        grouped[line["documentId"]].append(line)
    return grouped


def outstanding(line: Row) -> Decimal:
    return Decimal(line["quantity"]) - Decimal(line["shippedQuantity"])


def uninvoiced(line: Row) -> Decimal:
    return Decimal(line["shippedQuantity"]) - Decimal(line["invoicedQuantity"])


def release(desk: Desk, order: Row) -> str:
    if order["status"] == RELEASED:
        raise StaffError(409, f"Order {order['number']} is already released.")
    desk.update("salesOrders", order, {"status": RELEASED, "lastModifiedDateTime": desk.now})
    return f"Released order {order['number']} ({order['customerName']})."


def reassign(desk: Desk, order: Row, customer: Row) -> str:
    """Make ``customer`` the order's sell-to customer: BC allows it while the order is open (not
    released) and nothing of it is shipped, and notifies it as an update of the order."""
    if customer["id"] == order["customerId"]:
        raise StaffError(409, f"Order {order['number']} is already customer {customer['number']}'s.")
    try:
        changes = sell_to_changes(desk.context(), order, customer)
    except SandboxError as error:
        raise StaffError(409, error.message) from None
    previous = order["customerNumber"]
    desk.update("salesOrders", order, {**changes, "lastModifiedDateTime": desk.now})
    return f"Moved order {order['number']} from customer {previous} to customer {customer['number']}."


def ship(desk: Desk, order: Row, fraction: Decimal) -> str:
    """Post a shipment of ``fraction`` of each line's outstanding quantity (at least one unit)."""
    if order["status"] == PENDING_APPROVAL:
        raise StaffError(409, f"Order {order['number']} is pending approval and cannot be shipped.")
    customer = finance.customer_of(desk, order)
    if customer.get("blocked") in _BLOCKED_FOR_SHIPPING:
        raise StaffError(
            409,
            f"You cannot ship to Customer {customer['number']}: "
            f"it is blocked with type {customer['blocked']}.",
        )
    lines = lines_of(desk, order)
    shipped = [
        (line, _portion(outstanding(line), fraction)) for line in lines if line["lineType"] != "Comment"
    ]
    shipped = [(line, quantity) for line, quantity in shipped if quantity > 0]
    if not shipped:
        raise StaffError(409, f"Order {order['number']} has nothing left to ship.")
    header, posted = documents.shipment(desk, order, shipped)
    _post(desk, ("salesShipments", "salesShipmentLines"), header, posted, shipped, ("shipped", "ship"))
    for line, quantity in shipped:
        if line["lineType"] == "Item":
            _take_from_stock(desk, line["itemId"], quantity)
    complete = all(Decimal(line["shippedQuantity"]) == Decimal(line["quantity"]) for line in lines)
    desk.update(
        "salesOrders", order, {"status": RELEASED, "fullyShipped": complete, "lastModifiedDateTime": desk.now}
    )
    _track(desk, header, customer)
    units = sum((quantity for _, quantity in shipped), ZERO)
    how = "completely" if complete else "partly"
    return f"Shipped order {order['number']} {how}: {units:f} units on shipment {header['number']}."


def invoice(desk: Desk, order: Row) -> str:
    """Post an invoice for everything shipped and not yet invoiced."""
    lines = lines_of(desk, order)
    billed = [
        (line, uninvoiced(line)) for line in lines if line["lineType"] != "Comment" and uninvoiced(line) > 0
    ]
    if not billed:
        raise StaffError(409, f"Order {order['number']} has nothing shipped that is not invoiced.")
    header, posted = documents.invoice(desk, order, billed)
    _post(desk, ("salesInvoices", "salesInvoiceLines"), header, posted, billed, ("invoiced", "invoice"))
    terms = find(desk.table("paymentTerms"), "id", order.get("paymentTermsId"))
    finance.post_invoice(desk, header, str(terms["code"]) if terms else "", _discount_date(header, terms))
    total = f"{header['totalAmountIncludingTax']:f} {header['currencyCode']}".strip()
    if all(Decimal(line["invoicedQuantity"]) == Decimal(line["quantity"]) for line in lines):
        _complete(desk, order, lines)
        completed = "; BC deleted the completed order"
        return f"Invoiced order {order['number']} ({total}, invoice {header['number']}){completed}."
    return f"Invoiced order {order['number']} ({total}, invoice {header['number']})."


def _post(
    desk: Desk,
    sets: tuple[str, str],
    header: Row,
    lines: list[Row],
    moved: list[tuple[Row, Decimal]],
    fields: tuple[str, str],
) -> None:
    """Store a posted document (header and lines) and move on the order lines it posted:
    ``fields`` ("shipped", "ship") updates ``shippedQuantity`` and what is left, ``shipQuantity``."""
    headers, line_set = sets
    desk.insert(headers, header)
    for row in lines:
        desk.journal.insert(desk.table(line_set), row)
    done_field, left_field = f"{fields[0]}Quantity", f"{fields[1]}Quantity"
    for line, quantity in moved:
        done = Decimal(line[done_field]) + quantity
        desk.update("salesOrderLines", line, {done_field: done, left_field: Decimal(line["quantity"]) - done})


def _complete(desk: Desk, order: Row, lines: list[Row]) -> None:
    """BC deletes a completely shipped and invoiced order, archiving it first (Archive Orders on)."""
    if desk.has("salesOrderArchives") and "salesOrderArchives" in desk.context().model.entity_sets:
        header, archived = documents.archive(desk, order, lines)
        desk.journal.insert(desk.table("salesOrderArchives"), header)
        for row in archived:
            desk.journal.insert(desk.table("salesOrderArchiveLines"), row)
    for line in lines:
        desk.journal.delete(desk.table("salesOrderLines"), line)
    desk.delete("salesOrders", order)


def _portion(quantity: Decimal, fraction: Decimal) -> Decimal:
    """``fraction`` of ``quantity`` in whole units (at least one), or all of it: 11.5 metres
    shipped in full are 11.5, not 11."""
    if quantity <= 0:
        return ZERO
    if fraction >= 1:
        return quantity
    part = (quantity * fraction).to_integral_value(rounding=ROUND_FLOOR)
    return min(quantity, max(part, Decimal(1)))


def _take_from_stock(desk: Desk, item_id: str, quantity: Decimal) -> None:
    """Shipped goods leave stock; the item ledger entry touches the item (BC resets its "Cost is
    Adjusted"), so the item is notified as updated."""
    item = find(desk.table("items"), "id", item_id)
    if item is None or item.get("type") != "Inventory":
        return
    desk.update(
        "items", item, {"inventory": Decimal(item["inventory"]) - quantity, "lastModifiedDateTime": desk.now}
    )
    if desk.has("itemAvailabilities", PORTAL_ROUTE):
        availability = find(desk.table("itemAvailabilities", PORTAL_ROUTE), "itemId", item_id)
        if availability is not None:
            changes = {
                "inventory": Decimal(availability["inventory"]) - quantity,
                "committedQuantity": max(ZERO, Decimal(availability["committedQuantity"]) - quantity),
            }
            changes["availableQuantity"] = changes["inventory"] - changes["committedQuantity"]
            desk.update("itemAvailabilities", availability, changes, PORTAL_ROUTE)


def _track(desk: Desk, shipment: Row, customer: Row) -> None:
    """The carrier and tracking number the warehouse enters on the posted shipment."""
    if not desk.has("shipmentTrackings", PORTAL_ROUTE):
        return
    agents = [a for a in desk.table("shippingAgents", PORTAL_ROUTE) if a.get("internetAddress")]
    carried = shipment.get("shipmentMethodCode") not in _NO_CARRIER and agents
    agent: dict[str, Any] = desk.rng.choice(agents) if carried else {}
    tracking = "".join(desk.rng.choice("0123456789") for _ in range(12)) if agent else ""
    row = {
        "shipmentId": shipment["id"],
        "shipmentNumber": shipment["number"],
        "customerNumber": customer["number"],
        "shippingAgentCode": agent.get("code", ""),
        "shippingAgentServiceCode": "STANDARD" if agent else "",
        "packageTrackingNumber": tracking,
    }
    desk.insert("shipmentTrackings", row, PORTAL_ROUTE)


def _discount_date(invoice: Row, terms: Row | None) -> str:
    formula = str(terms.get("discountDateCalculation", "")) if terms else ""
    if not (formula.endswith("D") and formula[:-1].isdigit()):
        return documents.BLANK_DATE
    day = dt.date.fromisoformat(invoice["invoiceDate"]) + dt.timedelta(days=int(formula[:-1]))
    return day.isoformat()
