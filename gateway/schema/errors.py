"""Errors as clients see them: a stable ``extensions.code``, a safe message, nothing internal.

Expected failures keep their message (a bad argument) or get a fixed one (BC unavailable);
anything unexpected is masked to a generic message with a correlation id, and logged in full
under that id.  Only that is logged with a traceback: a client's mistake is the client's to read
in the answer, and a BC failure is one warning line with BC's code.
"""

from __future__ import annotations

import logging
import uuid

from graphql import GraphQLError

from gateway import bc
from gateway.resolvers.errors import UserInputError
from gateway.schema.error_codes import ErrorCode

log = logging.getLogger("gateway.errors")

_UNAVAILABLE = "Business Central is unavailable right now; try again shortly."
# Most specific first: the first class that matches decides.
_BC_ERRORS: tuple[tuple[type[bc.BCError], ErrorCode, str], ...] = (
    (
        bc.CapabilityUnavailable,
        ErrorCode.CAPABILITY_UNAVAILABLE,
        "This Business Central does not offer what this field needs.",
    ),
    # Our own limiter's queue is full: as good as BC's 429 to a client (try again shortly).
    (bc.BCQueueFull, ErrorCode.BC_THROTTLED, "Business Central is busy; try again in a moment."),
    (bc.BCThrottled, ErrorCode.BC_THROTTLED, "Business Central is busy; try again in a moment."),
    (bc.BCTimeout, ErrorCode.BC_TIMEOUT, "Business Central did not answer in time; try again."),
    (bc.BCCircuitOpen, ErrorCode.BC_UNAVAILABLE, _UNAVAILABLE),
    (bc.BCUnavailable, ErrorCode.BC_UNAVAILABLE, _UNAVAILABLE),
    (bc.BCTransportError, ErrorCode.BC_UNAVAILABLE, _UNAVAILABLE),
    # The gateway's own BC credentials failing is not the client's fault, and not theirs to see.
    (bc.BCAuthenticationFailed, ErrorCode.BC_UNAVAILABLE, _UNAVAILABLE),
    (
        bc.BCProtocolError,
        ErrorCode.BC_BAD_RESPONSE,
        "Business Central sent an answer the gateway could not use.",
    ),
    (bc.BCRequestRejected, ErrorCode.BC_REJECTED, "Business Central refused the request."),
)


def translate(error: GraphQLError) -> GraphQLError:
    original = error.original_error
    if original is None:
        return _with_code(error, error.message, ErrorCode.GRAPHQL_VALIDATION_FAILED)
    if error.path is None:
        # Not raised by a field: a variable its type refused (the edge answers those before
        # execution, so this is the second line).
        return _with_code(error, error.message, ErrorCode.BAD_USER_INPUT)
    if isinstance(original, UserInputError):
        return _with_code(error, str(original), ErrorCode.BAD_USER_INPUT)
    if isinstance(original, bc.UnsafeFilterText):
        # Text the caller sent that BC would read as a filter pattern: refused before any request.
        return _with_code(error, original.message, ErrorCode.BAD_USER_INPUT)
    correlation_id = uuid.uuid4().hex
    for error_class, code, message in _BC_ERRORS:
        if isinstance(original, error_class):
            log.warning(
                "bc_error",
                extra={"correlation_id": correlation_id, "bc_code": original.code, "path": error.path},
            )
            return _with_code(error, message, code, correlationId=correlation_id)
    log.error(
        "unexpected_error", exc_info=original, extra={"correlation_id": correlation_id, "path": error.path}
    )
    return _with_code(
        error,
        f"Internal error (reference {correlation_id}).",
        ErrorCode.INTERNAL_ERROR,
        correlationId=correlation_id,
    )


def _with_code(error: GraphQLError, message: str, code: ErrorCode, **extra: str) -> GraphQLError:
    return GraphQLError(
        message=message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        original_error=None,
        extensions={**(error.extensions or {}), "code": code, **extra},
    )
