"""What order, invoice and credit-memo lines share.

BC serves all three from one AL table, "Sales Invoice Line Aggregate" (REFERENCE §6.5–6.9), so
they have the same core fields; each line type adds its own (shipped quantities, dates).
"""

from __future__ import annotations

from decimal import Decimal
from uuid import UUID

from ._entity import ZERO, Entity
from ._enums import InvoiceLineType
from ._models import Item

__all__ = ["AggregateLine"]


class AggregateLine(Entity, frozen=True, kw_only=True):
    id: UUID
    document_id: UUID
    sequence: int
    item_id: UUID | None = None
    line_type: InvoiceLineType = InvoiceLineType.UNKNOWN
    line_object_number: str | None = None
    description: str | None = None
    unit_of_measure_code: str | None = None
    quantity: Decimal = ZERO
    unit_price: Decimal = ZERO
    discount_amount: Decimal = ZERO
    discount_percent: Decimal = ZERO
    amount_excluding_tax: Decimal = ZERO
    total_tax_amount: Decimal = ZERO
    amount_including_tax: Decimal = ZERO
    item: Item | None = None  # $expand=item
