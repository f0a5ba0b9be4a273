"""Runs checked operations with the request's Context and shapes the HTTP answer.

One pipeline: the gate parsed and validated each document once (cached by its text) and checked
its limits on that AST; here the same document object is executed
(:func:`gateway.schema.execution.execute_operation`) — no synthetic request, no second parse.
Each operation runs inside its own span (when tracing is on).  What it did (its name, type,
cost, outcome, error codes, BC requests and time, duration) is one :class:`OperationRun`: the
request's access line (``edge/access.py``), the operation metrics and the span are all read
from it.

A query may be answered from the response cache instead (``edge/response_cache.py``): the kept
``data`` with its age, and no execution at all.

Every operation that executes is answered 200 (its errors, if any, are in the body).  Answers to
``GET`` may be cached, but only privately (they hold customer data) and per token and company;
answers to ``POST`` are never stored.  A batch is answered with a JSON array, one result per
operation, in order.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Final, Literal

import strawberry
from graphql import GraphQLError
from starlette.responses import Response

from gateway.edge.gate import CheckedOperation
from gateway.edge.response_cache import ResponseCache
from gateway.resolvers.context import Context
from gateway.schema.execution import execute_operation
from gateway.telemetry import NO_TRACER, Tracer

VARY = "Authorization, X-BC-Company, Accept"

Outcome = Literal["ok", "partial", "error"]


def cache_control(method: str, max_age_seconds: int) -> str:
    if method == "GET":
        return f"private, max-age={max_age_seconds}" if max_age_seconds > 0 else "private, no-cache"
    return "no-store"


@dataclass(frozen=True)
class OperationRun:
    """One operation, executed or served from the response cache: what it was, what it cost,
    how it ended, and its answer as JSON."""

    name: str | None
    operation_type: str  # "query" or "mutation"
    cost: int  # what the rate limit charged for it
    errors: Sequence[GraphQLError]
    has_data: bool
    answer: bytes  # this operation's JSON result
    seconds: float
    bc_requests: int = 0
    kept: bool = False  # served from the response cache

    @property
    def outcome(self) -> Outcome:
        """``ok``, ``partial`` (data with errors) or ``error``."""
        if not self.errors:
            return "ok"
        return "partial" if self.has_data else "error"

    @property
    def error_codes(self) -> list[str]:
        """The codes clients saw, each once."""
        return sorted({str((error.extensions or {}).get("code") or "UNKNOWN") for error in self.errors})


@dataclass(frozen=True)
class KeptResponses:
    """The response cache as one request sees it: the cache and the request's requester
    (``response_cache.requester_of``)."""

    cache: ResponseCache
    requester: str


async def run_operation(
    schema: strawberry.Schema,
    checked: CheckedOperation,
    context_for: Callable[[str | None], Context],
    *,
    production: bool,
    tracer: Tracer = NO_TRACER,
    incoming: Mapping[str, str] | None = None,
    responses: KeptResponses | None = None,
) -> OperationRun:
    """Answer ``checked``, inside the operation's span (a child of the caller's trace when
    ``incoming`` headers carry one): a query from the response cache when it keeps a current
    answer, else executed with a Context of its own (and kept, when it may be)."""
    started = time.perf_counter()
    with tracer.operation(checked.name, checked.operation_type, incoming or {}) as span:
        key = None
        if responses is not None and checked.operation_type == "query":
            key = responses.cache.key(responses.requester, checked)
            found = await responses.cache.lookup(key)
            if found is not None:
                span.set({"graphql.outcome": "ok", "bc.requests": 0, "graphql.kept": True})
                return _kept_run(checked, *found, seconds=time.perf_counter() - started)
        context = context_for(checked.name)
        if checked.operation_type == "mutation":
            # What a write decides (does this order exist, which prices, may this customer reply)
            # is decided on what BC holds now, never on a kept answer (docs/caching.md).
            context.bc.read_fresh()
        result = await execute_operation(
            schema,
            checked.document,
            operation_name=checked.operation_name,
            variables=checked.variables,
            extensions=checked.extensions,
            context=context,
            hide_suggestions=production,
        )
        data = _json(result.data)
        errors = result.errors or []
        run = OperationRun(
            name=checked.name,
            operation_type=checked.operation_type,
            cost=checked.cost,
            errors=errors,
            has_data=bool(result.data),
            answer=_answer(data, errors, context.bc.oldest_kept_answer_age),
            seconds=time.perf_counter() - started,
            bc_requests=context.bc.request_count,
        )
        span.set({"graphql.outcome": run.outcome, "bc.requests": run.bc_requests})
        if run.outcome == "error":
            span.fail(",".join(run.error_codes) or "error")
        sources = context.bc.answer_sources
        if key is not None and responses is not None and not errors and sources:
            links = context.documents
            await responses.cache.keep(key, data, sources, until=links.fresh_until if links else None)
    return run


def respond(runs: Sequence[OperationRun], *, batch: bool, media_type: str, cache: str) -> Response:
    """One JSON result, or a JSON array of them for a batch."""
    content = b"[" + b",".join(run.answer for run in runs) + b"]" if batch else runs[0].answer
    headers = {"Cache-Control": cache, "Vary": VARY}
    return Response(content, 200, headers=headers, media_type=f"{media_type}; charset=utf-8")


def _kept_run(checked: CheckedOperation, data: bytes, age: float, *, seconds: float) -> OperationRun:
    return OperationRun(
        name=checked.name,
        operation_type=checked.operation_type,
        cost=checked.cost,
        errors=(),
        has_data=True,
        answer=_answer(data, (), age),
        seconds=seconds,
        kept=True,
    )


def _answer(data: bytes, errors: Sequence[GraphQLError], age: float | None) -> bytes:
    """``{"data":…,"errors":…,"extensions":…}`` around already serialized ``data``."""
    parts = [b'{"data":', data]
    if errors:
        parts += [b',"errors":', _json([error.formatted for error in errors])]
    if age is not None:
        # How long ago BC gave the oldest kept answer this operation used (docs/caching.md);
        # absent when everything was read from BC for this operation.
        parts += [b',"extensions":', _json({"oldestDataAgeSeconds": round(age, 1)})]
    parts.append(b"}")
    return b"".join(parts)


def _json(value: object) -> bytes:
    return _ENCODER.encode(value).encode()


# json.dumps with any option builds a new encoder for every call: one, made once, writes the same.
_ENCODER: Final = json.JSONEncoder(separators=(",", ":"))
