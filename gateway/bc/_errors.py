"""The one exception tree of the BC client.

Every failure that leaves ``gateway.bc`` is a ``BCError``; httpx and JSON errors are translated
once, where they happen, with ``raise ... from exc``::

    BCError                      code, status, correlation_id; str() never holds URLs or secrets
    ├── BCTransportError         no HTTP response: connection refused, reset, DNS, TLS
    ├── BCTimeout                a timeout, ours (httpx) or BC's (408)
    ├── BCThrottled              429; ``retry_after`` seconds when BC said so
    │   └── BCQueueFull          our own limiter's wait queue is full: refused before any HTTP
    ├── BCUnavailable            502 / 503 / 504 and any other 5xx; ``retry_after`` as above
    │   └── BCCircuitOpen        the breaker is open: BC failed repeatedly, refused before any HTTP
    ├── BCNotFound               404
    ├── BCRequestRejected        400 / 405 / 409 / 412 / 413 / 415 and other 4xx: BC refused the request
    ├── BCAuthenticationFailed   401 / 403 from BC, or the token endpoint failing
    ├── BCProtocolError          a response that is unparseable or not what BC promises
    ├── ScopeViolation           a request or a row that would cross the customer scope
    ├── InvalidScope             a CustomerScope that cannot be used safely
    ├── NotKept                  no kept answer for a read asked of them alone (``kept_only``): no HTTP
    └── ODataBuildError          a query that cannot be expressed safely (or BC would refuse)
        └── UnsafeFilterText     compared text BC would read as an AL filter, not literally
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any, ClassVar

import httpx

__all__ = [
    "BCAuthenticationFailed",
    "BCCircuitOpen",
    "BCError",
    "BCNotFound",
    "BCProtocolError",
    "BCQueueFull",
    "BCRequestRejected",
    "BCThrottled",
    "BCTimeout",
    "BCTransportError",
    "BCUnavailable",
    "InvalidScope",
    "ODataBuildError",
    "ScopeViolation",
    "UnsafeFilterText",
    "correlation_id_of",
    "error_from_response",
]

# BC's messages can be long and echo request content; cap what we carry around.
_MAX_MESSAGE = 500
_CORRELATION_IN_MESSAGE = re.compile(r"\s*CorrelationId:\s*([0-9A-Za-z-]+)\.?\s*$")
_CORRELATION_HEADERS = ("request-id", "ms-correlation-x", "x-ms-correlation-id")
_SAFE_CODE = re.compile(r"^[A-Za-z][A-Za-z0-9_.]{0,99}$")


class BCError(Exception):
    """Base of every error raised by ``gateway.bc``."""

    default_code: ClassVar[str] = "bc_error"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        status: int | None = None,
        correlation_id: str | None = None,
    ) -> None:
        self.message = message[:_MAX_MESSAGE]
        self.code = code or self.default_code
        self.status = status
        self.correlation_id = correlation_id
        super().__init__(self.message)

    def __str__(self) -> str:
        details = [f"code={self.code}"]
        if self.status is not None:
            details.append(f"status={self.status}")
        if self.correlation_id is not None:
            details.append(f"correlation_id={self.correlation_id}")
        return f"{self.message} ({', '.join(details)})"


class BCTransportError(BCError):
    default_code = "transport_error"


class BCTimeout(BCError):
    default_code = "timeout"


class BCThrottled(BCError):
    default_code = "throttled"

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class BCQueueFull(BCThrottled):
    """Too many of this principal's requests are already waiting for a turn."""

    default_code = "queue_full"


class BCUnavailable(BCError):
    default_code = "unavailable"

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class BCCircuitOpen(BCUnavailable):
    """BC failed too often in a row; requests fail fast until a probe succeeds."""

    default_code = "circuit_open"


class BCNotFound(BCError):
    default_code = "not_found"


class BCRequestRejected(BCError):
    default_code = "request_rejected"


class BCAuthenticationFailed(BCError):
    default_code = "authentication_failed"


class BCProtocolError(BCError):
    default_code = "protocol_error"


class ScopeViolation(BCError):
    default_code = "scope_violation"


class InvalidScope(BCError):
    default_code = "invalid_scope"


class ODataBuildError(BCError):
    default_code = "odata_build_error"


class UnsafeFilterText(ODataBuildError):
    """Text to compare in a ``$filter`` holds ``operator``, which BC's AL filters would read as an
    operator (a wildcard, an alternative, a range …) rather than as text; BC documents no escape,
    so the query is not built.  The text came from a caller: they can fix it."""

    default_code = "unsafe_filter_text"

    def __init__(self, operator: str) -> None:
        super().__init__(
            f"`{operator}` cannot be looked up: Business Central would read it as a filter operator, "
            "not as text (document numbers and codes never hold it)"
        )
        self.operator = operator


# The one table from HTTP status to exception class (cf. openai-python's _make_status_error).
_STATUS_ERRORS: Mapping[int, type[BCError]] = {
    400: BCRequestRejected,
    401: BCAuthenticationFailed,
    403: BCAuthenticationFailed,
    404: BCNotFound,
    405: BCRequestRejected,
    408: BCTimeout,
    409: BCRequestRejected,
    412: BCRequestRejected,
    413: BCRequestRejected,
    415: BCRequestRejected,
    429: BCThrottled,
    502: BCUnavailable,
    503: BCUnavailable,
    504: BCUnavailable,
}


def _class_for_status(status: int) -> type[BCError]:
    known = _STATUS_ERRORS.get(status)
    if known is not None:
        return known
    if status >= 500:
        return BCUnavailable
    if status >= 400:
        return BCRequestRejected
    return BCProtocolError


def _odata_error(response: httpx.Response) -> tuple[str | None, str | None]:
    """BC's ``{"error": {"code", "message"}}``, or ``(None, None)`` when the body is not that."""
    try:
        body = json.loads(response.content)
    except ValueError:
        return None, None
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        return None, None
    code, message = error.get("code"), error.get("message")
    return (
        code if isinstance(code, str) and _SAFE_CODE.match(code) else None,
        message if isinstance(message, str) else None,
    )


def correlation_id_of(response: httpx.Response, message: str | None = None) -> str | None:
    """BC's correlation id, from the end of its error message or from the response headers."""
    if message:
        found = _CORRELATION_IN_MESSAGE.search(message)
        if found:
            return str(found.group(1))
    for header in _CORRELATION_HEADERS:
        value: str | None = response.headers.get(header)
        if value:
            return value[:100]
    return None


def _retry_after(response: httpx.Response) -> float | None:
    try:
        return max(0.0, float(response.headers.get("retry-after", "")))
    except ValueError:
        return None  # an HTTP date or garbage: let the caller's own backoff decide


def error_from_response(response: httpx.Response) -> BCError:
    """Translate a non-2xx BC response into the matching ``BCError`` (not raised)."""
    status = response.status_code
    code, bc_message = _odata_error(response)
    correlation_id = correlation_id_of(response, bc_message)
    message = (
        _CORRELATION_IN_MESSAGE.sub("", bc_message).strip()
        if bc_message
        else f"Business Central answered HTTP {status}"
    )
    cls = _class_for_status(status)
    kwargs: dict[str, Any] = {"code": code, "status": status, "correlation_id": correlation_id}
    if cls is BCThrottled:
        return BCThrottled(message, retry_after=_retry_after(response), **kwargs)
    if cls is BCUnavailable:
        return BCUnavailable(message, retry_after=_retry_after(response), **kwargs)
    return cls(message, **kwargs)
