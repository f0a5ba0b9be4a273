"""Stock and customer service: an inventory adjustment, a reply to a customer query."""

from __future__ import annotations

from decimal import Decimal

from gateway.sandbox.store import PORTAL_ROUTE, Row

from .desk import Desk, StaffError, find

IN_PROGRESS = "In_x0020_Progress"
RESOLVED = "Resolved"
SERVICE_DESK = "Customer Service"


def adjust_stock(desk: Desk, item: Row, quantity: Decimal) -> str:
    """Post an item journal line: positive or negative adjustment of ``quantity``."""
    if item.get("type") != "Inventory":
        raise StaffError(409, f"Item {item['number']} is not an inventory item and has no stock.")
    inventory = Decimal(item["inventory"]) + quantity
    if inventory < 0:
        raise StaffError(
            409,
            f"Item {item['number']} has only {Decimal(item['inventory']):f} in stock; it cannot go negative.",
        )
    desk.update("items", item, {"inventory": inventory, "lastModifiedDateTime": desk.now})
    if desk.has("itemAvailabilities", PORTAL_ROUTE):
        availability = find(desk.table("itemAvailabilities", PORTAL_ROUTE), "itemId", item["id"])
        if availability is not None:
            committed = Decimal(availability["committedQuantity"])
            changes = {"inventory": inventory, "availableQuantity": inventory - committed}
            desk.update("itemAvailabilities", availability, changes, PORTAL_ROUTE)
    sign = "+" if quantity > 0 else ""
    return f"Adjusted stock of item {item['number']} by {sign}{quantity:f} to {inventory:f}."


def answer_query(desk: Desk, query: Row, message: str, *, resolve: bool) -> str:
    """A member of staff replies to a customer query (and may resolve it)."""
    if query["status"] == RESOLVED:
        raise StaffError(409, f"Query {query['number']} is already resolved.")
    messages = desk.table("customerQueryMessages", PORTAL_ROUTE)
    sequence = max((int(m["sequence"]) for m in messages if m["queryId"] == query["id"]), default=0) + 1
    reply = {
        "id": desk.new_id(),
        "queryId": query["id"],
        "sequence": sequence,
        "authorType": "Staff",
        "authorName": SERVICE_DESK,
        "body": message,
        "createdDateTime": desk.now,
    }
    desk.insert("customerQueryMessages", reply, PORTAL_ROUTE)
    status = RESOLVED if resolve else IN_PROGRESS
    desk.update("customerQueries", query, {"status": status, "lastModifiedDateTime": desk.now}, PORTAL_ROUTE)
    done = "and resolved it" if resolve else "(in progress)"
    return f"Answered query {query['number']} of customer {query['customerNumber']} {done}."
