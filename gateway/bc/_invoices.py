"""Sales invoices, draft and posted (one BC entity set holds both), and their lines.

Conventions as in ``_models``: snake_case BC names, ``SELECT`` for ``$select`` (header only; lines
come from ``$expand=salesInvoiceLines``), ``from_json`` per row.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, ClassVar, Self
from uuid import UUID

from ._enums import InvoiceStatus
from ._lines import AggregateLine
from ._values import RowReader

__all__ = ["SalesInvoice", "SalesInvoiceLine"]


@dataclass(frozen=True)
class SalesInvoiceLine(AggregateLine):
    shipment_date: date | None

    SELECT: ClassVar[tuple[str, ...]] = (*AggregateLine.SELECT, "shipmentDate")

    @classmethod
    def from_json(cls, row: Mapping[str, Any]) -> Self:
        r = RowReader("SalesInvoiceLine", row)
        return cls(**cls.shared_fields(r), shipment_date=r.opt_date("shipmentDate"))


@dataclass(frozen=True)
class SalesInvoice:
    id: UUID
    number: str
    external_document_number: str | None
    invoice_date: date | None
    posting_date: date | None
    due_date: date | None
    customer_purchase_order_reference: str | None
    customer_id: UUID | None
    customer_number: str
    customer_name: str | None
    currency_code: str | None
    order_id: UUID | None
    order_number: str | None
    remaining_amount: Decimal
    discount_amount: Decimal
    total_amount_excluding_tax: Decimal
    total_tax_amount: Decimal
    total_amount_including_tax: Decimal
    status: InvoiceStatus
    last_modified_date_time: datetime | None
    lines: tuple[SalesInvoiceLine, ...] | None  # from $expand=salesInvoiceLines

    SELECT: ClassVar[tuple[str, ...]] = (
        "id",
        "number",
        "externalDocumentNumber",
        "invoiceDate",
        "postingDate",
        "dueDate",
        "customerPurchaseOrderReference",
        "customerId",
        "customerNumber",
        "customerName",
        "currencyCode",
        "orderId",
        "orderNumber",
        "remainingAmount",
        "discountAmount",
        "totalAmountExcludingTax",
        "totalTaxAmount",
        "totalAmountIncludingTax",
        "status",
        "lastModifiedDateTime",
    )

    @classmethod
    def from_json(cls, row: Mapping[str, Any]) -> Self:
        r = RowReader("SalesInvoice", row)
        return cls(
            id=r.guid("id"),
            number=r.text("number"),
            external_document_number=r.opt_text("externalDocumentNumber"),
            invoice_date=r.opt_date("invoiceDate"),
            posting_date=r.opt_date("postingDate"),
            due_date=r.opt_date("dueDate"),
            customer_purchase_order_reference=r.opt_text("customerPurchaseOrderReference"),
            customer_id=r.opt_guid("customerId"),
            customer_number=r.text("customerNumber"),
            customer_name=r.opt_text("customerName"),
            currency_code=r.opt_text("currencyCode"),
            order_id=r.opt_guid("orderId"),
            order_number=r.opt_text("orderNumber") or None,  # "" on invoices without an order
            remaining_amount=r.decimal("remainingAmount"),
            discount_amount=r.decimal("discountAmount"),
            total_amount_excluding_tax=r.decimal("totalAmountExcludingTax"),
            total_tax_amount=r.decimal("totalTaxAmount"),
            total_amount_including_tax=r.decimal("totalAmountIncludingTax"),
            status=r.enum("status", InvoiceStatus),
            last_modified_date_time=r.opt_datetime("lastModifiedDateTime"),
            lines=r.nested_list("salesInvoiceLines", SalesInvoiceLine.from_json),
        )
