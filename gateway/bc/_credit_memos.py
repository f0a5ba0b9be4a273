"""Sales credit memos, draft and posted (one BC entity set holds both, REFERENCE §6.8), and lines.

Declared once each (``_entity``); lines come from ``$expand=salesCreditMemoLines``.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import UUID

from msgspec import field

from ._entity import ZERO, Entity, NonEmpty
from ._enums import BCEnum
from ._lines import AggregateLine

__all__ = ["CreditMemoStatus", "SalesCreditMemo", "SalesCreditMemoLine"]


class CreditMemoStatus(BCEnum):
    """``salesCrMemoEntityBufferStatus``: Draft and In Review are unposted."""

    DRAFT = "Draft"
    IN_REVIEW = "In_x0020_Review"
    OPEN = "Open"
    PAID = "Paid"
    CANCELED = "Canceled"
    CORRECTIVE = "Corrective"
    UNKNOWN = "_unknown_"


class SalesCreditMemoLine(AggregateLine, frozen=True, kw_only=True):
    """A credit-memo line has only the shared fields."""


class SalesCreditMemo(Entity, frozen=True, kw_only=True):
    id: UUID
    number: str
    external_document_number: str | None = None
    credit_memo_date: date | None = None
    posting_date: date | None = None
    due_date: date | None = None
    customer_number: str
    customer_name: str | None = None
    currency_code: str | None = None
    invoice_id: UUID | None = None
    invoice_number: NonEmpty = None
    total_amount_excluding_tax: Decimal = ZERO
    total_tax_amount: Decimal = ZERO
    total_amount_including_tax: Decimal = ZERO
    status: CreditMemoStatus = CreditMemoStatus.UNKNOWN
    lines: tuple[SalesCreditMemoLine, ...] | None = field(default=None, name="salesCreditMemoLines")
