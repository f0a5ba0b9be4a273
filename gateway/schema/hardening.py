"""The production variant of a schema: no introspection, no "Did you mean …?" suggestions.

Both help a developer exploring the API in GraphiQL (development mode keeps them) and help a
stranger map it (production mode drops them).  The HTTP edge refuses such documents before they
reach the schema; this variant is the second line, for what the edge does not see (variable
coercion errors name enum values, for instance).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import strawberry
from graphql import GraphQLError
from strawberry.extensions import DisableIntrospection, SchemaExtension

_SUGGESTION = re.compile(r"\s*Did you mean [^?]*\?")


class HideSuggestions(SchemaExtension):
    """Removes graphql-core's "Did you mean …?" hints from every error message."""

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        errors = getattr(result, "errors", None)
        if result is not None and errors:
            result.errors = [_without_suggestion(error) for error in errors]


def _without_suggestion(error: GraphQLError) -> GraphQLError:
    message = _SUGGESTION.sub("", error.message)
    if message == error.message:
        return error
    return GraphQLError(
        message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        original_error=error.original_error,
        extensions=error.extensions,
    )


def production_schema(base: strawberry.Schema) -> strawberry.Schema:
    """``base`` with introspection disabled and suggestions hidden (and ``base``'s own class)."""
    return type(base)(
        query=base.query,
        mutation=base.mutation,
        subscription=base.subscription,
        extensions=[*base.extensions, DisableIntrospection, HideSuggestions],
        config=base.config,
    )
