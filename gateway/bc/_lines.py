"""What order, invoice and credit-memo lines share.

BC serves all three from one AL table, "Sales Invoice Line Aggregate" (REFERENCE §6.5–6.9), so
they have the same core fields; each line type adds its own (shipped quantities, dates).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, ClassVar
from uuid import UUID

from ._enums import InvoiceLineType
from ._models import Item
from ._values import RowReader

__all__ = ["AggregateLine"]


@dataclass(frozen=True)
class AggregateLine:
    id: UUID
    document_id: UUID
    sequence: int
    item_id: UUID | None
    line_type: InvoiceLineType
    line_object_number: str | None
    description: str | None
    unit_of_measure_code: str | None
    quantity: Decimal
    unit_price: Decimal
    discount_amount: Decimal
    discount_percent: Decimal
    amount_excluding_tax: Decimal
    total_tax_amount: Decimal
    amount_including_tax: Decimal
    item: Item | None  # from $expand=item

    SELECT: ClassVar[tuple[str, ...]] = (
        "id",
        "documentId",
        "sequence",
        "itemId",
        "lineType",
        "lineObjectNumber",
        "description",
        "unitOfMeasureCode",
        "quantity",
        "unitPrice",
        "discountAmount",
        "discountPercent",
        "amountExcludingTax",
        "totalTaxAmount",
        "amountIncludingTax",
    )

    @staticmethod
    def shared_fields(r: RowReader) -> dict[str, Any]:
        """The shared fields of a line row, as keyword arguments for the line's constructor."""
        return {
            "id": r.guid("id"),
            "document_id": r.guid("documentId"),
            "sequence": r.integer("sequence"),
            "item_id": r.opt_guid("itemId"),
            "line_type": r.enum("lineType", InvoiceLineType),
            "line_object_number": r.opt_text("lineObjectNumber"),
            "description": r.opt_text("description"),
            "unit_of_measure_code": r.opt_text("unitOfMeasureCode"),
            "quantity": r.decimal("quantity"),
            "unit_price": r.decimal("unitPrice"),
            "discount_amount": r.decimal("discountAmount"),
            "discount_percent": r.decimal("discountPercent"),
            "amount_excluding_tax": r.decimal("amountExcludingTax"),
            "total_tax_amount": r.decimal("totalTaxAmount"),
            "amount_including_tax": r.decimal("amountIncludingTax"),
            "item": r.nested("item", Item.from_json),
        }
