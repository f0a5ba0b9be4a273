"""Sales credit memos, draft and posted (one BC entity set holds both, REFERENCE §6.8), and lines.

Conventions as in ``_models``: snake_case BC names, ``SELECT`` for ``$select`` (header only; lines
come from ``$expand=salesCreditMemoLines``), ``from_json`` per row.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, ClassVar, Self
from uuid import UUID

from ._enums import BCEnum
from ._lines import AggregateLine
from ._values import RowReader

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


@dataclass(frozen=True)
class SalesCreditMemoLine(AggregateLine):
    """A credit-memo line has only the shared fields."""

    @classmethod
    def from_json(cls, row: Mapping[str, Any]) -> Self:
        return cls(**cls.shared_fields(RowReader("SalesCreditMemoLine", row)))


@dataclass(frozen=True)
class SalesCreditMemo:
    id: UUID
    number: str
    external_document_number: str | None
    credit_memo_date: date | None
    posting_date: date | None
    due_date: date | None
    customer_number: str
    customer_name: str | None
    currency_code: str | None
    invoice_id: UUID | None
    invoice_number: str | None
    total_amount_excluding_tax: Decimal
    total_tax_amount: Decimal
    total_amount_including_tax: Decimal
    status: CreditMemoStatus
    lines: tuple[SalesCreditMemoLine, ...] | None  # from $expand=salesCreditMemoLines

    SELECT: ClassVar[tuple[str, ...]] = (
        "id",
        "number",
        "externalDocumentNumber",
        "creditMemoDate",
        "postingDate",
        "dueDate",
        "customerNumber",
        "customerName",
        "currencyCode",
        "invoiceId",
        "invoiceNumber",
        "totalAmountExcludingTax",
        "totalTaxAmount",
        "totalAmountIncludingTax",
        "status",
    )

    @classmethod
    def from_json(cls, row: Mapping[str, Any]) -> Self:
        r = RowReader("SalesCreditMemo", row)
        return cls(
            id=r.guid("id"),
            number=r.text("number"),
            external_document_number=r.opt_text("externalDocumentNumber"),
            credit_memo_date=r.opt_date("creditMemoDate"),
            posting_date=r.opt_date("postingDate"),
            due_date=r.opt_date("dueDate"),
            customer_number=r.text("customerNumber"),
            customer_name=r.opt_text("customerName"),
            currency_code=r.opt_text("currencyCode"),
            invoice_id=r.opt_guid("invoiceId"),
            invoice_number=r.opt_text("invoiceNumber") or None,
            total_amount_excluding_tax=r.decimal("totalAmountExcludingTax"),
            total_tax_amount=r.decimal("totalTaxAmount"),
            total_amount_including_tax=r.decimal("totalAmountIncludingTax"),
            status=r.enum("status", CreditMemoStatus),
            lines=r.nested_list("salesCreditMemoLines", SalesCreditMemoLine.from_json),
        )
