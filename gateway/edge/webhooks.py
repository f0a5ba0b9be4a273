"""``/webhooks/bc``: where Business Central calls the gateway (docs/webhooks.md).

No bearer token (BC has none to give): a handshake (``?validationToken=…``) is echoed as
``text/plain`` at once; a notification body is read up to a limit, parsed, checked against each
subscription's ``clientState`` and queued, and BC gets 202 before anything is processed.  What
BC must send again gets a status it retries (503, 429); what is not BC's gets a 4xx and changes
nothing.  Handshakes and refused requests count against the client address's rate limit, like
the other unauthenticated paths; genuine notifications do not.
"""

from __future__ import annotations

import logging

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response

from gateway.edge.state import GatewayState, gateway_state
from gateway.schema.error_codes import ErrorCode
from gateway.webhooks import MalformedNotification, Verdict, WebhookService, parse_notifications

log = logging.getLogger("gateway.webhooks.endpoint")

_MAX_TOKEN = 1024
_RETRY_AFTER = "60"
_NO_STORE = {"Cache-Control": "no-store"}
# Answers to requests that are not BC's notifications: they count against the client address.
_REFUSALS = frozenset({400, 401, 413, 415})


async def webhooks_endpoint(request: Request) -> Response:
    state = gateway_state(request)
    service = state.webhooks
    if service is None:
        return _error(404, ErrorCode.NOT_FOUND, "This gateway does not take Business Central webhooks.")
    token = request.query_params.get("validationToken")
    if token is not None:
        return await _rate_limited(state, request) or _handshake(service, token)
    if request.method != "POST":
        refused = _error(405, ErrorCode.METHOD_NOT_ALLOWED, "POST notifications here.", {"Allow": "POST"})
        return await _rate_limited(state, request) or refused
    response = await _notification(service, request)
    if response.status_code in _REFUSALS:
        return await _rate_limited(state, request) or response
    return response


def _handshake(service: WebhookService, token: str) -> Response:
    if not token or len(token) > _MAX_TOKEN or not token.isprintable():
        return _error(400, ErrorCode.BAD_REQUEST, "The validationToken is empty, too long or not text.")
    service.stats.handshakes += 1
    return PlainTextResponse(token, headers=_NO_STORE)


async def _notification(service: WebhookService, request: Request) -> Response:
    media = request.headers.get("content-type", "").partition(";")[0].strip().lower()
    if media != "application/json":
        service.stats.refused_malformed += 1
        return _error(415, ErrorCode.UNSUPPORTED_MEDIA_TYPE, "POST a JSON notification body.")
    body = await _body(request, service.settings.max_body_bytes)
    if body is None:
        service.stats.refused_too_large += 1
        return _error(
            413,
            ErrorCode.PAYLOAD_TOO_LARGE,
            f"The body may be at most {service.settings.max_body_bytes} bytes.",
        )
    try:
        notifications = parse_notifications(body)
    except MalformedNotification as problem:
        service.stats.refused_malformed += 1
        log.info("webhook_malformed", extra={"reason": str(problem)})
        return _error(
            400, ErrorCode.MALFORMED_NOTIFICATION, f"Not a Business Central notification: {problem}."
        )
    verdict = service.accept(notifications)
    if verdict is Verdict.NOT_GENUINE:
        log.warning("webhook_client_state_refused", extra={"notifications": len(notifications)})
        return _error(
            401,
            ErrorCode.CLIENT_STATE_MISMATCH,
            "The notifications do not carry their subscription's clientState.",
        )
    if verdict is Verdict.BUSY:
        log.warning("webhook_queue_full", extra={"queued": service.inbox.depth})
        return _error(
            503,
            ErrorCode.WEBHOOK_QUEUE_FULL,
            "Too many notifications waiting; send them again later.",
            {"Retry-After": _RETRY_AFTER},
        )
    return Response(status_code=202, headers=_NO_STORE)


async def _body(request: Request, limit: int) -> bytes | None:
    """The body, or ``None`` past ``limit`` bytes (read no further)."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        return None
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


async def _rate_limited(state: GatewayState, request: Request) -> Response | None:
    """Spend one from the client address's bucket (shared with the other unauthenticated paths):
    a 429 when it is empty.  Genuine notifications are never charged."""
    if state.edge is None:
        return None
    address = request.client.host if request.client else "unknown"
    decision = await state.edge.limiter.take(f"ip:{address}", 1, state.edge.settings.ip_rate_limit)
    if decision.allowed:
        return None
    retry = str(decision.retry_after_seconds)
    return _error(429, ErrorCode.RATE_LIMITED, "Too many requests; try again later.", {"Retry-After": retry})


def _error(status: int, code: ErrorCode, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(
        {"error": {"code": code, "message": message}}, status, headers={**_NO_STORE, **(headers or {})}
    )
