"""Every check an operation passes before it may execute (and so before any BC request).

In order: the persisted-query protocol decides the document; its length and token count are
bounded before it is parsed; a mutation is refused over ``GET``; the operation limits are
measured; the document is validated against the schema — in production mode without
introspection and without "Did you mean …?" suggestions, which would map the schema for a
stranger; and the variables are read against their declared types.

A document is parsed and validated once: the parsed document is kept (a bounded LRU keyed by the
document's text), so a repeated or persisted query skips both, and the operation that executes
is that same document object (``edge/execution.py``).  Its limits are measured once per operation
name and variables too (they depend on nothing else), so a repeated query costs no walk.

A value the client wrote that its type refuses (a variable ``quantity: "abc"``, a missing
required input field, a ``Date`` BC cannot hold, inline or in a variable) is the client's
mistake: ``BAD_USER_INPUT`` with graphql-core's message, answered as GraphQL over HTTP says for
a request that cannot execute (400 for ``application/graphql-response+json``, 200 for
``application/json``).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    DocumentNode,
    GraphQLError,
    GraphQLSchema,
    GraphQLSyntaxError,
    NoSchemaIntrospectionCustomRule,
    OperationDefinitionNode,
    OperationType,
    get_operation_ast,
    parse,
    validate,
)
from graphql.execution.values import get_variable_values
from starlette.responses import JSONResponse, Response

from gateway.edge.incoming import OperationParams, Refused
from gateway.edge.limits import OperationLimits, OperationRejected, OperationReport, check_operation
from gateway.edge.persisted import PersistedQueries, PersistedQueryError
from gateway.edge.responses import GRAPHQL_RESPONSE, graphql_error
from gateway.schema.error_codes import ErrorCode
from gateway.schema.execution import VALIDATION_RULES

_SUGGESTION = re.compile(r"\s*Did you mean [^?]*\?")


def _no_operation(params: OperationParams) -> str:
    if params.operation_name is not None:
        return f"The document has no operation named {params.operation_name!r}."
    return "The document has several operations: name the one to run in `operationName`."


def canonical_json(value: Mapping[str, Any]) -> str:
    """``value`` as one text whatever its keys' order, for keys: keys sorted, no spaces, and
    non-ASCII escaped, so that the text always encodes (JSON can carry a lone surrogate)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def without_suggestions(message: str) -> str:
    """``message`` with graphql-core's "Did you mean …?" hints removed."""
    return _SUGGESTION.sub("", message)


@dataclass(frozen=True)
class CheckedOperation:
    """An operation that may run: its parsed, validated document and what to execute it with."""

    document: DocumentNode
    document_hash: str  # SHA-256 of its text, however it arrived (sent, APQ, persisted)
    report: OperationReport
    operation_name: str | None  # as the request named it
    variables: dict[str, Any] | None
    variables_key: str  # the variables as canonical JSON (keys sorted)
    extensions: dict[str, Any]  # the request's, without the persisted-query protocol's
    name: str | None  # the operation's own name, or the requested one
    operation_type: str  # "query", "mutation" or "subscription"

    @property
    def cost(self) -> int:
        """What the rate limit charges for it: its measured cost, at least 1."""
        return max(1, self.report.cost)


@dataclass
class _Known:
    """A document that parsed and validated, and its limits as measured per operation name and
    variables (a few; a document sent with ever new variables measures them each time)."""

    document: DocumentNode
    hash: str
    reports: dict[tuple[str | None, str], OperationReport] = field(default_factory=dict)


_REPORTS_PER_DOCUMENT = 64


