"""``GET /documents/{token}``: download one document a signed link names (docs/documents.md).

In order, each check before any BC request it guards: the token's signature and expiry (403),
the caller's bearer token (401), that the bearer token names the link's company and customer
(403).  Then the document's header is re-read through that customer's scope (404 if it is not,
or no longer, theirs) and only then its media stream is fetched — a path built from the link's
GUIDs and a fixed table, never from the request.
"""

from __future__ import annotations

import logging

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from gateway.auth import AuthError, bearer_token
from gateway.bc import BCError, BCNotFound, CapabilityUnavailable
from gateway.edge.access import exchange_of
from gateway.edge.state import GatewayState, gateway_state
from gateway.resolvers.document_links import InvalidLink
from gateway.resolvers.downloads import download
from gateway.schema.error_codes import ErrorCode

log = logging.getLogger("gateway.documents")

_NO_STORE = {"Cache-Control": "private, no-store"}
# A download costs BC two requests (ownership, then the stream): weighed like a small page.
DOWNLOAD_COST = 10


def _error(status: int, code: ErrorCode, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    body = {"error": {"code": code, "message": message}}
    return JSONResponse(body, status, headers={**_NO_STORE, **(headers or {})})


async def _rate_limited(
    state: GatewayState, key: str, cost: int, *, anonymous: bool = False
) -> Response | None:
    """The edge's rate limits (the same buckets as ``/graphql``): per customer for downloads,
    per client address for refused links, so guessing tokens is as slow as guessing passwords."""
    if state.edge is None:
        return None
    limit = state.edge.settings.ip_rate_limit if anonymous else state.edge.settings.rate_limit
    decision = await state.edge.limiter.take(key, cost, limit)
    if decision.allowed:
        return None
    if state.telemetry is not None:
        state.telemetry.metrics.record_rate_limited("address" if anonymous else "customer")
    retry = str(decision.retry_after_seconds)
    return _error(429, ErrorCode.RATE_LIMITED, "Too many requests; try again later.", {"Retry-After": retry})


async def _refused(state: GatewayState, request: Request, response: Response) -> Response:
    address = request.client.host if request.client else "unknown"
    limited = await _rate_limited(state, f"ip:{address}", 1, anonymous=True)
    return limited if limited is not None else response


async def documents_endpoint(request: Request) -> Response:
    state = gateway_state(request)
    if state.documents is None:  # pragma: no cover - create_app always sets the signer
        return _error(404, ErrorCode.NOT_FOUND, "Downloads are not offered here.")
    try:
        link = state.documents.verify(request.path_params["token"])
    except InvalidLink as refused:
        log.info("document_link_refused", extra={"reason": refused.reason})
        return await _refused(
            state, request, _error(403, ErrorCode.FORBIDDEN, "This download link is invalid or has expired.")
        )
    try:
        identity = await state.validator.validate(bearer_token(request.headers.get("authorization")))
    except AuthError as error:
        log.info("document_auth_rejected", extra={"reason": error.reason})
        status = error.status_code if error.status_code in (401, 403, 503) else 401
        return await _refused(
            state,
            request,
            _error(status, ErrorCode.UNAUTHENTICATED, str(error), {"WWW-Authenticate": "Bearer"}),
        )
    if not any(
        m.company_id == link.company_id and m.customer_number == link.customer_number
        for m in identity.memberships
    ):
        log.warning("document_link_other_customer", extra={"kind": link.kind.value})
        return await _refused(
            state, request, _error(403, ErrorCode.FORBIDDEN, "This download link was issued to someone else.")
        )
    limited = await _rate_limited(state, f"customer:{link.company_id}:{link.customer_number}", DOWNLOAD_COST)
    if limited is not None:
        return limited
    exchange = exchange_of(request.scope)
    session = state.bc.session(
        link.scope,
        operation=f"document:{link.kind.name.lower()}",
        request_id=exchange.request_id if exchange is not None else None,
    )
    session.read_fresh()  # ownership is proved on what BC holds now, never on a kept answer
    if exchange is not None:
        exchange.customer, exchange.company = link.customer_number, str(link.company_id)
        exchange.used(session)
    try:
        found = await download(session, link)
    except (BCNotFound, CapabilityUnavailable):
        found = None
    except BCError as error:
        log.warning("document_bc_error", extra={"bc_code": error.code})
        return _error(
            502, ErrorCode.BC_UNAVAILABLE, "Business Central could not provide the document; try again."
        )
    if found is None:
        return _error(404, ErrorCode.NOT_FOUND, "No such document.")
    return Response(
        found.content,
        media_type=found.content_type,
        headers={
            "Content-Disposition": f'attachment; filename="{found.file_name}"',
            "X-Content-Type-Options": "nosniff",
            **_NO_STORE,
        },
    )
