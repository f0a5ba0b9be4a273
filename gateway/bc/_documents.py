"""Sales orders and their lines, and the ship-to block that orders and shipments share.

Same conventions as ``_models``: snake_case BC names, ``SELECT`` for ``$select`` (header
properties only; lines come from ``$expand=salesOrderLines``), ``from_json`` per row.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, ClassVar, Self
from uuid import UUID

from ._enums import SalesOrderStatus
from ._lines import AggregateLine
from ._values import RowReader

__all__ = ["SHIP_TO", "SalesOrder", "SalesOrderLine", "ShipTo", "ship_to"]

SHIP_TO: tuple[str, ...] = (
    "shipToName",
    "shipToContact",
    "shipToAddressLine1",
    "shipToAddressLine2",
    "shipToCity",
    "shipToState",
    "shipToCountry",
    "shipToPostCode",
)


@dataclass(frozen=True)
class ShipTo:
    """The ship-to block shared by orders and shipments, read as flat ``ship_to_*`` attributes."""

    ship_to_name: str | None
    ship_to_contact: str | None
    ship_to_address_line1: str | None
    ship_to_address_line2: str | None
    ship_to_city: str | None
    ship_to_state: str | None
    ship_to_country: str | None
    ship_to_post_code: str | None


def ship_to(r: RowReader) -> dict[str, str | None]:
    return {
        "ship_to_name": r.opt_text("shipToName"),
        "ship_to_contact": r.opt_text("shipToContact"),
        "ship_to_address_line1": r.opt_text("shipToAddressLine1"),
        "ship_to_address_line2": r.opt_text("shipToAddressLine2"),
        "ship_to_city": r.opt_text("shipToCity"),
        "ship_to_state": r.opt_text("shipToState"),
        "ship_to_country": r.opt_text("shipToCountry"),
        "ship_to_post_code": r.opt_text("shipToPostCode"),
    }


@dataclass(frozen=True)
class SalesOrderLine(AggregateLine):
    net_amount: Decimal
    shipment_date: date | None  # the expected shipment date while the line is open
    shipped_quantity: Decimal
    invoiced_quantity: Decimal
    ship_quantity: Decimal
    invoice_quantity: Decimal

    SELECT: ClassVar[tuple[str, ...]] = (
        *AggregateLine.SELECT,
        "netAmount",
        "shipmentDate",
        "shippedQuantity",
        "invoicedQuantity",
        "shipQuantity",
        "invoiceQuantity",
    )

    @classmethod
    def from_json(cls, row: Mapping[str, Any]) -> Self:
        r = RowReader("SalesOrderLine", row)
        return cls(
            **cls.shared_fields(r),
            net_amount=r.decimal("netAmount"),
            shipment_date=r.opt_date("shipmentDate"),
            shipped_quantity=r.decimal("shippedQuantity"),
            invoiced_quantity=r.decimal("invoicedQuantity"),
            ship_quantity=r.decimal("shipQuantity"),
            invoice_quantity=r.decimal("invoiceQuantity"),
        )


@dataclass(frozen=True)
class SalesOrder(ShipTo):
    id: UUID
    number: str
    external_document_number: str | None
    order_date: date | None
    posting_date: date | None
    customer_id: UUID | None
    customer_number: str
    customer_name: str | None
    requested_delivery_date: date | None
    currency_code: str | None
    prices_include_tax: bool
    discount_amount: Decimal
    total_amount_excluding_tax: Decimal
    total_tax_amount: Decimal
    total_amount_including_tax: Decimal
    fully_shipped: bool
    status: SalesOrderStatus
    last_modified_date_time: datetime | None
    lines: tuple[SalesOrderLine, ...] | None  # from $expand=salesOrderLines

    SELECT: ClassVar[tuple[str, ...]] = (
        "id",
        "number",
        "externalDocumentNumber",
        "orderDate",
        "postingDate",
        "customerId",
        "customerNumber",
        "customerName",
        "requestedDeliveryDate",
        "currencyCode",
        "pricesIncludeTax",
        "discountAmount",
        "totalAmountExcludingTax",
        "totalTaxAmount",
        "totalAmountIncludingTax",
        "fullyShipped",
        "status",
        "lastModifiedDateTime",
        *SHIP_TO,
    )

    @classmethod
    def from_json(cls, row: Mapping[str, Any]) -> Self:
        r = RowReader("SalesOrder", row)
        return cls(
            id=r.guid("id"),
            number=r.text("number"),
            external_document_number=r.opt_text("externalDocumentNumber"),
            order_date=r.opt_date("orderDate"),
            posting_date=r.opt_date("postingDate"),
            customer_id=r.opt_guid("customerId"),
            customer_number=r.text("customerNumber"),
            customer_name=r.opt_text("customerName"),
            requested_delivery_date=r.opt_date("requestedDeliveryDate"),
            currency_code=r.opt_text("currencyCode"),
            prices_include_tax=r.flag("pricesIncludeTax"),
            discount_amount=r.decimal("discountAmount"),
            total_amount_excluding_tax=r.decimal("totalAmountExcludingTax"),
            total_tax_amount=r.decimal("totalTaxAmount"),
            total_amount_including_tax=r.decimal("totalAmountIncludingTax"),
            fully_shipped=r.flag("fullyShipped"),
            status=r.enum("status", SalesOrderStatus),
            last_modified_date_time=r.opt_datetime("lastModifiedDateTime"),
            lines=r.nested_list("salesOrderLines", SalesOrderLine.from_json),
            **ship_to(r),
        )
