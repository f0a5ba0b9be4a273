"""Runs checked operations with the request's Context and shapes the HTTP answer.

One pipeline: the gate parsed and validated each document once (cached by its text) and checked
its limits on that AST; here the same document object is executed
(:func:`gateway.schema.execution.execute_operation`) — no synthetic request, no second parse.
Each operation runs inside its own span (when tracing is on).  What it did (its name, type,
cost, outcome, error codes, BC requests and time, duration) is one :class:`OperationRun`: the
request's access line (``edge/access.py``), the operation metrics and the span are all read
from it.

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
from typing import Any, Literal

import strawberry
from graphql import ExecutionResult
from starlette.responses import Response

from gateway.edge.gate import CheckedOperation
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
    """One executed operation: what it was, what it cost and how it ended."""

    name: str | None
    operation_type: str  # "query" or "mutation"
    cost: int  # what the rate limit charged for it
    result: ExecutionResult
    context: Context
    seconds: float

    @property
    def outcome(self) -> Outcome:
        """``ok``, ``partial`` (data with errors) or ``error``."""
        if not self.result.errors:
            return "ok"
        return "partial" if self.result.data else "error"

    @property
    def error_codes(self) -> list[str]:
        """The codes clients saw, each once."""
        return sorted(
            {str((error.extensions or {}).get("code") or "UNKNOWN") for error in self.result.errors or ()}
        )

    @property
    def bc_requests(self) -> int:
        return self.context.bc.request_count

    @property
    def bc_seconds(self) -> float:
        return self.context.bc.bc_seconds


async def run_operation(
    schema: strawberry.Schema,
    checked: CheckedOperation,
    context_for: Callable[[str | None], Context],
    *,
    production: bool,
    tracer: Tracer = NO_TRACER,
    incoming: Mapping[str, str] | None = None,
) -> OperationRun:
    """Execute ``checked`` with a Context of its own, inside the operation's span (a child of
    the caller's trace when ``incoming`` headers carry one)."""
    started = time.perf_counter()
    with tracer.operation(checked.name, checked.operation_type, incoming or {}) as span:
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
        run = OperationRun(
            name=checked.name,
            operation_type=checked.operation_type,
            cost=checked.cost,
            result=result,
            context=context,
            seconds=time.perf_counter() - started,
        )
        span.set({"graphql.outcome": run.outcome, "bc.requests": run.bc_requests})
        if run.outcome == "error":
            span.fail(",".join(run.error_codes) or "error")
    return run


def respond(runs: Sequence[OperationRun], *, batch: bool, media_type: str, cache: str) -> Response:
    """One JSON result, or a JSON array of them for a batch."""
    results = [_formatted(run) for run in runs]
    content = json.dumps(results if batch else results[0], separators=(",", ":"))
    headers = {"Cache-Control": cache, "Vary": VARY}
    return Response(content, 200, headers=headers, media_type=f"{media_type}; charset=utf-8")


def _formatted(run: OperationRun) -> dict[str, Any]:
    result = run.result
    answer: dict[str, Any] = {"data": result.data}
    if result.errors:
        answer["errors"] = [error.formatted for error in result.errors]
    age = run.context.bc.oldest_kept_answer_age
    if age is not None:
        # How long ago BC gave the oldest kept answer this operation used (docs/caching.md);
        # absent when everything was read from BC for this operation.
        answer["extensions"] = {"oldestDataAgeSeconds": round(age, 1)}
    return answer
