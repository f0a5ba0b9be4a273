"""Sales order archives (``salesOrderArchives``, newer BC than the 2025 API: REFERENCE §9).

With *Archive Orders* on, BC archives an order when posting deletes it: the archive keeps the
ORIGINAL ordered quantities, the requested delivery date and the order's Document Date.  Its
lines use BC's Sales Line Type (as shipment lines do), not the API's aggregate line type.
Declared once each (``_entity``); lines come from ``$expand=salesOrderArchiveLines``.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import UUID

from msgspec import field

from ._entity import ZERO, Entity
from ._enums import SalesLineType

__all__ = ["SalesOrderArchive", "SalesOrderArchiveLine"]


class SalesOrderArchiveLine(Entity, frozen=True, kw_only=True):
    sequence: int
    line_type: SalesLineType = SalesLineType.UNKNOWN
    line_object_number: str | None = None
    description: str | None = None
    unit_of_measure_code: str | None = None
    quantity: Decimal = ZERO
    unit_price: Decimal = ZERO
    line_discount_percent: Decimal = ZERO


class SalesOrderArchive(Entity, frozen=True, kw_only=True):
    id: UUID
    number: str
    sell_to_customer_number: str
    doc_no_occurrence: int = 0  # BC counts reuses of an order number
    version_number: int = 0
    document_date: date | None = None
    external_document_number: str | None = None
    requested_delivery_date: date | None = None
    lines: tuple[SalesOrderArchiveLine, ...] | None = field(default=None, name="salesOrderArchiveLines")
