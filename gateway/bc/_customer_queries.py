"""Rows of the portal custom API about customer queries and proof of delivery
(``api/bcgateway/portal/v1.0``, docs/bc-extension.md).

Declared once each (``_entity``); messages come from ``$expand=customerQueryMessages``.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from msgspec import field

from ._entity import Entity, NonEmpty
from ._enums import BCEnum

__all__ = [
    "CustomerQuery",
    "CustomerQueryMessage",
    "DeliveryDocument",
    "QueryAuthorType",
    "QueryCategory",
    "QueryDocumentType",
    "QueryStatus",
]


class QueryCategory(BCEnum):
    STATEMENT_DISPUTE = "Statement_x0020_Dispute"
    DELIVERY = "Delivery"
    PRODUCT = "Product"
    OTHER = "Other"
    UNKNOWN = "_unknown_"


class QueryStatus(BCEnum):
    OPEN = "Open"
    IN_PROGRESS = "In_x0020_Progress"
    RESOLVED = "Resolved"
    UNKNOWN = "_unknown_"


class QueryDocumentType(BCEnum):
    BLANK = "_x0020_"
    SALES_ORDER = "Sales_x0020_Order"
    SALES_SHIPMENT = "Sales_x0020_Shipment"
    SALES_INVOICE = "Sales_x0020_Invoice"
    SALES_CREDIT_MEMO = "Sales_x0020_Credit_x0020_Memo"
    UNKNOWN = "_unknown_"


class QueryAuthorType(BCEnum):
    CUSTOMER = "Customer"
    STAFF = "Staff"
    UNKNOWN = "_unknown_"


class CustomerQueryMessage(Entity, frozen=True, kw_only=True):
    id: UUID
    query_id: UUID | None = None
    sequence: int
    author_type: QueryAuthorType = QueryAuthorType.UNKNOWN
    author_name: NonEmpty = None
    body: str = ""
    created_date_time: datetime | None = None


class CustomerQuery(Entity, frozen=True, kw_only=True):
    id: UUID
    number: str
    customer_number: str
    category: QueryCategory = QueryCategory.UNKNOWN
    subject: str = ""
    status: QueryStatus = QueryStatus.UNKNOWN
    related_document_type: QueryDocumentType = QueryDocumentType.UNKNOWN
    related_document_number: NonEmpty = None
    created_date_time: datetime | None = None
    last_modified_date_time: datetime | None = None
    messages: tuple[CustomerQueryMessage, ...] | None = field(default=None, name="customerQueryMessages")


class DeliveryDocument(Entity, frozen=True, kw_only=True):
    """A proof-of-delivery file attached to a posted shipment (its bytes: the ``content`` stream)."""

    id: UUID
    shipment_id: UUID | None = None
    shipment_number: str
    customer_number: str
    file_name: str
    byte_size: int
    last_modified_date_time: datetime | None = None
