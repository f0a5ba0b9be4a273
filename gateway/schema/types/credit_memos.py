"""Posted sales credit memos and their lines."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import Enum
from uuid import UUID

import strawberry
from strawberry.types import Info

from gateway import bc
from gateway.resolvers.context import Context
from gateway.resolvers.document_links import DocumentKind
from gateway.resolvers.writes.reference import customer_lines
from gateway.schema.types.common import Money, text
from gateway.schema.types.lines import DocumentLine, line_fields


@strawberry.enum(description="A posted credit memo's state.")
class CreditMemoStatus(Enum):
    OPEN = "OPEN"
    PAID = "PAID"
    CANCELED = "CANCELED"
    CORRECTIVE = "CORRECTIVE"


_STATUS_FROM_BC = {
    bc.CreditMemoStatus.OPEN: CreditMemoStatus.OPEN,
    bc.CreditMemoStatus.PAID: CreditMemoStatus.PAID,
    bc.CreditMemoStatus.CANCELED: CreditMemoStatus.CANCELED,
    bc.CreditMemoStatus.CORRECTIVE: CreditMemoStatus.CORRECTIVE,
}


@strawberry.type
class CreditMemoLine(DocumentLine):
    unit_price: Money
    discount_percent: Decimal
    amount_excluding_tax: Money
    amount_including_tax: Money

    @classmethod
    def from_bc(cls, line: bc.SalesCreditMemoLine, currency: str | None) -> CreditMemoLine:
        return cls(**line_fields(line, currency))


@strawberry.type(description="A posted sales credit memo of the signed-in customer.")
class CreditMemo:
    id: strawberry.ID
    number: str
    credit_memo_date: date | None
    posting_date: date | None
    status: CreditMemoStatus
    invoice_number: str | None = strawberry.field(description="The invoice it corrects, if any.")
    external_document_number: str | None
    currency_code: str
    total_excluding_tax: Money
    total_tax: Money
    total_including_tax: Money
    lines: list[CreditMemoLine]

    @strawberry.field(
        description="A short-lived signed link to the PDF (send the bearer token when downloading)."
    )
    def pdf_url(self, info: Info[Context, None]) -> str | None:
        links = info.context.documents
        return links.url(DocumentKind.CREDIT_MEMO, UUID(str(self.id))) if links is not None else None

    @classmethod
    def from_bc(cls, memo: bc.SalesCreditMemo) -> CreditMemo:
        currency = memo.currency_code
        return cls(
            id=strawberry.ID(str(memo.id)),
            number=memo.number,
            credit_memo_date=memo.credit_memo_date,
            posting_date=memo.posting_date,
            status=_STATUS_FROM_BC.get(memo.status, CreditMemoStatus.OPEN),
            invoice_number=text(memo.invoice_number),
            external_document_number=text(memo.external_document_number),
            currency_code=currency or "",
            total_excluding_tax=Money.of(memo.total_amount_excluding_tax, currency),
            total_tax=Money.of(memo.total_tax_amount, currency),
            total_including_tax=Money.of(memo.total_amount_including_tax, currency),
            lines=[CreditMemoLine.from_bc(line, currency) for line in customer_lines(memo.lines)],
        )
