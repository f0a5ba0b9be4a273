"""``/graphql``: authentication first, then the checked operations, executed with a Context each.

A request without a valid bearer token is answered 401 with a GraphQL-shaped body (in the media
type the client negotiated) before any resolver runs, so it can never cause a BC request.
GraphiQL itself (a browser GET without a query) is served without a token; the developer pastes
one into its headers.  A WebSocket is a GraphQL subscription (``gateway/edge/live/``,
docs/subscriptions.md), authenticated by its ``connection_init``; a subscription sent over HTTP is
refused.

The whole way of an operation is :meth:`AuthenticatedGraphQL._guarded`: read, authenticate,
check (parse and validate once, limits), rate-limit, execute (``edge/execution.py``), answer.
Who asked and each operation's run go into the request's :class:`~gateway.edge.access.Exchange`,
which the access line is written from; a refusal's code goes there too.
"""

from __future__ import annotations

import json
import logging
import uuid

import strawberry
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket

from gateway.auth import AuthError, Identity, Membership, bearer_token
from gateway.bc import InvalidScope
from gateway.edge.access import Exchange, exchange_of
from gateway.edge.contexts import customer_context
from gateway.edge.execution import KeptResponses, cache_control, respond, run_operation
from gateway.edge.graphiql import graphiql_page
from gateway.edge.incoming import Refused, read_operations
from gateway.edge.live import LiveConnection
from gateway.edge.response_cache import requester_of
from gateway.edge.responses import GRAPHQL_RESPONSE, JSON, negotiate
from gateway.edge.state import EdgeGuards, GatewayState, gateway_state
from gateway.resolvers.context import Context
from gateway.schema.error_codes import ErrorCode
from gateway.telemetry import NO_TRACER

log = logging.getLogger("gateway.edge")

COMPANY_HEADER = "x-bc-company"
IDEMPOTENCY_HEADER = "idempotency-key"
NO_SUBSCRIPTIONS = (
    "Subscriptions (GraphQL over WebSocket) are not available on this gateway; "
    "send queries and mutations with GET or POST."
)
OVER_WEBSOCKET = "Subscriptions run over WebSocket (graphql-transport-ws) on /graphql, not over HTTP."
# RFC 6455 §7.4.1: the endpoint refuses a message (here: a connection) that violates its policy.
_POLICY_VIOLATION = 1008


def build_context(
    state: GatewayState,
    request: Request,
    identity: Identity,
    membership: Membership,
    exchange: Exchange,
    operation: str | None,
) -> Context:
    """One operation's Context (``edge/contexts.py``), its BC session named after the operation and
    the request (every BC call's and write's audit record carries both) and counted in the
    request's access line."""
    context = customer_context(
        state,
        identity,
        membership,
        base_url=str(request.base_url),
        operation=operation,
        request_id=exchange.request_id or None,
        idempotency_key=request.headers.get(IDEMPOTENCY_HEADER),
    )
    exchange.used(context.bc)
    return context


