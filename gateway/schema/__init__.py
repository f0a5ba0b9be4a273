"""The GraphQL schema: Strawberry types over the resolvers.  ``schema.graphql`` is generated
from :data:`schema` (``bc-gateway export-schema``) and a test fails when it drifts."""

from __future__ import annotations

import strawberry
from strawberry.schema.config import StrawberryConfig

from gateway.schema.mutation import Mutation
from gateway.schema.query import Query
from gateway.schema.scalars import SCALARS
from gateway.schema.subscription import Subscription

# No Strawberry extensions: the edge parses and validates each document once and executes it
# through gateway.schema.execution (queries, mutations) or gateway.edge.live (subscriptions),
# which translate the errors.
schema = strawberry.Schema(
    query=Query, mutation=Mutation, subscription=Subscription, config=StrawberryConfig(scalar_map=SCALARS)
)

__all__ = ["schema"]
