"""One structured log record per BC call, on logger ``gateway.audit.bc``.

The record names who (customer, company, operation, request id) touched what (route, entity
set) with what outcome (status, duration, BC's correlation id, which attempt).  It never holds a
URL with host, a query string, a token or a secret.  The ``gateway.audit`` loggers are the audit
trail: the app routes them on their own (``docs/observability.md``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Final

__all__ = ["AUDIT_LOGGER", "CallContext", "log_call"]

AUDIT_LOGGER: Final = logging.getLogger("gateway.audit.bc")


@dataclass(frozen=True)
class CallContext:
    """Who a BC call is made for; the session fills it in, top-level calls leave it empty."""

    customer: str | None = None
    company: str | None = None
    operation: str | None = None
    request_id: str | None = None


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
    attempt: int,
    principal: str | None = None,
    batch: tuple[str, ...] = (),
) -> None:
    """``principal``: the app registration's secret-free name (a hash); ``batch``: the entity sets
    a ``$batch`` read, in order (empty for any other call)."""
    if not AUDIT_LOGGER.isEnabledFor(logging.INFO):
        return  # nobody reads the record: it is not put together
    record: dict[str, object] = {
        "request_id": context.request_id,
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
        "attempt": attempt,
        "principal": principal,
    }
    if batch:
        record["batch"] = list(batch)
    AUDIT_LOGGER.info("bc_call", extra={"bc_call": record})
