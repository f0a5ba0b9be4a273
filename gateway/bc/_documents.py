"""Sales orders and their lines, and the ship-to block that orders and shipments share.

Declared once each (``_entity``); lines come from ``$expand=salesOrderLines``.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

from msgspec import field

from ._entity import ZERO, Entity
from ._enums import SalesOrderStatus
from ._lines import AggregateLine

__all__ = ["SalesOrder", "SalesOrderLine", "ShipTo"]


class ShipTo(Entity, frozen=True, kw_only=True):
    """The ship-to block shared by orders and shipments, read as flat ``ship_to_*`` attributes."""

    ship_to_name: str | None = None
    ship_to_contact: str | None = None
    ship_to_address_line1: str | None = None
    ship_to_address_line2: str | None = None
    ship_to_city: str | None = None
    ship_to_state: str | None = None
    ship_to_country: str | None = None
    ship_to_post_code: str | None = None


class SalesOrderLine(AggregateLine, frozen=True, kw_only=True):
    net_amount: Decimal = ZERO
    shipment_date: date | None = None  # the expected shipment date while the line is open
    shipped_quantity: Decimal = ZERO
    invoiced_quantity: Decimal = ZERO
    ship_quantity: Decimal = ZERO
    invoice_quantity: Decimal = ZERO


class SalesOrder(ShipTo, frozen=True, kw_only=True):
    id: UUID
    number: str
    external_document_number: str | None = None
    order_date: date | None = None
    posting_date: date | None = None
    customer_id: UUID | None = None
    customer_number: str
    customer_name: str | None = None
    requested_delivery_date: date | None = None
    currency_code: str | None = None
    prices_include_tax: bool = False
    discount_amount: Decimal = ZERO
    total_amount_excluding_tax: Decimal = ZERO
    total_tax_amount: Decimal = ZERO
    total_amount_including_tax: Decimal = ZERO
    fully_shipped: bool = False
    status: SalesOrderStatus = SalesOrderStatus.UNKNOWN
    last_modified_date_time: datetime | None = None
    lines: tuple[SalesOrderLine, ...] | None = field(default=None, name="salesOrderLines")
