"""Customer queries and their message threads (portal custom API)."""

from __future__ import annotations

from datetime import datetime
from enum import Enum

import strawberry

from gateway import bc
from gateway.schema.types.related_documents import RelatedDocumentType


@strawberry.enum(description="What a customer query is about.")
class QueryCategory(Enum):
    STATEMENT_DISPUTE = "STATEMENT_DISPUTE"
    DELIVERY = "DELIVERY"
    PRODUCT = "PRODUCT"
    OTHER = "OTHER"


@strawberry.enum(description="Where a customer query stands; staff set it in Business Central.")
class QueryStatus(Enum):
    OPEN = "OPEN"
    IN_PROGRESS = "IN_PROGRESS"
    RESOLVED = "RESOLVED"


@strawberry.enum(description="Who wrote a message.")
class MessageAuthor(Enum):
    CUSTOMER = "CUSTOMER"
    STAFF = "STAFF"


# The same enum as the write path's input (its values are BC's wire values).
_DOCUMENT_TYPES = frozenset(
    {
        bc.QueryDocumentType.SALES_ORDER,
        bc.QueryDocumentType.SALES_SHIPMENT,
        bc.QueryDocumentType.SALES_INVOICE,
        bc.QueryDocumentType.SALES_CREDIT_MEMO,
    }
)
QUERY_STATUS_TO_BC = {
    QueryStatus.OPEN: bc.QueryStatus.OPEN,
    QueryStatus.IN_PROGRESS: bc.QueryStatus.IN_PROGRESS,
    QueryStatus.RESOLVED: bc.QueryStatus.RESOLVED,
}
_STATUS_FROM_BC = {value: key for key, value in QUERY_STATUS_TO_BC.items()}
_CATEGORY_FROM_BC = {
    bc.QueryCategory.STATEMENT_DISPUTE: QueryCategory.STATEMENT_DISPUTE,
    bc.QueryCategory.DELIVERY: QueryCategory.DELIVERY,
    bc.QueryCategory.PRODUCT: QueryCategory.PRODUCT,
}


@strawberry.type(description="The document a query is about.")
class RelatedDocument:
    # The write path's enum (its values are BC's wire values), so input and output agree.
    type: RelatedDocumentType
    number: str


@strawberry.type(description="One message of a query's thread.")
class QueryMessage:
    id: strawberry.ID
    sequence: int
    author: MessageAuthor
    author_name: str | None
    body: str
    created_at: datetime | None

    @classmethod
    def from_bc(cls, message: bc.CustomerQueryMessage) -> QueryMessage:
        author = (
            MessageAuthor.STAFF if message.author_type is bc.QueryAuthorType.STAFF else MessageAuthor.CUSTOMER
        )
        return cls(
            id=strawberry.ID(str(message.id)),
            sequence=message.sequence,
            author=author,
            author_name=message.author_name,
            body=message.body,
            created_at=message.created_date_time,
        )


@strawberry.type(
    description="A question the customer raised: a statement dispute, a delivery or product query."
)
class CustomerQuery:
    id: strawberry.ID
    number: str
    subject: str
    category: QueryCategory
    status: QueryStatus
    related_document: RelatedDocument | None
    created_at: datetime | None
    last_activity_at: datetime | None
    messages: list[QueryMessage] = strawberry.field(description="The thread, oldest first.")

    @classmethod
    def from_bc(cls, query: bc.CustomerQuery) -> CustomerQuery:
        related = (
            RelatedDocument(
                type=RelatedDocumentType(query.related_document_type.value),
                number=query.related_document_number,
            )
            if query.related_document_type in _DOCUMENT_TYPES and query.related_document_number
            else None
        )
        return cls(
            id=strawberry.ID(str(query.id)),
            number=query.number,
            subject=query.subject,
            category=_CATEGORY_FROM_BC.get(query.category, QueryCategory.OTHER),
            status=_STATUS_FROM_BC.get(query.status, QueryStatus.OPEN),
            related_document=related,
            created_at=query.created_date_time,
            last_activity_at=query.last_modified_date_time,
            messages=[
                QueryMessage.from_bc(m) for m in sorted(query.messages or (), key=lambda m: m.sequence)
            ],
        )
