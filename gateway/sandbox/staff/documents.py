"""Posted documents built from an open order's rows, as BC's posting routines copy them.

A posted shipment or invoice takes the order's customer, address, currency and terms blocks
(every property the two entity types share, by name) and its own number, dates (posted today,
due after the order's payment terms) and lines; the
archive BC keeps of an order it deletes after posting (*Archive Orders* on) has the order's
ORIGINAL quantities.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

from gateway.sandbox.body import blank_row
from gateway.sandbox.numbers import increment
from gateway.sandbox.salesorders import ZERO, ZERO_GUID, line_amounts
from gateway.sandbox.store import Row

from .desk import Desk, find

BLANK_DATE = "0001-01-01"
_DIGITS = re.compile(r"(\d+)(?!.*\d)")
# salesOrderLines.lineType → the posted shipment's and the archive's line type members.
POSTED_LINE_TYPES = {"Item": "Item", "Account": "G_x002F_L_x0020_Account", "Comment": "_x0020_"}


def copied(desk: Desk, entity_set: str, source: Row) -> Row:
    """A blank row of ``entity_set`` holding every property it shares with ``source``."""
    model = desk.context().model
    entity = model.entity_type_of(entity_set)
    row = blank_row(entity, model)
    row.update({k: v for k, v in source.items() if k in entity.properties and not k.startswith("_")})
    return row


def next_posted_number(rows: list[Row], first: str) -> str:
    """The number after the highest posted one (drafts have a series of their own)."""
    numbers = [str(r["number"]) for r in rows if r.get("status", "Open") != "Draft" and r.get("number")]
    if not numbers:
        return first
    return increment(max(numbers, key=_sort_key))


def due_date(desk: Desk, order: Row) -> str:
    """The posted document's date (today) plus the order's payment terms' due days (``30D``)."""
    terms = find(desk.table("paymentTerms"), "id", order.get("paymentTermsId", ZERO_GUID))
    formula = str(terms.get("dueDateCalculation", "")) if terms else ""
    days = int(formula[:-1]) if formula.endswith("D") and formula[:-1].isdigit() else 0
    return (desk.today + dt.timedelta(days=days)).isoformat()


def code_of(desk: Desk, entity_set: str, key: Any) -> str:
    row = find(desk.table(entity_set), "id", key) if key and key != ZERO_GUID else None
    return str(row["code"]) if row else ""


def shipment(desk: Desk, order: Row, shipped: list[tuple[Row, Decimal]]) -> tuple[Row, list[Row]]:
    header = copied(desk, "salesShipments", order)
    number = next_posted_number(desk.table("salesShipments"), "SSH000001")
    header.update(
        {
            "id": desk.new_id(),
            "number": number,
            # Its own Document Date (the API's invoiceDate): the day it is posted, as BC sets it
            # with "Link Doc. Date To Posting Date" (the demo world's posted documents do the same).
            "invoiceDate": desk.today.isoformat(),
            "postingDate": desk.today.isoformat(),
            "dueDate": due_date(desk, order),
            "customerPurchaseOrderReference": "",
            "orderNumber": order["number"],
            "paymentTermsCode": code_of(desk, "paymentTerms", order.get("paymentTermsId")),
            "shipmentMethodCode": code_of(desk, "shipmentMethods", order.get("shipmentMethodId")),
            "lastModifiedDateTime": desk.now,
        }
    )
    lines = []
    for line, quantity in shipped:
        row = copied(desk, "salesShipmentLines", line)
        row.update(
            {
                "id": desk.new_id(),
                "documentId": header["id"],
                "documentNo": number,
                "lineType": POSTED_LINE_TYPES.get(line["lineType"], "_x0020_"),
                "quantity": quantity,
                "shipmentDate": desk.today.isoformat(),
            }
        )
        lines.append(row)
    return header, lines


