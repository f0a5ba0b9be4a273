"""Rows of the portal custom API about customer queries and proof of delivery
(``api/bcgateway/portal/v1.0``, docs/bc-extension.md).

Conventions as in ``_models``: snake_case BC names, ``SELECT`` for ``$select``, ``from_json`` per row.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar, Self
from uuid import UUID

from ._enums import BCEnum
from ._values import RowReader

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


@dataclass(frozen=True)
class CustomerQueryMessage:
    id: UUID
    query_id: UUID | None
    sequence: int
    author_type: QueryAuthorType
    author_name: str | None
    body: str
    created_date_time: datetime | None

    SELECT: ClassVar[tuple[str, ...]] = (
        "id",
        "queryId",
        "sequence",
        "authorType",
        "authorName",
        "body",
        "createdDateTime",
    )

    @classmethod
    def from_json(cls, row: Mapping[str, Any]) -> Self:
        r = RowReader("CustomerQueryMessage", row)
        return cls(
            id=r.guid("id"),
            query_id=r.opt_guid("queryId"),
            sequence=r.integer("sequence"),
            author_type=r.enum("authorType", QueryAuthorType),
            author_name=r.opt_text("authorName") or None,
            body=r.opt_text("body") or "",
            created_date_time=r.opt_datetime("createdDateTime"),
        )


@dataclass(frozen=True)
class CustomerQuery:
    id: UUID
    number: str
    customer_number: str
    category: QueryCategory
    subject: str
    status: QueryStatus
    related_document_type: QueryDocumentType
    related_document_number: str | None
    created_date_time: datetime | None
    last_modified_date_time: datetime | None
    messages: tuple[CustomerQueryMessage, ...] | None  # from $expand=customerQueryMessages

    SELECT: ClassVar[tuple[str, ...]] = (
        "id",
        "number",
        "customerNumber",
        "category",
        "subject",
        "status",
        "relatedDocumentType",
        "relatedDocumentNumber",
        "createdDateTime",
        "lastModifiedDateTime",
    )

    @classmethod
    def from_json(cls, row: Mapping[str, Any]) -> Self:
        r = RowReader("CustomerQuery", row)
        return cls(
            id=r.guid("id"),
            number=r.text("number"),
            customer_number=r.text("customerNumber"),
            category=r.enum("category", QueryCategory),
            subject=r.opt_text("subject") or "",
            status=r.enum("status", QueryStatus),
            related_document_type=r.enum("relatedDocumentType", QueryDocumentType),
            related_document_number=r.opt_text("relatedDocumentNumber") or None,
            created_date_time=r.opt_datetime("createdDateTime"),
            last_modified_date_time=r.opt_datetime("lastModifiedDateTime"),
            messages=r.nested_list("customerQueryMessages", CustomerQueryMessage.from_json),
        )


@dataclass(frozen=True)
class DeliveryDocument:
    """A proof-of-delivery file attached to a posted shipment (its bytes: the ``content`` stream)."""

    id: UUID
    shipment_id: UUID | None
    shipment_number: str
    customer_number: str
    file_name: str
    byte_size: int
    last_modified_date_time: datetime | None

    SELECT: ClassVar[tuple[str, ...]] = (
        "id",
        "shipmentId",
        "shipmentNumber",
        "customerNumber",
        "fileName",
        "byteSize",
        "lastModifiedDateTime",
    )

    @classmethod
    def from_json(cls, row: Mapping[str, Any]) -> Self:
        r = RowReader("DeliveryDocument", row)
        return cls(
            id=r.guid("id"),
            shipment_id=r.opt_guid("shipmentId"),
            shipment_number=r.text("shipmentNumber"),
            customer_number=r.text("customerNumber"),
            file_name=r.text("fileName"),
            byte_size=r.integer("byteSize"),
            last_modified_date_time=r.opt_datetime("lastModifiedDateTime"),
        )
