"""One structured record per write attempt, on logger ``gateway.audit.write``.

It names the mutation, the GraphQL operation and request it came in, the customer, a hash of the
idempotency key, the payload's digest, the outcome and the BC document number; never the token,
never the key itself (a client may use something guessable or personal as its key), never the
payload.  The outcome is counted in the app's metrics too (``Writes.recorder``).
"""

from __future__ import annotations

import hashlib
import logging
from typing import Final

from gateway.resolvers.context import Context

WRITES_LOGGER: Final = logging.getLogger("gateway.audit.write")


def key_hash(key: str) -> str:
    """What the audit trail keeps of an idempotency key: its SHA-256, enough to match retries."""
    return hashlib.sha256(key.encode()).hexdigest()


def log_write(
    ctx: Context,
    *,
    operation: str,
    key: str | None,
    digest: str | None,
    outcome: str,
    document_number: str | None = None,
    correlation_id: str | None = None,
) -> None:
    """``operation``: the mutation (``placeOrder``, …)."""
    WRITES_LOGGER.info(
        "write_attempt",
        extra={
            "write": {
                "request_id": ctx.bc.request_id,
                "operation": ctx.bc.operation,
                "mutation": operation,
                "idempotency_key_sha256": key_hash(key) if key is not None else None,
                "company": str(ctx.membership.company_id),
                "customer": ctx.membership.customer_number,
                "subject": ctx.identity.subject,
                "payload_digest": digest,
                "outcome": outcome,
                "document_number": document_number,
                "bc_correlation_id": correlation_id,
            }
        },
    )
    if ctx.writes.recorder is not None:
        ctx.writes.recorder.record_write(operation, outcome)
