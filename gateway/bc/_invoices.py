"""Sales invoices, draft and posted (one BC entity set holds both), and their lines.

Declared once each (``_entity``); lines come from ``$expand=salesInvoiceLines``.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

from msgspec import field

from ._entity import ZERO, Entity, NonEmpty
from ._enums import InvoiceStatus
from ._lines import AggregateLine

__all__ = ["SalesInvoice", "SalesInvoiceLine"]


class SalesInvoiceLine(AggregateLine, frozen=True, kw_only=True):
    shipment_date: date | None = None


class SalesInvoice(Entity, frozen=True, kw_only=True):
    id: UUID
    number: str
    external_document_number: str | None = None
    invoice_date: date | None = None
    posting_date: date | None = None
    due_date: date | None = None
    customer_purchase_order_reference: str | None = None
    customer_id: UUID | None = None
    customer_number: str
    customer_name: str | None = None
    currency_code: str | None = None
    order_id: UUID | None = None
    order_number: NonEmpty = None  # "" on invoices without an order
    remaining_amount: Decimal = ZERO
    discount_amount: Decimal = ZERO
    total_amount_excluding_tax: Decimal = ZERO
    total_tax_amount: Decimal = ZERO
    total_amount_including_tax: Decimal = ZERO
    status: InvoiceStatus = InvoiceStatus.UNKNOWN
    last_modified_date_time: datetime | None = None
    lines: tuple[SalesInvoiceLine, ...] | None = field(default=None, name="salesInvoiceLines")
