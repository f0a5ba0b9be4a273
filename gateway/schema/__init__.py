"""The GraphQL schema: Strawberry types over the resolvers.  ``schema.graphql`` is generated
from :data:`schema` (``bc-gateway export-schema``) and a test fails when it drifts."""

from __future__ import annotations

from strawberry.extensions import ParserCache, ValidationCache
from strawberry.schema.config import StrawberryConfig

from gateway.schema.audit import OperationAudit
from gateway.schema.errors import PortalSchema, TranslateErrors
from gateway.schema.mutation import Mutation
from gateway.schema.query import Query
from gateway.schema.scalars import SCALARS
from gateway.schema.subscription import Subscription

schema = PortalSchema(
    query=Query,
    mutation=Mutation,
    subscription=Subscription,
    # Portal front ends send the same few documents over and over: parse and validate each once.
    extensions=[ParserCache, ValidationCache, OperationAudit, TranslateErrors],
    config=StrawberryConfig(scalar_map=SCALARS),
)

__all__ = ["schema"]
