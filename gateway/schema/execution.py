"""Executing an operation the edge has parsed and validated: the same document object, once.

The edge (``gateway/edge/gate.py``) parses each document once, caches it, checks its limits and
validates it with :data:`VALIDATION_RULES`; :func:`execute_operation` hands that document to
graphql-core's executor on Strawberry's schema, with Strawberry's own execution context (so
resolvers get Strawberry's ``Info``, typed arguments and all; plain fields are read without a
resolver call, ``schema/executor.py``) and the request's ``Context``.
Nothing is parsed or validated again, and no Strawberry view or extension sits in between: the
errors of the result are translated here (:func:`gateway.schema.errors.translate`), once.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from inspect import isawaitable
from typing import Any, TypeGuard, cast

import strawberry
from graphql import ASTValidationRule, DocumentNode, ExecutionResult, execute, specified_rules
from strawberry.execution.is_awaitable import optimized_is_awaitable
from strawberry.schema.validation_rules.maybe_null import MaybeNullValidationRule
from strawberry.schema.validation_rules.one_of import OneOfInputValidationRule

from gateway.schema.errors import translate
from gateway.schema.executor import PlainFieldExecutor

# What Strawberry's own validation applies: the specification's rules and its two for
# ``Maybe`` and ``@oneOf`` inputs.
# Strawberry's faster check (plain values first); typed as the bool it returns.
_IS_AWAITABLE = cast("Callable[[Any], TypeGuard[Awaitable[Any]]]", optimized_is_awaitable)

VALIDATION_RULES: tuple[type[ASTValidationRule], ...] = (
    *specified_rules,
    MaybeNullValidationRule,
    OneOfInputValidationRule,
)


async def execute_operation(
    schema: strawberry.Schema,
    document: DocumentNode,
    *,
    operation_name: str | None,
    variables: Mapping[str, Any] | None,
    extensions: Mapping[str, Any] | None,
    context: object,
    hide_suggestions: bool,
) -> ExecutionResult:
    """The result of executing ``document`` (already validated) with ``context``; its errors
    carry a code and a safe message.  ``hide_suggestions``: no "Did you mean …?" in them."""
    outcome = execute(
        schema._schema,
        document,
        context_value=context,
        variable_values=dict(variables) if variables is not None else None,
        operation_name=operation_name,
        executor_class=PlainFieldExecutor,
        is_awaitable=_IS_AWAITABLE,
        hide_suggestions=hide_suggestions,
        # Strawberry's execution context offers the request's `extensions` to resolvers.
        operation_extensions=dict(extensions or {}),
    )
    result = await outcome if isawaitable(outcome) else outcome
    if result.errors:
        result.errors = [translate(error) for error in result.errors]
    return result
