"""What every mutation goes through before and around its write: the switch, the required
scope, the idempotency key, and the audit record."""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeVar, cast

from gateway.resolvers.context import Context
from gateway.resolvers.idempotency import KeyStore, Reservation
from gateway.resolvers.writes.audit import log_write
from gateway.resolvers.writes.results import OrderPlaced, QueryWritten, WriteError, WriteErrorCode
from gateway.store import StoreUnavailable

Outcome = TypeVar("Outcome", OrderPlaced, QueryWritten)
MAX_KEY_LENGTH = 255
LOGGER = logging.getLogger("gateway.writes.keys")


def fingerprint(operation: str, payload: Mapping[str, Any]) -> str:
    """SHA-256 of the canonical JSON of the validated input (never of the raw request)."""
    canonical = json.dumps({"operation": operation, "input": payload}, sort_keys=True, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def refuse(
    ctx: Context, operation: str, key: str | None, error: WriteError, payload: Mapping[str, Any]
) -> WriteError:
    """``error``, with the refused write audited (its payload's fingerprint, nothing of BC's)."""
    log_write(
        ctx, operation=operation, key=key, digest=fingerprint(operation, payload), outcome=error.code.value
    )
    return error


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

    reservation = await _reserve(store, store_key, digest, ctx.writes.policy.in_progress_wait_seconds)
    if isinstance(reservation, WriteError):
        audit(reservation.code.value)
        return reservation
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
    if reservation.state == "in_progress":
        audit("IN_PROGRESS")
        return WriteError(
            WriteErrorCode.IN_PROGRESS,
            "A request with this idempotency key is still being processed; retry shortly.",
        )

    completed = False
    try:
        outcome = await perform()
        if isinstance(outcome, WriteError):
            audit(outcome.code.value, correlation_id=outcome.correlation_id)
            return outcome
        await _complete(store, store_key, outcome)
        completed = True
        found = isinstance(outcome, OrderPlaced) and outcome.found_existing
        audit("found_existing" if found else "created", document_number(outcome))
        return outcome
    finally:
        if not completed:
            await _release(store, store_key)


async def once_per_content(
    ctx: Context,
    *,
    operation: str,
    content: Mapping[str, Any],
    perform: Callable[[], Awaitable[Outcome | WriteError]],
    identify: Callable[[Outcome], str],
    reread: Callable[[str], Awaitable[Outcome | None]],
) -> Outcome | WriteError:
    """Run ``perform`` holding the caller's claim on ``content``, so identical writes sent with
    different keys take turns instead of all writing at once.

    ``perform`` must look for an earlier identical write before writing (customer queries carry
    no gateway reference: content is all that recognises them).  Looking is not enough when the
    duplicates arrive together — all look, none finds, all write — so the look and the write run
    under a claim on the content's fingerprint, held in the idempotency key store: the first
    caller writes and completes the claim with ``identify(outcome)``; the others wait for it and
    answer with ``reread(that)``, BC's current state of what it wrote.  A shared key store makes
    the same claim atomic across replicas.
    """
    digest = fingerprint(operation, content)
    store = ctx.writes.keys
    claim = json.dumps(["content", str(ctx.membership.company_id), ctx.membership.customer_number, digest])
    reservation = await _reserve(store, claim, digest, ctx.writes.policy.in_progress_wait_seconds)
    if isinstance(reservation, WriteError):
        return reservation
    if reservation.state == "completed":
        earlier = await reread(cast(str, reservation.result))
        if earlier is not None:
            return earlier
        # Written once, but gone from BC since: this write is a new one.
    elif reservation.state != "new":
        return WriteError(
            WriteErrorCode.IN_PROGRESS, "An identical request is still being processed; retry shortly."
        )
    completed = False
    try:
        outcome = await perform()
        if not isinstance(outcome, WriteError):
            await _complete(store, claim, identify(outcome))
            completed = True
        return outcome
    finally:
        if not completed:
            await _release(store, claim)


async def _reserve(
    store: KeyStore[Any], key: str, digest: str, wait_seconds: float
) -> Reservation[Any] | WriteError:
    """``store.reserve``; when another request holds the key, wait for it (bounded) and look
    once more — ``in_progress`` then means it is still running.  A store that cannot be reached
    refuses the write: without the key store, two replicas could both write."""
    try:
        reservation = await store.reserve(key, digest)
        if reservation.state != "in_progress":
            return reservation
        await store.wait(key, wait_seconds)
        return await store.reserve(key, digest)
    except StoreUnavailable:
        return WriteError(
            WriteErrorCode.STORE_UNAVAILABLE,
            "Writes are paused: the gateway cannot reach its key store. Nothing was written; "
            "retry with the same idempotency key shortly.",
        )


async def _complete(store: KeyStore[Any], key: str, result: Any) -> None:
    """Record the result.  When the store went away meanwhile the write still stands: the key's
    lease runs out, and a retry finds the document in BC before it could write again."""
    try:
        await store.complete(key, result)
    except StoreUnavailable:
        LOGGER.warning("idempotency_not_recorded", extra={"reason": "key store unreachable"})


async def _release(store: KeyStore[Any], key: str) -> None:
    with contextlib.suppress(StoreUnavailable):  # the key's lease runs out on its own
        await store.release(key)
