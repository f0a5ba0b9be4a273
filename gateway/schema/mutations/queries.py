"""Customer queries: raise one, and reply on your own."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry.types import Info

from gateway import bc
from gateway.resolvers.context import Context
from gateway.resolvers.writes import queries
from gateway.resolvers.writes.results import QueryOutcome
from gateway.resolvers.writes.results import WriteError as DomainWriteError
from gateway.schema.mutations.ordering import key_description
from gateway.schema.mutations.results import WriteError
from gateway.schema.types.customer_queries import CustomerQuery, QueryCategory
from gateway.schema.types.related_documents import RelatedDocumentType

SubmitQueryResult = Annotated[CustomerQuery | WriteError, strawberry.union("SubmitQueryResult")]
ReplyToQueryResult = Annotated[CustomerQuery | WriteError, strawberry.union("ReplyToQueryResult")]


# GraphQL's enums → BC's encoded members (the portal API's ``customerQueryCategory`` and
# ``customerQueryDocumentType``, docs/bc-extension.md).
_CATEGORY_TO_BC = {
    QueryCategory.STATEMENT_DISPUTE: bc.QueryCategory.STATEMENT_DISPUTE.value,
    QueryCategory.DELIVERY: bc.QueryCategory.DELIVERY.value,
    QueryCategory.PRODUCT: bc.QueryCategory.PRODUCT.value,
    QueryCategory.OTHER: bc.QueryCategory.OTHER.value,
}


@strawberry.input(
    description=(
        "The document a query is about: one of yours — an order (open or completed), a posted "
        "shipment, invoice or credit memo.  Another customer's document, or a number that does not "
        "exist, is `NOT_FOUND` and nothing is written."
    )
)
class RelatedDocumentInput:
    type: RelatedDocumentType
    number: str


@strawberry.input
class SubmitQueryInput:
    category: QueryCategory
    subject: str
    message: str
    related_document: RelatedDocumentInput | None = None
    idempotency_key: str | None = strawberry.field(default=None, description=key_description("query"))


@strawberry.input
class ReplyToQueryInput:
    query_number: str
    message: str
    idempotency_key: str | None = strawberry.field(default=None, description=key_description("reply"))


def _result(outcome: QueryOutcome) -> CustomerQuery | WriteError:
    if isinstance(outcome, DomainWriteError):
        return WriteError.of(outcome)
    return CustomerQuery.from_bc(outcome.query)


@strawberry.type
class CustomerQueriesMutation:
    @strawberry.mutation(description="Raise a query: a statement dispute, a delivery or product question.")
    async def submit_query(self, info: Info[Context, None], input: SubmitQueryInput) -> SubmitQueryResult:
        related = input.related_document
        outcome = await queries.submit_query(
            info.context,
            queries.NewQuery(
                category=_CATEGORY_TO_BC[input.category],
                subject=input.subject,
                message=input.message,
                related_document_type=related.type.value if related else None,
                related_document_number=related.number.strip() if related else None,
            ),
            input.idempotency_key,
        )
        return _result(outcome)

    @strawberry.mutation(description="Add a message to one of your own queries.")
    async def reply_to_query(self, info: Info[Context, None], input: ReplyToQueryInput) -> ReplyToQueryResult:
        outcome = await queries.reply_to_query(
            info.context, input.query_number.strip(), input.message, input.idempotency_key
        )
        return _result(outcome)
