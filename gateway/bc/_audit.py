"""One structured log record per BC call, on logger ``gateway.bc.audit``.

The record names who (customer, company, operation) touched what (route, entity set) with what
outcome.  It never holds a URL with host, a query string, a token or a secret.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Final

__all__ = ["AUDIT_LOGGER", "CallContext", "log_call"]

AUDIT_LOGGER: Final = logging.getLogger("gateway.bc.audit")


@dataclass(frozen=True)
class CallContext:
    """Who a BC call is made for; the session fills it in, top-level calls leave it empty."""

    customer: str | None = None
    company: str | None = None
    operation: str | None = None


def log_call(
    context: CallContext,
    *,
    method: str,
    route: str,
    entity_set: str,
    status: int | None,
    duration_ms: float,
    rows: int | None,
    correlation_id: str | None,
) -> None:
    AUDIT_LOGGER.info(
        "bc_call",
        extra={
            "bc_call": {
                "customer": context.customer,
                "company": context.company,
                "operation": context.operation,
                "method": method,
                "route": route,
                "entity_set": entity_set,
                "status": status,
                "duration_ms": round(duration_ms, 1),
                "rows": rows,
                "correlation_id": correlation_id,
            }
        },
    )