class AuthenticatedGraphQL:
    """ASGI app of ``/graphql``: verify the bearer token, check, then execute on ``schema``."""

    def __init__(self, schema: strawberry.Schema, *, graphiql: bool) -> None:
        self.schema = schema
        self.graphiql = graphiql

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            await self._websocket(WebSocket(scope, receive, send))
            return
        request = Request(scope, receive)
        if scope["type"] != "http":
            await _refused(405, ErrorCode.METHOD_NOT_ALLOWED, "GraphQL is served over HTTP only")(
                scope, receive, send
            )
            return
        if request.headers.get("upgrade", "").strip().lower() == "websocket":
            # The server does not speak WebSocket and passed the handshake on as a plain GET.
            await _refused(400, ErrorCode.SUBSCRIPTIONS_NOT_AVAILABLE, NO_SUBSCRIPTIONS)(scope, receive, send)
            return
        if self.graphiql and _is_graphiql_page(request):
            await HTMLResponse(graphiql_page())(scope, receive, send)
            return
        state = gateway_state(request)
        if state.edge is None:  # pragma: no cover - create_app always builds the guards
            raise RuntimeError("the edge guards are not configured")
        exchange = exchange_of(scope) or Exchange(request_id="", client=None)
        try:
            await self._guarded(request, state, state.edge, exchange, send)
        except Refused as refused:
            exchange.refused = _refusal_code(refused.response)
            await refused.response(scope, receive, send)

    async def _websocket(self, websocket: WebSocket) -> None:
        """GraphQL subscriptions (gateway/edge/live/); without them, closed before accepting."""
        state = gateway_state(websocket)
        if state.live is None or state.edge is None:
            await websocket.close(code=_POLICY_VIOLATION, reason=NO_SUBSCRIPTIONS)
            return
        await LiveConnection(websocket, state, state.edge, state.live).serve()

    async def _guarded(
        self, request: Request, state: GatewayState, edge: EdgeGuards, exchange: Exchange, send: Send
    ) -> None:
        """HTTP checks, then the token, then the operation checks and the rate limit: every
        refusal happens before execution, so it costs no BC request."""
        media_type = negotiate(request.headers.get("accept"))
        if media_type is None:
            raise Refused(_refused(406, ErrorCode.NOT_ACCEPTABLE, f"Accept {JSON} or {GRAPHQL_RESPONSE}."))
        incoming = await read_operations(
            request,
            max_body_bytes=edge.settings.max_body_bytes,
            batch_limit=edge.settings.batch_limit,
            media_type=media_type,
        )
        try:
            identity = await state.validator.validate(bearer_token(request.headers.get("authorization")))
            membership = identity.membership_for(_requested_company(request))
        except AuthError as error:
            await _limit(state, f"ip:{_client_address(request)}", 1, media_type, anonymous=True)
            raise Refused(_unauthenticated(error, media_type)) from None
        except (InvalidScope, ValueError):
            raise Refused(_bad_company(media_type)) from None
        exchange.customer, exchange.company = membership.customer_number, str(membership.company_id)
        checked = [
            await edge.gate.check(operation, method=request.method, media_type=media_type)
            for operation in incoming.operations
        ]
        if any(operation.operation_type == "subscription" for operation in checked):
            raise Refused(_refused(400, ErrorCode.SUBSCRIPTIONS_NOT_AVAILABLE, OVER_WEBSOCKET, media_type))
        await _limit(
            state,
            f"customer:{membership.company_id}:{membership.customer_number}",
            sum(operation.cost for operation in checked),
            media_type,
        )

        def context_for(operation: str | None) -> Context:
            return build_context(state, request, identity, membership, exchange, operation)

        tracer = state.telemetry.tracer if state.telemetry is not None else NO_TRACER
        incoming_headers = dict(request.headers)  # the caller's trace context, if any
        responses = None
        if state.responses is not None:
            requester = requester_of(
                identity, membership, base_url=str(request.base_url), today=state.today()
            )
            responses = KeptResponses(state.responses, requester)
        for operation in checked:
            run = await run_operation(
                self.schema,
                operation,
                context_for,
                production=edge.production,
                tracer=tracer,
                incoming=incoming_headers,
                responses=responses,
            )
            exchange.operations.append(run)  # the access line and the metrics read it
        cache = cache_control(request.method, edge.settings.get_max_age_seconds)
        response = respond(exchange.operations, batch=incoming.batch, media_type=media_type, cache=cache)
        await response(request.scope, request.receive, send)


def _refusal_code(response: Response) -> str:
    """The ``extensions.code`` of a refusal's GraphQL-shaped body (small: read back, not kept)."""
    try:
        return str(json.loads(bytes(response.body))["errors"][0]["extensions"]["code"])
    except (ValueError, KeyError, IndexError, TypeError):
        return f"HTTP_{response.status_code}"


async def _limit(
    state: GatewayState, key: str, cost: int, media_type: str, *, anonymous: bool = False
) -> None:
    edge = state.edge
    if edge is None:  # pragma: no cover - create_app always builds the guards
        raise RuntimeError("the edge guards are not configured")
    limit = edge.settings.ip_rate_limit if anonymous else edge.settings.rate_limit
    decision = await edge.limiter.take(key, cost, limit)
    if not decision.allowed:
        log.warning("rate_limited", extra={"rate_limit_key": key, "cost": cost})
        if state.telemetry is not None:
            state.telemetry.metrics.record_rate_limited("address" if anonymous else "customer")
        message = "Too many requests; try again later."
        extensions = {"code": ErrorCode.RATE_LIMITED, "retryAfter": decision.retry_after_seconds}
        raise Refused(
            JSONResponse(
                {"data": None, "errors": [{"message": message, "extensions": extensions}]},
                429,
                headers={"Retry-After": str(decision.retry_after_seconds)},
                media_type=media_type,
            )
        )


def _client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _requested_company(request: Request) -> uuid.UUID | None:
    raw = request.headers.get(COMPANY_HEADER)
    return uuid.UUID(raw) if raw else None


def _is_graphiql_page(request: Request) -> bool:
    return (
        request.method == "GET"
        and "text/html" in request.headers.get("accept", "")
        and "query" not in request.query_params
    )


_CODES = {401: ErrorCode.UNAUTHENTICATED, 403: ErrorCode.FORBIDDEN, 503: ErrorCode.AUTH_UNAVAILABLE}


def _unauthenticated(error: AuthError, media_type: str) -> Response:
    log.info("auth_rejected", extra={"reason": error.reason})
    status = error.status_code if error.status_code in _CODES else 401
    headers = {"WWW-Authenticate": 'Bearer error="invalid_token"'} if status == 401 else {}
    return _refused(status, _CODES[status], str(error), media_type, headers)


def _bad_company(media_type: str) -> Response:
    return _refused(400, ErrorCode.BAD_REQUEST, f"{COMPANY_HEADER} must be a company id (GUID)", media_type)


def _refused(
    status: int, code: ErrorCode, message: str, media_type: str = JSON, headers: dict[str, str] | None = None
) -> Response:
    body = {"data": None, "errors": [{"message": message, "extensions": {"code": code}}]}
    return JSONResponse(body, status, headers=headers, media_type=media_type)