def invoice(desk: Desk, order: Row, invoiced: list[tuple[Row, Decimal]]) -> tuple[Row, list[Row]]:
    header = copied(desk, "salesInvoices", order)
    lines = []
    for line, quantity in invoiced:
        row = copied(desk, "salesInvoiceLines", line)
        amounts = line_amounts({**line, "quantity": quantity, "discountAmount": ZERO})
        row.update({k: v for k, v in amounts.items() if k in row})
        row.update({"id": desk.new_id(), "quantity": quantity, "shipmentDate": desk.today.isoformat()})
        lines.append(row)
    excluding = sum((Decimal(r["amountExcludingTax"]) for r in lines), ZERO)
    tax = sum((Decimal(r["totalTaxAmount"]) for r in lines), ZERO)
    header.update(
        {
            "id": desk.new_id(),
            "number": next_posted_number(desk.table("salesInvoices"), "PSI000001"),
            "invoiceDate": desk.today.isoformat(),
            "postingDate": desk.today.isoformat(),
            "dueDate": due_date(desk, order),
            "promisedPayDate": BLANK_DATE,
            "customerPurchaseOrderReference": "",
            "orderId": order["id"],
            "orderNumber": order["number"],
            "disputeStatusId": ZERO_GUID,
            "disputeStatus": "",
            "discountAmount": ZERO,
            "totalAmountExcludingTax": excluding,
            "totalTaxAmount": tax,
            "totalAmountIncludingTax": excluding + tax,
            "remainingAmount": excluding + tax,
            "status": "Open",
            "lastModifiedDateTime": desk.now,
        }
    )
    for row in lines:
        row["documentId"] = header["id"]
    return header, lines


def archive(desk: Desk, order: Row, lines: list[Row]) -> tuple[Row, list[Row]]:
    """Version 1 of ``order`` in ``salesOrderArchives``, its lines with the ordered quantities."""
    header = copied(desk, "salesOrderArchives", order)
    header.update(
        {
            "id": desk.new_id(),
            "docNoOccurrence": 1,
            "versionNumber": 1,
            "sellToCustomerNumber": order["customerNumber"],
            "sellToCustomerName": order["customerName"],
            "billToName": order.get("billToName", ""),
            "documentDate": order["orderDate"],
            "postingDate": desk.today.isoformat(),
            "currencyCode": "" if order.get("currencyId", ZERO_GUID) == ZERO_GUID else order["currencyCode"],
            "paymentTermsCode": code_of(desk, "paymentTerms", order.get("paymentTermsId")),
            "shipmentMethodCode": code_of(desk, "shipmentMethods", order.get("shipmentMethodId")),
            "salespersonCode": order.get("salesperson", ""),
            "status": "Released",
            "dateArchived": desk.today.isoformat(),
            "archivedBy": "SANDBOX",
            "lastModifiedDateTime": desk.now,
        }
    )
    for part in ("sellTo", "billTo", "shipTo"):
        header.update(_archive_address(order, part))
    archived = []
    for line in lines:
        row = copied(desk, "salesOrderArchiveLines", line)
        amounts = line_amounts(line)
        comment = line["lineType"] == "Comment"
        gross = Decimal(line["quantity"]) * Decimal(line["unitPrice"])
        row.update(
            {
                "id": desk.new_id(),
                "documentNumber": order["number"],
                "docNoOccurrence": 1,
                "versionNumber": 1,
                "lineType": POSTED_LINE_TYPES.get(line["lineType"], "_x0020_"),
                "lineDiscountPercent": line.get("discountPercent", ZERO),
                "lineDiscountAmount": amounts["discountAmount"],
                "lineAmount": ZERO if comment else gross - amounts["discountAmount"],
                "amount": amounts["amountExcludingTax"],
                "amountIncludingVAT": amounts["amountIncludingTax"],
                "outstandingQuantity": ZERO,
                "qtyToShip": ZERO,
                "quantityShipped": line["shippedQuantity"],
                "quantityInvoiced": line["invoicedQuantity"],
                "shipmentDate": BLANK_DATE if comment else order["orderDate"],
                "lastModifiedDateTime": desk.now,
            }
        )
        archived.append(row)
    return header, archived


def _archive_address(order: Row, part: str) -> dict[str, Any]:
    return {
        f"{part}Address": order.get(f"{part}AddressLine1", ""),
        f"{part}Address2": order.get(f"{part}AddressLine2", ""),
        f"{part}City": order.get(f"{part}City", ""),
        f"{part}County": order.get(f"{part}State", ""),
        f"{part}PostCode": order.get(f"{part}PostCode", ""),
        f"{part}CountryRegionCode": order.get(f"{part}Country", ""),
    }


def _sort_key(number: str) -> tuple[int, str]:
    match = _DIGITS.search(number)
    return (int(match.group(1)) if match else -1, number)
