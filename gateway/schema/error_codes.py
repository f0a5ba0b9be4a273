"""Every error code the gateway answers, with what it means for a client: the one declaration.

``/graphql`` puts the code in ``errors[].extensions.code``; ``/documents/…`` in
``error.code``.  Code that answers an error takes an :class:`ErrorCode` (the type checker
refuses a bare string), ``docs/errors.md`` holds :func:`markdown_table` (a test fails when
they differ), and the schema's descriptions name the codes a field may answer.
Expected failures of writes are not here: they are data, ``WriteError.code`` (an enum in the
schema).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum


class ErrorCode(StrEnum):
    # The request is refused before any operation runs.
    BAD_REQUEST = "BAD_REQUEST"
    METHOD_NOT_ALLOWED = "METHOD_NOT_ALLOWED"
    NOT_ACCEPTABLE = "NOT_ACCEPTABLE"
    UNSUPPORTED_MEDIA_TYPE = "UNSUPPORTED_MEDIA_TYPE"
    PAYLOAD_TOO_LARGE = "PAYLOAD_TOO_LARGE"
    BATCHING_DISABLED = "BATCHING_DISABLED"
    BATCH_TOO_LARGE = "BATCH_TOO_LARGE"
    HTTPS_REQUIRED = "HTTPS_REQUIRED"
    SUBSCRIPTIONS_NOT_AVAILABLE = "SUBSCRIPTIONS_NOT_AVAILABLE"
    SUBSCRIPTION_LIMIT = "SUBSCRIPTION_LIMIT"
    SHUTTING_DOWN = "SHUTTING_DOWN"
    UNAUTHENTICATED = "UNAUTHENTICATED"
    FORBIDDEN = "FORBIDDEN"
    AUTH_UNAVAILABLE = "AUTH_UNAVAILABLE"
    RATE_LIMITED = "RATE_LIMITED"
    PERSISTED_QUERY_NOT_FOUND = "PERSISTED_QUERY_NOT_FOUND"
    PERSISTED_QUERY_NOT_SUPPORTED = "PERSISTED_QUERY_NOT_SUPPORTED"
    INVALID_PERSISTED_QUERY = "INVALID_PERSISTED_QUERY"
    OPERATION_NOT_SAFELISTED = "OPERATION_NOT_SAFELISTED"
    GRAPHQL_PARSE_FAILED = "GRAPHQL_PARSE_FAILED"
    GRAPHQL_VALIDATION_FAILED = "GRAPHQL_VALIDATION_FAILED"
    OPERATION_LIMIT_EXCEEDED = "OPERATION_LIMIT_EXCEEDED"
    # Refused before Business Central, or a field that could not be answered.
    BAD_USER_INPUT = "BAD_USER_INPUT"
    CAPABILITY_UNAVAILABLE = "CAPABILITY_UNAVAILABLE"
    BC_UNAVAILABLE = "BC_UNAVAILABLE"
    BC_THROTTLED = "BC_THROTTLED"
    BC_TIMEOUT = "BC_TIMEOUT"
    BC_REJECTED = "BC_REJECTED"
    BC_BAD_RESPONSE = "BC_BAD_RESPONSE"
    INTERNAL_ERROR = "INTERNAL_ERROR"
    NOT_FOUND = "NOT_FOUND"
    # Business Central's calls to /webhooks/bc (docs/webhooks.md).
    MALFORMED_NOTIFICATION = "MALFORMED_NOTIFICATION"
    CLIENT_STATE_MISMATCH = "CLIENT_STATE_MISMATCH"
    WEBHOOK_QUEUE_FULL = "WEBHOOK_QUEUE_FULL"


@dataclass(frozen=True)
class Meaning:
    answered: str  # HTTP status and shape
    meaning: str  # when, and what the client should do


_REQUEST = "nothing ran (`data` absent or null)"
_FIELD = "200; the field (or its nearest nullable parent) is null, the rest of `data` answers"
MEANINGS: Mapping[ErrorCode, Meaning] = {
    ErrorCode.BAD_REQUEST: Meaning(
        f"400, {_REQUEST}",
        "The HTTP request is not a GraphQL request the gateway can read: the body is not JSON, "
        "`query` is missing or not a string, `variables` or `extensions` not an object, "
        "`X-BC-Company` not a company id; on `/webhooks/bc`, a `validationToken` that is empty, "
        "longer than 1,024 characters or not text.  Fix the request.",
    ),
    ErrorCode.METHOD_NOT_ALLOWED: Meaning(
        f"405, {_REQUEST}", "Only GET and POST; a mutation only with POST (`Allow` says which)."
    ),
    ErrorCode.NOT_ACCEPTABLE: Meaning(
        f"406, {_REQUEST}",
        "`Accept` allows neither `application/graphql-response+json` nor `application/json`.",
    ),
    ErrorCode.UNSUPPORTED_MEDIA_TYPE: Meaning(
        f"415, {_REQUEST}", "A POST body must be `Content-Type: application/json`."
    ),
    ErrorCode.PAYLOAD_TOO_LARGE: Meaning(
        f"413, {_REQUEST}",
        "The body is larger than `GATEWAY_MAX_BODY_BYTES` (on `/webhooks/bc`: 8 MB).",
    ),
    ErrorCode.BATCHING_DISABLED: Meaning(
        f"400, {_REQUEST}", "An array of operations was sent, and this gateway does not batch them."
    ),
    ErrorCode.BATCH_TOO_LARGE: Meaning(
        f"400, {_REQUEST}", "The array holds more operations than `GATEWAY_BATCH_LIMIT` (or none)."
    ),
    ErrorCode.HTTPS_REQUIRED: Meaning(
        f"403, {_REQUEST}", "In production the gateway is served over HTTPS only."
    ),
    ErrorCode.UNAUTHENTICATED: Meaning(
        f"401 with `WWW-Authenticate`, {_REQUEST}",
        "No bearer token, or one that is invalid or expired: sign in again.  Also on downloads.",
    ),
    ErrorCode.FORBIDDEN: Meaning(
        f"403, {_REQUEST}",
        "The token is valid but may not do this (e.g. the company in `X-BC-Company` is not one of "
        "its memberships); on `/documents/…`, a link that is invalid, expired or someone else's.",
    ),
    ErrorCode.SUBSCRIPTIONS_NOT_AVAILABLE: Meaning(
        f"400, {_REQUEST}",
        "A subscription sent over HTTP (subscriptions run over WebSocket, `docs/subscriptions.md`), "
        "or a WebSocket upgrade on `/graphql` that reached a server without WebSocket support and "
        "arrived as a plain request.  (A server that speaks WebSocket refuses the handshake itself "
        "when `GATEWAY_SUBSCRIPTIONS=off`: close 1008, which clients see as HTTP 403.)",
    ),
    ErrorCode.SUBSCRIPTION_LIMIT: Meaning(
        "the WebSocket's `error` message for that `subscribe`; the socket stays open",
        "The customer already runs `GATEWAY_SUBSCRIPTION_OPERATIONS` subscriptions (on every "
        "replica together): complete one first.",
    ),
    ErrorCode.SHUTTING_DOWN: Meaning(
        "503 with `Retry-After`, `data` absent",
        "The replica stopped (a deployment or a scale-down) before this request finished: retry it; "
        "a write retried with the same idempotency key is never made twice.",
    ),
    ErrorCode.AUTH_UNAVAILABLE: Meaning(
        f"503, {_REQUEST}", "The identity provider's signing keys cannot be read right now: retry later."
    ),
    ErrorCode.RATE_LIMITED: Meaning(
        f"429 with `Retry-After` (and `extensions.retryAfter`), {_REQUEST}",
        "The customer's (or, without a valid token, the address's) budget is spent: wait "
        "`Retry-After` seconds.  Also on downloads.",
    ),
    ErrorCode.PERSISTED_QUERY_NOT_FOUND: Meaning(
        f"200, {_REQUEST}",
        "Automatic persisted queries: the gateway does not know this hash yet; send it again with "
        "the document (Apollo's clients do this by themselves).",
    ),
    ErrorCode.PERSISTED_QUERY_NOT_SUPPORTED: Meaning(
        f"400, {_REQUEST}", "Persisted queries are switched off (`GATEWAY_PERSISTED_QUERIES=off`)."
    ),
    ErrorCode.INVALID_PERSISTED_QUERY: Meaning(
        f"400, {_REQUEST}", "The persisted-query extension is malformed, or its hash is not the document's."
    ),
    ErrorCode.OPERATION_NOT_SAFELISTED: Meaning(
        f"400, {_REQUEST}", "Only the operations of the deployed safelist run on this gateway."
    ),
    ErrorCode.GRAPHQL_PARSE_FAILED: Meaning(
        f"400 (`application/graphql-response+json`) or 200 (`application/json`), {_REQUEST}",
        "The document is not GraphQL; `locations` points at the error.",
    ),
    ErrorCode.GRAPHQL_VALIDATION_FAILED: Meaning(
        f"400 (`application/graphql-response+json`) or 200 (`application/json`), {_REQUEST}",
        "The document does not fit the schema (an unknown field, a missing argument …).",
    ),
    ErrorCode.OPERATION_LIMIT_EXCEEDED: Meaning(
        f"400, {_REQUEST}",
        "The operation is too deep, too costly, has too many aliases, root fields, directives, "
        "repeated fields, tokens or characters, or a `first` above the page maximum; "
        "`extensions.limit` names which (`docs/edge.md`).",
    ),
    ErrorCode.BAD_USER_INPUT: Meaning(
        "400 (`application/graphql-response+json`) or 200 (`application/json`) with no `data` "
        f"when a variable or a literal does not fit its type; else {_FIELD}",
        "A value the client sent is not acceptable: a variable of the wrong type, a missing "
        "required input field, a `Date` outside 1753-01-01 … 2999-12-31, a malformed cursor, a "
        "number holding a filter operator (`*`, `|`, `..` …), `to` before `from`.  The message "
        "says which.  Nothing was sent to Business Central.",
    ),
    ErrorCode.CAPABILITY_UNAVAILABLE: Meaning(
        _FIELD,
        "This Business Central lacks the API the field needs (the portal extension, the "
        "analytics API): the rest of the answer is complete.",
    ),
    ErrorCode.BC_UNAVAILABLE: Meaning(
        f"{_FIELD}; 502 on downloads",
        "Business Central could not be reached or failed; retry shortly (writes: retry with the "
        "same idempotency key).",
    ),
    ErrorCode.BC_THROTTLED: Meaning(
        _FIELD, "Business Central (or the gateway's queue for it) is busy: retry in a moment."
    ),
    ErrorCode.BC_TIMEOUT: Meaning(
        _FIELD, "Business Central did not answer within the operation's deadline: retry."
    ),
    ErrorCode.BC_REJECTED: Meaning(
        _FIELD, "Business Central refused the request the gateway made; `correlationId` is for support."
    ),
    ErrorCode.BC_BAD_RESPONSE: Meaning(
        _FIELD,
        "Business Central answered something the gateway could not use; `correlationId` is for support.",
    ),
    ErrorCode.INTERNAL_ERROR: Meaning(
        _FIELD, "A bug in the gateway; the message carries a reference (`correlationId`) for its logs."
    ),
    ErrorCode.NOT_FOUND: Meaning(
        "404 on `/documents/…` and `/webhooks/bc`",
        "No such document, or downloads are not offered here; on `/webhooks/bc`, webhooks are off "
        "(`GATEWAY_WEBHOOKS`).",
    ),
    ErrorCode.MALFORMED_NOTIFICATION: Meaning(
        "400 on `/webhooks/bc`; nothing is processed",
        "The body is not a Business Central notification (not JSON, no `value` list, a field "
        "missing, an unknown `changeType`, a resource that names no company's record); the message "
        "says which.  BC never sends one.",
    ),
    ErrorCode.CLIENT_STATE_MISMATCH: Meaning(
        "401 on `/webhooks/bc`; nothing is processed",
        "No notification of the body carries its subscription's `clientState`: not sent by BC for "
        "one of this gateway's subscriptions (BC then deletes such a subscription).",
    ),
    ErrorCode.WEBHOOK_QUEUE_FULL: Meaning(
        "503 with `Retry-After` on `/webhooks/bc`",
        "The notifications waiting to be processed fill the queue: BC sends the body again later.",
    ),
}


def markdown_table() -> str:
    """The list for ``docs/errors.md``, in declaration order."""
    rows = ["| code | answered as | meaning |", "| --- | --- | --- |"]
    rows += [f"| `{code}` | {MEANINGS[code].answered} | {MEANINGS[code].meaning} |" for code in ErrorCode]
    return "\n".join(rows) + "\n"
