"""An order BC has deleted, rebuilt from its posted shipments and invoices.

After *Ship and Invoice* completes an order, BC deletes it from ``salesOrders``; what remains are
the posted documents that carry its number (``orderNumber``).  They are summed here, line by line
(by line type and number: item, G/L account …), into a row shaped like a ``salesOrders`` row with
its ``salesOrderLines``, so the rest of the gateway reads it as any other order.

What the posted documents cannot tell (docs/order-status.md):

- the order date: each posted document has its own (BC's Document Date and Posting Date, days or
  weeks after the order's), so the order is dated by its earliest posted document;
- the ordered quantity: it is ``max(shipped, invoiced)``, since the original is no longer known;
- the requested delivery date, and the approval state (posting had released the order).

Where the tenant has ``salesOrderArchives`` (newer BC, REFERENCE.md §9) and BC archived the order
when it deleted it, the archive gives the first three: its Document Date is the order's date,
its lines' ORIGINAL ordered quantities win over ``max(shipped, invoiced)``, and its requested
delivery date and reference are the order's.
Shipped and invoiced quantities and amounts still come from the posted documents.

Invoices that were cancelled (by a credit memo) count for nothing; drafts never get here (only
posted invoices carry an order number, and they are checked again).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from gateway.bc import SalesInvoice, SalesOrder
from gateway.resolvers.invoices import is_posted

Row = Mapping[str, Any]

_BLANK_DATE = "0001-01-01"
_ZERO_GUID = "00000000-0000-0000-0000-000000000000"
# Rebuilt orders' ids are stable: derived from the customer and order number.
_NAMESPACE = uuid.UUID("6f1c3c1e-4b9a-4d7e-9f5e-0c2f1a6b8d42")
# Shipment lines use BC's Sales Line Type; order lines use the API's invoiceLineAggLineType.
_SHIPMENT_LINE_TYPES = {
    "Item": "Item",
    "G_x002F_L_x0020_Account": "Account",
    "Resource": "Resource",
    "Fixed_x0020_Asset": "Fixed_x0020_Asset",
    "Charge_x0020__x0028_Item_x0029_": "Charge",
    "Allocation_x0020_Account": "Allocation_x0020_Account",
}
_NOT_QUANTITIES = frozenset({"Comment", "_x0020_", ""})


@dataclass
class _Line:
    line_type: str
    number: str
    sequence: int
    description: str = ""
    unit: str = ""
    unit_price: Decimal = Decimal(0)
    discount_percent: Decimal = Decimal(0)
    item_id: str = _ZERO_GUID
    item: Any = None
    shipped: Decimal = Decimal(0)
    invoiced: Decimal = Decimal(0)
    excluding_tax: Decimal = Decimal(0)
    tax: Decimal = Decimal(0)
    discount: Decimal = Decimal(0)
    shipment_date: str = _BLANK_DATE
    priced: bool = False
    ordered: Decimal | None = None  # the archive's original ordered quantity, when there is one

    def row(self, order_id: str) -> dict[str, Any]:
        quantity = self.ordered if self.ordered is not None else max(self.shipped, self.invoiced)
        excluding, tax, discount = self.excluding_tax, self.tax, self.discount
        if quantity > self.invoiced:
            # Not invoiced (shipped, or ordered per the archive): at the line's unit price and discount.
            rest = (quantity - self.invoiced) * self.unit_price
            rest_discount = rest * self.discount_percent / 100
            excluding += rest - rest_discount
            discount += rest_discount
        return {
            "id": str(uuid.uuid5(_NAMESPACE, f"{order_id}/{self.line_type}/{self.number}")),
            "documentId": order_id,
            "sequence": self.sequence,
            "itemId": self.item_id,
            "lineType": self.line_type,
            "lineObjectNumber": self.number,
            "description": self.description,
            "unitOfMeasureCode": self.unit,
            "quantity": quantity,
            "unitPrice": self.unit_price,
            "discountAmount": discount,
            "discountPercent": self.discount_percent,
            "amountExcludingTax": excluding,
            "totalTaxAmount": tax,
            "amountIncludingTax": excluding + tax,
            "netAmount": excluding,
            "shipmentDate": self.shipment_date,
            "shippedQuantity": self.shipped,
            "invoicedQuantity": self.invoiced,
            "shipQuantity": Decimal(0),
            "invoiceQuantity": Decimal(0),
            "item": self.item,
        }


@dataclass
class _Lines:
    by_key: dict[tuple[str, str], _Line] = field(default_factory=dict)

    def line(self, line_type: str, row: Row) -> _Line:
        key = (line_type, str(row.get("lineObjectNumber") or ""))
        sequence = int(row.get("sequence") or 0)
        found = self.by_key.get(key)
        if found is None:
            found = self.by_key[key] = _Line(line_type, key[1], sequence)
        found.sequence = min(found.sequence, sequence)
        found.description = found.description or str(row.get("description") or "")
        found.unit = found.unit or str(row.get("unitOfMeasureCode") or "")
        return found


def posted_invoices(rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Posted invoices only (the set holds drafts too, REFERENCE.md §7.2)."""
    return [row for row in rows if is_posted(SalesInvoice.from_json(row))]


def latest_archive(rows: Iterable[Row]) -> Row | None:
    """The last archived version of an order (highest occurrence, then version), if any."""
    return max(
        rows,
        key=lambda row: (int(row.get("docNoOccurrence") or 0), int(row.get("versionNumber") or 0)),
        default=None,
    )


