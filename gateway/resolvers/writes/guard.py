"""What every mutation goes through before and around its write: the switch, the required
scope, the idempotency key, and the audit record."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeVar, cast

from gateway.resolvers.context import Context
from gateway.resolvers.writes.audit import log_write
from gateway.resolvers.writes.results import OrderPlaced, QueryWritten, WriteError, WriteErrorCode

Outcome = TypeVar("Outcome", OrderPlaced, QueryWritten)
MAX_KEY_LENGTH = 255


def fingerprint(operation: str, payload: Mapping[str, Any]) -> str:
    """SHA-256 of the canonical JSON of the validated input (never of the raw request)."""
    canonical = json.dumps({"operation": operation, "input": payload}, sort_keys=True, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def allowed(ctx: Context, operation: str, *, needs_order_scope: bool) -> WriteError | None:
    policy = ctx.writes.policy
    if operation in policy.disabled_mutations:
        return WriteError(WriteErrorCode.DISABLED, f"`{operation}` is switched off on this portal.")
    wanted = policy.order_scope
    if needs_order_scope and wanted and wanted not in ctx.identity.scopes | ctx.identity.roles:
        return WriteError(
            WriteErrorCode.FORBIDDEN, f"Your sign-in does not allow ordering (needs `{wanted}`)."
        )
    return None


def idempotency_key(ctx: Context, argument: str | None) -> str | WriteError:
    key = (argument if argument is not None else ctx.idempotency_key or "").strip()
    if not key:
        return WriteError(
            WriteErrorCode.IDEMPOTENCY_KEY_REQUIRED,
            "An idempotency key is required: pass `idempotencyKey` or the `Idempotency-Key` header.",
        )
    if len(key) > MAX_KEY_LENGTH or not key.isprintable():
        return WriteError(
            WriteErrorCode.IDEMPOTENCY_KEY_REQUIRED,
            f"The idempotency key must be 1 to {MAX_KEY_LENGTH} printable characters.",
        )
    return key


async def run_once(
    ctx: Context,
    *,
    operation: str,
    key: str,
    payload: Mapping[str, Any],
    perform: Callable[[], Awaitable[Outcome | WriteError]],
    document_number: Callable[[Outcome], str | None],
) -> Outcome | WriteError:
    """Run ``perform`` at most once per (customer, key); replay its success to every retry.

    A failure releases the key (nothing was written, or the write is found again by its
    reference), so the same payload may be sent again with the same key.
    """
    digest = fingerprint(operation, payload)
    store = ctx.writes.keys
    store_key = json.dumps([str(ctx.membership.company_id), ctx.membership.customer_number, key])

    def audit(outcome: str, number: str | None = None, correlation_id: str | None = None) -> None:
        log_write(
            ctx,
            operation=operation,
            key=key,
            digest=digest,
            outcome=outcome,
            document_number=number,
            correlation_id=correlation_id,
        )

    waited = False
    while True:
        reservation = await store.reserve(store_key, digest)
        if reservation.state == "mismatch":
            audit("IDEMPOTENCY_KEY_REUSED")
            return WriteError(
                WriteErrorCode.IDEMPOTENCY_KEY_REUSED,
                "This idempotency key was already used for a different request.",
            )
        if reservation.state == "completed":
            result = cast(Outcome, reservation.result)
            audit("replayed", document_number(result))
            return result
        if reservation.state == "new":
            break
        if waited:
            audit("IN_PROGRESS")
            return WriteError(
                WriteErrorCode.IN_PROGRESS,
                "A request with this idempotency key is still being processed; retry shortly.",
            )
        await store.wait(store_key, ctx.writes.policy.in_progress_wait_seconds)
        waited = True

    completed = False
    try:
        outcome = await perform()
        if isinstance(outcome, WriteError):
            audit(outcome.code.value, correlation_id=outcome.correlation_id)
            return outcome
        await store.complete(store_key, outcome)
        completed = True
        found = isinstance(outcome, OrderPlaced) and outcome.found_existing
        audit("found_existing" if found else "created", document_number(outcome))
        return outcome
    finally:
        if not completed:
            await store.release(store_key)
