"""One structured record per write attempt, on logger ``gateway.writes``.

It names the idempotency key, the customer, the payload's digest, the outcome and the BC
document number; never the token, never the payload itself.
"""

from __future__ import annotations

import logging
from typing import Final

from gateway.resolvers.context import Context

WRITES_LOGGER: Final = logging.getLogger("gateway.writes")


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
    WRITES_LOGGER.info(
        "write_attempt",
        extra={
            "write": {
                "operation": operation,
                "idempotency_key": key,
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
