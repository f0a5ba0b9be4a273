"""The GraphQL schema: Strawberry types over the resolvers.  ``schema.graphql`` is generated
from :data:`schema` (``bc-gateway export-schema``) and a test fails when it drifts."""

from __future__ import annotations

import strawberry

from gateway.schema.audit import OperationAudit
from gateway.schema.errors import TranslateErrors
from gateway.schema.mutation import Mutation
from gateway.schema.query import Query

schema = strawberry.Schema(query=Query, mutation=Mutation, extensions=[OperationAudit, TranslateErrors])

__all__ = ["schema"]
