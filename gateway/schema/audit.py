"""One structured log line per GraphQL operation, on logger ``gateway.operation.audit``.

Besides the per-BC-call lines of ``gateway.bc.audit``: which operation, for which customer, how
many BC requests it made and how long they took, how long the whole operation took, and how it
ended (``ok``, ``partial`` — data with errors — or ``error``) with the error codes clients saw.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from typing import Any, Final

from strawberry.extensions import SchemaExtension

__all__ = ["AUDIT_LOGGER", "OperationAudit"]

AUDIT_LOGGER: Final = logging.getLogger("gateway.operation.audit")


class OperationAudit(SchemaExtension):
    """List it before ``TranslateErrors`` so it sees the codes clients see."""

    def on_operation(self) -> Iterator[None]:
        started = time.perf_counter()
        yield
        context = self.execution_context.context
        session = getattr(context, "bc", None)
        membership = getattr(context, "membership", None)
        result = self.execution_context.result
        errors = list(getattr(result, "errors", None) or [])
        AUDIT_LOGGER.info(
            "graphql_operation",
            extra={
                "graphql_operation": {
                    "operation": self.execution_context.operation_name,
                    "operation_type": _operation_type(self.execution_context),
                    "customer": getattr(membership, "customer_number", None),
                    "company": str(getattr(membership, "company_id", "")) or None,
                    "bc_requests": getattr(session, "request_count", 0),
                    "bc_ms": round(getattr(session, "bc_seconds", 0.0) * 1000, 1),
                    "total_ms": round((time.perf_counter() - started) * 1000, 1),
                    "outcome": _outcome(result, errors),
                    "error_codes": sorted({_code(error) for error in errors}),
                }
            },
        )


def _outcome(result: Any, errors: list[Any]) -> str:
    if not errors:
        return "ok"
    data = getattr(result, "data", None)
    return "partial" if data else "error"


def _code(error: Any) -> str:
    extensions = getattr(error, "extensions", None) or {}
    return str(extensions.get("code", "UNKNOWN"))


def _operation_type(execution_context: Any) -> str | None:
    try:
        return str(execution_context.operation_type.value)
    except Exception:  # noqa: BLE001 - an unparsable document has no type; the line is still written
        return None
