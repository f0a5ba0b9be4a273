"""An order BC has deleted, rebuilt from its posted shipments and invoices.

After *Ship and Invoice* completes an order, BC deletes it from ``salesOrders``; what remains are
the posted documents that carry its number (``orderNumber``).  They are summed here, line by line
(by line type and number: item, G/L account …), into a ``SalesOrder`` with its lines, so the rest
of the gateway reads it as any other order.

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
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from gateway.bc import (
    InvoiceLineType,
    InvoiceStatus,
    Item,
    SalesInvoice,
    SalesInvoiceLine,
    SalesLineType,
    SalesOrder,
    SalesOrderArchive,
    SalesOrderArchiveLine,
    SalesOrderLine,
    SalesOrderStatus,
    SalesShipment,
    SalesShipmentLine,
)
from gateway.resolvers.invoices import is_posted

ZERO = Decimal(0)
# Rebuilt orders' ids are stable: derived from the customer and order number.
_NAMESPACE = uuid.UUID("6f1c3c1e-4b9a-4d7e-9f5e-0c2f1a6b8d42")
# Shipment and archive lines use BC's Sales Line Type; order lines use the API's
# invoiceLineAggLineType.  Comment (blank) lines carry no quantities.
_ORDER_LINE_TYPES = {
    SalesLineType.ITEM: InvoiceLineType.ITEM,
    SalesLineType.GL_ACCOUNT: InvoiceLineType.ACCOUNT,
    SalesLineType.RESOURCE: InvoiceLineType.RESOURCE,
    SalesLineType.FIXED_ASSET: InvoiceLineType.FIXED_ASSET,
    SalesLineType.CHARGE_ITEM: InvoiceLineType.CHARGE,
    SalesLineType.ALLOCATION_ACCOUNT: InvoiceLineType.ALLOCATION_ACCOUNT,
}
_AnyLine = SalesShipmentLine | SalesInvoiceLine | SalesOrderArchiveLine


@dataclass
class _Line:
    line_type: InvoiceLineType
    number: str
    sequence: int
    description: str = ""
    unit: str = ""
    unit_price: Decimal = ZERO
    discount_percent: Decimal = ZERO
    item_id: uuid.UUID | None = None
    item: Item | None = None
    shipped: Decimal = ZERO
    invoiced: Decimal = ZERO
    excluding_tax: Decimal = ZERO
    tax: Decimal = ZERO
    discount: Decimal = ZERO
    shipment_date: date | None = None
    priced: bool = False
    ordered: Decimal | None = None  # the archive's original ordered quantity, when there is one

    def order_line(self, order_id: uuid.UUID) -> SalesOrderLine:
        quantity = self.ordered if self.ordered is not None else max(self.shipped, self.invoiced)
        excluding, tax, discount = self.excluding_tax, self.tax, self.discount
        if quantity > self.invoiced:
            # Not invoiced (shipped, or ordered per the archive): at the line's unit price and discount.
            rest = (quantity - self.invoiced) * self.unit_price
            rest_discount = rest * self.discount_percent / 100
            excluding += rest - rest_discount
            discount += rest_discount
        return SalesOrderLine(
            id=uuid.uuid5(_NAMESPACE, f"{order_id}/{self.line_type.value}/{self.number}"),
            document_id=order_id,
            sequence=self.sequence,
            item_id=self.item_id,
            line_type=self.line_type,
            line_object_number=self.number,
            description=self.description,
            unit_of_measure_code=self.unit,
            quantity=quantity,
            unit_price=self.unit_price,
            discount_amount=discount,
            discount_percent=self.discount_percent,
            amount_excluding_tax=excluding,
            total_tax_amount=tax,
            amount_including_tax=excluding + tax,
            net_amount=excluding,
            shipment_date=self.shipment_date,
            shipped_quantity=self.shipped,
            invoiced_quantity=self.invoiced,
            item=self.item,
        )


@dataclass
class _Lines:
    by_key: dict[tuple[InvoiceLineType, str], _Line] = field(default_factory=dict)

    def line(self, line_type: InvoiceLineType, source: _AnyLine) -> _Line:
        key = (line_type, source.line_object_number or "")
        found = self.by_key.get(key)
        if found is None:
            found = self.by_key[key] = _Line(line_type, key[1], source.sequence)
        found.sequence = min(found.sequence, source.sequence)
        found.description = found.description or source.description or ""
        found.unit = found.unit or source.unit_of_measure_code or ""
        return found


def posted_invoices(invoices: Iterable[SalesInvoice]) -> list[SalesInvoice]:
    """Posted invoices only (the set holds drafts too, REFERENCE.md §7.2)."""
    return [invoice for invoice in invoices if is_posted(invoice)]


def latest_archive(archives: Iterable[SalesOrderArchive]) -> SalesOrderArchive | None:
    """The last archived version of an order (highest occurrence, then version), if any."""
    return max(
        archives, key=lambda archive: (archive.doc_no_occurrence, archive.version_number), default=None
    )


def rebuild_order(
    number: str,
    shipments: Sequence[SalesShipment],
    invoices: Sequence[SalesInvoice],
    archive: SalesOrderArchive | None = None,
) -> SalesOrder:
    """A ``SalesOrder`` from the order's posted shipments and invoices (lines expanded), and its
    archive (lines expanded) where BC archived it."""
    documents: list[SalesShipment | SalesInvoice] = [*invoices, *shipments]
    if not documents:
        raise ValueError("an order is rebuilt from at least one posted document")
    first = documents[0]
    order_id = next(
        (invoice.order_id for invoice in invoices if invoice.order_id is not None),
        uuid.uuid5(_NAMESPACE, f"{first.customer_number}/{number}"),
    )
    lines = _Lines()
    for shipment in shipments:
        for shipped in shipment.lines or ():
            _add_shipped(lines, shipped)
    for invoice in invoices:
        if invoice.status is InvoiceStatus.CANCELED:
            continue
        for invoiced in invoice.lines or ():
            _add_invoiced(lines, invoiced)
    for ordered in (archive.lines if archive is not None else None) or ():
        _add_ordered(lines, ordered)
    order_lines = sorted(
        (line.order_line(order_id) for line in lines.by_key.values()), key=lambda line: line.sequence
    )
    excluding = sum((line.amount_excluding_tax for line in order_lines), ZERO)
    tax = sum((line.total_tax_amount for line in order_lines), ZERO)
    latest_shipment = max(shipments, key=lambda s: s.posting_date or date.min, default=None)
    return SalesOrder(
        id=order_id,
        number=number,
        external_document_number=(archive or first).external_document_number or "",
        order_date=_order_date(documents, archive),
        posting_date=_or_none(max(d.posting_date or date.min for d in documents)),
        customer_id=next((i.customer_id for i in invoices if i.customer_id is not None), None),
        customer_number=first.customer_number,
        customer_name=first.customer_name or "",
        requested_delivery_date=archive.requested_delivery_date if archive is not None else None,
        currency_code=next((i.currency_code for i in invoices if i.currency_code), ""),
        total_amount_excluding_tax=excluding,
        total_tax_amount=tax,
        total_amount_including_tax=excluding + tax,
        fully_shipped=all(line.shipped_quantity >= line.quantity for line in order_lines),
        # Posting releases an order; what happened since is in the lines (order_status).
        status=SalesOrderStatus.OPEN,
        last_modified_date_time=None,
        **_ship_to(latest_shipment),
        lines=tuple(order_lines),
    )


def _ship_to(shipment: SalesShipment | None) -> dict[str, Any]:
    """The latest shipment's ship-to block: where the order went."""
    if shipment is None:
        return {}
    return {
        "ship_to_name": shipment.ship_to_name,
        "ship_to_contact": shipment.ship_to_contact,
        "ship_to_address_line1": shipment.ship_to_address_line1,
        "ship_to_address_line2": shipment.ship_to_address_line2,
        "ship_to_city": shipment.ship_to_city,
        "ship_to_state": shipment.ship_to_state,
        "ship_to_country": shipment.ship_to_country,
        "ship_to_post_code": shipment.ship_to_post_code,
    }


