"""Posted sales shipments and their lines.

Declared once each (``_entity``); lines come from ``$expand=salesShipmentLines``.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

from msgspec import field

from ._documents import ShipTo
from ._entity import ZERO, Entity
from ._enums import SalesLineType

__all__ = ["SalesShipment", "SalesShipmentLine"]


class SalesShipmentLine(Entity, frozen=True, kw_only=True):
    id: UUID
    document_id: UUID
    document_no: str | None = None
    sequence: int
    line_type: SalesLineType = SalesLineType.UNKNOWN
    line_object_number: str | None = None
    description: str | None = None
    unit_of_measure_code: str | None = None
    quantity: Decimal = ZERO
    unit_price: Decimal = ZERO
    shipment_date: date | None = None


class SalesShipment(ShipTo, frozen=True, kw_only=True):
    id: UUID
    number: str
    external_document_number: str | None = None
    invoice_date: date | None = None
    posting_date: date | None = None
    customer_number: str
    customer_name: str | None = None
    order_number: str | None = None
    shipment_method_code: str | None = None
    last_modified_date_time: datetime | None = None
    lines: tuple[SalesShipmentLine, ...] | None = field(default=None, name="salesShipmentLines")
