"""Posted sales shipments and their lines.

Conventions as in ``_models``: snake_case BC names, ``SELECT`` for ``$select`` (header only; lines
come from ``$expand=salesShipmentLines``), ``from_json`` per row.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, ClassVar, Self
from uuid import UUID

from ._documents import SHIP_TO, ShipTo, ship_to
from ._enums import SalesLineType
from ._values import RowReader

__all__ = ["SalesShipment", "SalesShipmentLine"]


@dataclass(frozen=True)
class SalesShipmentLine:
    id: UUID
    document_id: UUID
    document_no: str | None
    sequence: int
    line_type: SalesLineType
    line_object_number: str | None
    description: str | None
    unit_of_measure_code: str | None
    quantity: Decimal
    unit_price: Decimal
    shipment_date: date | None

    SELECT: ClassVar[tuple[str, ...]] = (
        "id",
        "documentId",
        "documentNo",
        "sequence",
        "lineType",
        "lineObjectNumber",
        "description",
        "unitOfMeasureCode",
        "quantity",
        "unitPrice",
        "shipmentDate",
    )

    @classmethod
    def from_json(cls, row: Mapping[str, Any]) -> Self:
        r = RowReader("SalesShipmentLine", row)
        return cls(
            id=r.guid("id"),
            document_id=r.guid("documentId"),
            document_no=r.opt_text("documentNo"),
            sequence=r.integer("sequence"),
            line_type=r.enum("lineType", SalesLineType),
            line_object_number=r.opt_text("lineObjectNumber"),
            description=r.opt_text("description"),
            unit_of_measure_code=r.opt_text("unitOfMeasureCode"),
            quantity=r.decimal("quantity"),
            unit_price=r.decimal("unitPrice"),
            shipment_date=r.opt_date("shipmentDate"),
        )


@dataclass(frozen=True)
class SalesShipment(ShipTo):
    id: UUID
    number: str
    external_document_number: str | None
    invoice_date: date | None
    posting_date: date | None
    customer_number: str
    customer_name: str | None
    order_number: str | None
    shipment_method_code: str | None
    last_modified_date_time: datetime | None
    lines: tuple[SalesShipmentLine, ...] | None  # from $expand=salesShipmentLines

    SELECT: ClassVar[tuple[str, ...]] = (
        "id",
        "number",
        "externalDocumentNumber",
        "invoiceDate",
        "postingDate",
        "customerNumber",
        "customerName",
        "orderNumber",
        "shipmentMethodCode",
        "lastModifiedDateTime",
        *SHIP_TO,
    )

    @classmethod
    def from_json(cls, row: Mapping[str, Any]) -> Self:
        r = RowReader("SalesShipment", row)
        return cls(
            id=r.guid("id"),
            number=r.text("number"),
            external_document_number=r.opt_text("externalDocumentNumber"),
            invoice_date=r.opt_date("invoiceDate"),
            posting_date=r.opt_date("postingDate"),
            customer_number=r.text("customerNumber"),
            customer_name=r.opt_text("customerName"),
            order_number=r.opt_text("orderNumber"),
            shipment_method_code=r.opt_text("shipmentMethodCode"),
            last_modified_date_time=r.opt_datetime("lastModifiedDateTime"),
            lines=r.nested_list("salesShipmentLines", SalesShipmentLine.from_json),
            **ship_to(r),
        )