@dataclass(frozen=True)
class Gate:
    schema: GraphQLSchema
    limits: OperationLimits
    persisted: PersistedQueries
    production: bool
    # Documents that parsed and validated, by text, most recently used last: a persisted or
    # repeated query skips both.
    _valid: OrderedDict[str, _Known] = field(default_factory=OrderedDict, compare=False, repr=False)
    cache_size: int = 1000

    async def check(self, params: OperationParams, *, method: str, media_type: str) -> CheckedOperation:
        """The operation, checked; or ``Refused`` with the response that says why.  An APQ
        document is registered only once it passed every check."""
        try:
            resolved = await self.persisted.resolve(params.query, params.extensions, params.document_id)
        except PersistedQueryError as error:
            raise Refused(
                graphql_error(error.status, error.code, str(error), media_type=media_type)
            ) from None
        text = resolved.document
        if text is None:
            raise Refused(
                graphql_error(
                    400,
                    ErrorCode.BAD_REQUEST,
                    "`query` (or `documentId`) is required.",
                    media_type=media_type,
                )
            )
        checked = self._checked(text, params, method=method, media_type=media_type)
        if resolved.register_as is not None:
            await self.persisted.register(resolved.register_as, text)
        return checked

    def _checked(
        self, text: str, params: OperationParams, *, method: str, media_type: str
    ) -> CheckedOperation:
        variables_key = canonical_json(params.variables or {})
        try:
            cached = self._recall(text)
            document = cached.document if cached is not None else self._parse(text, media_type)
            operation = get_operation_ast(document, params.operation_name)
            if method == "GET" and operation is not None and operation.operation is not OperationType.QUERY:
                raise Refused(
                    graphql_error(
                        405,
                        ErrorCode.METHOD_NOT_ALLOWED,
                        "Only queries may be sent with GET; send mutations with POST.",
                        media_type=media_type,
                        headers={"Allow": "POST"},
                    )
                )
            measured = cached.reports.get((params.operation_name, variables_key)) if cached else None
            report = measured or check_operation(
                document,
                self.schema,
                self.limits,
                operation_name=params.operation_name,
                variables=params.variables,
            )
        except OperationRejected as error:
            extensions = {"limit": error.limit} if error.limit else {}
            raise Refused(
                graphql_error(400, error.code, str(error), media_type=media_type, extensions=extensions)
            ) from None
        if cached is None:
            self._validate(document, media_type)
            cached = self._remember(text, document)
        if len(cached.reports) >= _REPORTS_PER_DOCUMENT:
            cached.reports.clear()
        cached.reports[(params.operation_name, variables_key)] = report
        if operation is not None and operation.variable_definitions:
            self._coerce_variables(operation, params.variables, media_type)
        if operation is None:
            raise Refused(
                graphql_error(400, ErrorCode.BAD_REQUEST, _no_operation(params), media_type=media_type)
            )
        return CheckedOperation(
            document=document,
            document_hash=cached.hash,
            report=report,
            operation_name=params.operation_name,
            variables=params.variables,
            variables_key=variables_key,
            extensions={k: v for k, v in (params.extensions or {}).items() if k != "persistedQuery"},
            name=operation.name.value if operation.name else params.operation_name,
            operation_type=operation.operation.value,
        )

    def _recall(self, text: str) -> _Known | None:
        known = self._valid.get(text)
        if known is not None:
            self._valid.move_to_end(text)
        return known

    def _remember(self, text: str, document: DocumentNode) -> _Known:
        known = self._valid[text] = _Known(document, hashlib.sha256(text.encode()).hexdigest())
        while len(self._valid) > self.cache_size:
            self._valid.popitem(last=False)
        return known

    def _parse(self, text: str, media_type: str) -> DocumentNode:
        limits = self.limits
        if len(text) > limits.max_length:
            raise OperationRejected(
                f"The document is too long (at most {limits.max_length} characters).", limit="length"
            )
        try:
            return parse(text, max_tokens=limits.max_tokens)
        except GraphQLSyntaxError as error:
            if "tokens" in error.message and "Parsing aborted" in error.message:
                raise OperationRejected(
                    f"The document has too many tokens (at most {limits.max_tokens}).", limit="tokens"
                ) from None
            if "nested too deeply" not in error.message:
                raise Refused(self._errors([error], ErrorCode.GRAPHQL_PARSE_FAILED, media_type)) from None
        except RecursionError:
            pass
        raise OperationRejected(
            f"The operation is nested too deeply (at most {limits.max_depth} levels).", limit="depth"
        )

    def _validate(self, document: DocumentNode, media_type: str) -> None:
        rules = [*VALIDATION_RULES, NoSchemaIntrospectionCustomRule] if self.production else VALIDATION_RULES
        errors = validate(self.schema, document, rules, max_errors=20)
        if errors:
            raise Refused(self._errors(errors, ErrorCode.GRAPHQL_VALIDATION_FAILED, media_type))

    def _coerce_variables(
        self, operation: OperationDefinitionNode, variables: Mapping[str, Any] | None, media_type: str
    ) -> None:
        coerced = get_variable_values(
            self.schema, operation.variable_definitions or (), dict(variables or {}), max_errors=20
        )
        if isinstance(coerced, list):
            raise Refused(self._errors(coerced, ErrorCode.BAD_USER_INPUT, media_type))

    def _errors(self, errors: list[GraphQLError], code: ErrorCode, media_type: str) -> Response:
        """A document that does not parse or validate: nothing ran, so there is no ``data``.

        GraphQL over HTTP: 400 for ``application/graphql-response+json``; 200 for legacy
        ``application/json`` clients.
        """
        formatted: list[Mapping[str, Any]] = []
        for error in errors:
            message = without_suggestions(error.message) if self.production else error.message
            # A literal its scalar refused (a Date BC cannot hold) is a bad value, not a bad document.
            refused_value = code is ErrorCode.GRAPHQL_VALIDATION_FAILED and error.original_error is not None
            entry: dict[str, Any] = {
                "message": message,
                "extensions": {"code": ErrorCode.BAD_USER_INPUT if refused_value else code},
            }
            if error.locations:
                entry["locations"] = [{"line": loc.line, "column": loc.column} for loc in error.locations]
            formatted.append(entry)
        status = 400 if media_type == GRAPHQL_RESPONSE else 200
        return JSONResponse({"errors": formatted}, status, media_type=media_type)