def _order_date(
    documents: Sequence[SalesShipment | SalesInvoice], archive: SalesOrderArchive | None
) -> date | None:
    """The archive's Document Date (what ``salesOrders.orderDate`` said while the order was
    open); without one, the earliest posted document's own date — no posted document carries the
    order date (REFERENCE.md §6.6, §6.10), and an order is never later than its first posting."""
    if archive is not None and archive.document_date is not None:
        return archive.document_date
    return _or_none(min(d.invoice_date or date.min for d in documents))


def _or_none(day: date) -> date | None:
    return None if day == date.min else day


def _add_shipped(lines: _Lines, shipped: SalesShipmentLine) -> None:
    line_type = _ORDER_LINE_TYPES.get(shipped.line_type)
    if line_type is None or shipped.quantity == 0:
        return
    line = lines.line(line_type, shipped)
    line.shipped += shipped.quantity
    if shipped.shipment_date is not None:
        line.shipment_date = max(line.shipment_date or date.min, shipped.shipment_date)
    if not line.priced:
        line.unit_price = shipped.unit_price
        line.discount_percent = ZERO  # a shipment line carries no discount


def _add_invoiced(lines: _Lines, invoiced: SalesInvoiceLine) -> None:
    if invoiced.line_type is InvoiceLineType.COMMENT or invoiced.quantity == 0:
        return
    line = lines.line(invoiced.line_type, invoiced)
    line.invoiced += invoiced.quantity
    line.excluding_tax += invoiced.amount_excluding_tax
    line.tax += invoiced.total_tax_amount
    line.discount += invoiced.discount_amount
    # The invoice's price is what the customer was charged: it wins over the shipment's.
    line.unit_price = invoiced.unit_price
    line.discount_percent = invoiced.discount_percent
    line.priced = True
    if invoiced.item_id is not None:
        line.item_id = invoiced.item_id
    line.item = line.item or invoiced.item
    if line.shipment_date is None:
        line.shipment_date = invoiced.shipment_date


def _add_ordered(lines: _Lines, ordered: SalesOrderArchiveLine) -> None:
    # Archive lines use BC's Sales Line Type, as shipment lines do; comment lines carry nothing.
    line_type = _ORDER_LINE_TYPES.get(ordered.line_type)
    if line_type is None or ordered.quantity == 0:
        return
    line = lines.line(line_type, ordered)
    line.ordered = (line.ordered or ZERO) + ordered.quantity
    if not line.priced and not line.shipped:
        line.unit_price = ordered.unit_price
        line.discount_percent = ordered.line_discount_percent