def rebuild_order(
    number: str, shipments: Sequence[Row], invoices: Sequence[Row], archive: Row | None = None
) -> SalesOrder:
    """A ``SalesOrder`` from the order's posted shipment and invoice rows (lines expanded), and its
    ``salesOrderArchives`` row (lines expanded) where BC archived it."""
    documents = [*invoices, *shipments]
    if not documents:
        raise ValueError("an order is rebuilt from at least one posted document")
    first = documents[0]
    order_id = next(
        (str(row["orderId"]) for row in invoices if row.get("orderId") not in (None, _ZERO_GUID)),
        str(uuid.uuid5(_NAMESPACE, f"{first.get('customerNumber')}/{number}")),
    )
    lines = _Lines()
    for shipment in shipments:
        for row in shipment.get("salesShipmentLines") or ():
            _add_shipped(lines, row)
    for invoice in invoices:
        if invoice.get("status") == "Canceled":
            continue
        for row in invoice.get("salesInvoiceLines") or ():
            _add_invoiced(lines, row)
    for row in (archive or {}).get("salesOrderArchiveLines") or ():
        _add_ordered(lines, row)
    line_rows = sorted((line.row(order_id) for line in lines.by_key.values()), key=lambda r: r["sequence"])
    excluding = sum((row["amountExcludingTax"] for row in line_rows), Decimal(0))
    tax = sum((row["totalTaxAmount"] for row in line_rows), Decimal(0))
    latest_shipment = max(shipments, key=lambda row: str(row.get("postingDate") or ""), default={})
    return SalesOrder.from_json(
        {
            "id": order_id,
            "number": number,
            "externalDocumentNumber": (archive or first).get("externalDocumentNumber") or "",
            "orderDate": _order_date(documents, archive),
            "postingDate": max(str(row.get("postingDate") or _BLANK_DATE) for row in documents),
            "customerId": next((row["customerId"] for row in invoices if row.get("customerId")), _ZERO_GUID),
            "customerNumber": first["customerNumber"],
            "customerName": first.get("customerName") or "",
            "requestedDeliveryDate": (archive or {}).get("requestedDeliveryDate") or _BLANK_DATE,
            "currencyCode": next((row["currencyCode"] for row in documents if row.get("currencyCode")), ""),
            "pricesIncludeTax": False,
            "discountAmount": Decimal(0),
            "totalAmountExcludingTax": excluding,
            "totalTaxAmount": tax,
            "totalAmountIncludingTax": excluding + tax,
            "fullyShipped": all(row["shippedQuantity"] >= row["quantity"] for row in line_rows),
            # Posting releases an order; what happened since is in the lines (order_status).
            "status": "Open",
            "lastModifiedDateTime": None,
            **{key: value for key, value in latest_shipment.items() if key.startswith("shipTo")},
            "salesOrderLines": line_rows,
        }
    )


def _order_date(documents: Sequence[Row], archive: Row | None) -> str:
    """The archive's Document Date (what ``salesOrders.orderDate`` said while the order was
    open); without one, the earliest posted document's own date — no posted document carries the
    order date (REFERENCE.md §6.6, §6.10), and an order is never later than its first posting."""
    archived = str((archive or {}).get("documentDate") or _BLANK_DATE)
    if archived != _BLANK_DATE:
        return archived
    return min(str(row.get("invoiceDate") or _BLANK_DATE) for row in documents)


def _add_shipped(lines: _Lines, row: Row) -> None:
    line_type = _SHIPMENT_LINE_TYPES.get(str(row.get("lineType") or ""))
    if line_type is None or _decimal(row.get("quantity")) == 0:
        return
    line = lines.line(line_type, row)
    line.shipped += _decimal(row.get("quantity"))
    line.shipment_date = max(line.shipment_date, str(row.get("shipmentDate") or _BLANK_DATE))
    if not line.priced:
        line.unit_price = _decimal(row.get("unitPrice"))
        line.discount_percent = _decimal(row.get("discountPercent"))


def _add_invoiced(lines: _Lines, row: Row) -> None:
    line_type = str(row.get("lineType") or "")
    if line_type in _NOT_QUANTITIES or _decimal(row.get("quantity")) == 0:
        return
    line = lines.line(line_type, row)
    line.invoiced += _decimal(row.get("quantity"))
    line.excluding_tax += _decimal(row.get("amountExcludingTax"))
    line.tax += _decimal(row.get("totalTaxAmount"))
    line.discount += _decimal(row.get("discountAmount"))
    # The invoice's price is what the customer was charged: it wins over the shipment's.
    line.unit_price = _decimal(row.get("unitPrice"))
    line.discount_percent = _decimal(row.get("discountPercent"))
    line.priced = True
    if row.get("itemId") not in (None, _ZERO_GUID):
        line.item_id = str(row["itemId"])
    line.item = line.item or row.get("item")
    if line.shipment_date == _BLANK_DATE:
        line.shipment_date = str(row.get("shipmentDate") or _BLANK_DATE)


def _add_ordered(lines: _Lines, row: Row) -> None:
    # Archive lines use BC's Sales Line Type, as shipment lines do; comment lines carry nothing.
    line_type = _SHIPMENT_LINE_TYPES.get(str(row.get("lineType") or ""))
    if line_type is None or _decimal(row.get("quantity")) == 0:
        return
    line = lines.line(line_type, row)
    line.ordered = (line.ordered or Decimal(0)) + _decimal(row.get("quantity"))
    if not line.priced and not line.shipped:
        line.unit_price = _decimal(row.get("unitPrice"))
        line.discount_percent = _decimal(row.get("lineDiscountPercent"))


def _decimal(value: object) -> Decimal:
    if value is None or isinstance(value, bool):
        return Decimal(0)
    return value if isinstance(value, Decimal) else Decimal(str(value))
