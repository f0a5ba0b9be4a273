"""One WebSocket on ``/graphql``: the ``graphql-transport-ws`` conversation with one client.

1. The upgrade: a browser's ``Origin`` must be this gateway's own or one of ``GATEWAY_CORS_ORIGINS``,
   and the client must offer the ``graphql-transport-ws`` subprotocol; otherwise the handshake is
   refused (403) before anything else.
2. ``connection_init`` within ``init_seconds`` (else ``4408``), carrying the bearer token —
   ``{"Authorization": "Bearer …"}``, or the upgrade request's ``Authorization`` header — and
   optionally ``X-BC-Company``.  A missing or invalid token closes the socket with ``4403``; a
   customer holding as many sockets as allowed, ``4429``.  Then ``connection_ack``.
3. ``subscribe`` runs the edge's document checks (length, tokens, depth, cost, persisted queries
   and safelist, validation), the customer's rate limit and subscription limit, and then the
   subscription (``operation.LiveOperation``); a refusal is the protocol's ``error`` message.
4. The server pings every ``ping_seconds``; a client that has not answered by the next ping is
   gone (``1001``).  The token's expiry closes the socket (``4403``) unless the client sent a
   fresh token first, as the payload of a ``ping``: ``{"Authorization": "Bearer …"}`` for the
   same person and customer, answered by a ``pong`` carrying ``{"expiresAt": …}``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import uuid
from typing import Any
from urllib.parse import urlsplit

from starlette.websockets import WebSocket, WebSocketDisconnect

from gateway.auth import AuthError, Identity, Membership, bearer_token
from gateway.edge.contexts import customer_context
from gateway.edge.incoming import Refused, operation_params
from gateway.edge.live.feed import Feed
from gateway.edge.live.operation import LiveOperation
from gateway.edge.live.protocol import (
    SUBPROTOCOL,
    Close,
    Complete,
    ConnectionInit,
    Message,
    Ping,
    Pong,
    ProtocolViolation,
    Subscribe,
    encode,
    read_message,
)
from gateway.edge.live.quota import Place, Pool
from gateway.edge.live.service import Live
from gateway.edge.responses import JSON
from gateway.edge.state import EdgeGuards, GatewayState
from gateway.resolvers.context import Context
from gateway.schema.error_codes import ErrorCode

log = logging.getLogger("gateway.edge.live")

AUTHORIZATION = "Authorization"
COMPANY = "X-BC-Company"


class Rejected(Exception):
    """A ``subscribe`` that may not run: answered with the protocol's ``error`` message."""

    def __init__(self, errors: list[dict[str, Any]]) -> None:
        super().__init__(errors[0].get("message") if errors else "refused")
        self.errors = errors


class LiveConnection:
    def __init__(self, websocket: WebSocket, state: GatewayState, edge: EdgeGuards, live: Live) -> None:
        self._ws = websocket
        self._state = state
        self._edge = edge
        self._live = live
        self._settings = live.settings
        self._identity: Identity | None = None
        self._membership: Membership | None = None
        self._init_received = False
        self._expires: float | None = None  # on live.clock: when the token runs out
        self._awaiting_pong = False
        self._closed = False
        self._place: Place | None = None
        self._operations: dict[str, tuple[asyncio.Task[None], Place]] = {}

    async def serve(self) -> None:
        refusal = self._refusal()
        if refusal is not None:
            self._live.stats.refused_handshakes += 1
            log.info("live_refused", extra={"reason": refusal})
            await self._ws.close(code=1008, reason=refusal)  # before accept: the handshake fails (403)
            return
        await self._ws.accept(subprotocol=SUBPROTOCOL)
        self._live.stats.connections_open += 1
        heartbeat = asyncio.create_task(self._heartbeat(self._live.clock() + self._settings.init_seconds))
        try:
            await self._read()
        finally:
            heartbeat.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await heartbeat
            await self._end()
            self._live.stats.connections_open -= 1

    def _refusal(self) -> str | None:
        if SUBPROTOCOL not in self._ws.scope.get("subprotocols", []):
            return f"the {SUBPROTOCOL} subprotocol is required"
        origin = self._ws.headers.get("origin")
        if origin is None or origin in self._edge.settings.cors_origins:
            return None  # not a browser (no Origin), or an origin allowed to call from one
        if urlsplit(origin).netloc.lower() == self._ws.headers.get("host", "").lower():
            return None
        return "this origin may not open a WebSocket here (GATEWAY_CORS_ORIGINS)"

    async def _read(self) -> None:
        while True:
            message = await self._ws.receive()
            if message["type"] == "websocket.disconnect":
                return
            if self._closed:
                continue
            text = message.get("text")
            try:
                if text is None:
                    raise ProtocolViolation("Messages are JSON text")
                if len(text) > self._edge.settings.max_body_bytes:
                    raise ProtocolViolation("The message is too large", Close.TOO_BIG)
                await self._handle(read_message(text))
            except ProtocolViolation as violation:
                await self._close(violation.code, str(violation))

    async def _handle(self, message: Message) -> None:
        if isinstance(message, ConnectionInit):
            await self._connection_init(message.payload)
        elif isinstance(message, Ping):
            await self._ping(message.payload)
        elif isinstance(message, Pong):
            self._awaiting_pong = False
        elif isinstance(message, Subscribe):
            await self._subscribe(message)
        elif isinstance(message, Complete):
            self._stop(message.id)

    async def _connection_init(self, payload: dict[str, Any]) -> None:
        if self._init_received:
            raise ProtocolViolation("Too many initialisation requests", Close.TOO_MANY)
        self._init_received = True
        company = _company(payload, self._ws)
        identity, membership = await self._authenticate(payload, company=company, header=True)
        place = await self._live.quota.take(
            Pool.CONNECTIONS, membership.company_id, membership.customer_number
        )
        if place is None:
            raise ProtocolViolation("Too many connections for this customer", Close.TOO_MANY)
        self._place = place
        self._trust(identity, membership)
        await self._send({"type": "connection_ack", "payload": self._expiry_payload()})

    async def _ping(self, payload: dict[str, Any]) -> None:
        if AUTHORIZATION in payload and self._membership is not None:
            company = self._membership.company_id
            identity, membership = await self._authenticate(payload, company=company, header=False)
            if self._identity is None or identity.key != self._identity.key or membership != self._membership:
                raise ProtocolViolation("Forbidden: the new token is another customer's", Close.FORBIDDEN)
            self._trust(identity, membership)
            self._live.stats.refreshed += 1
            await self._send({"type": "pong", "payload": self._expiry_payload()})
            return
        await self._send({"type": "pong"})

    async def _authenticate(
        self, payload: dict[str, Any], *, company: uuid.UUID | None, header: bool
    ) -> tuple[Identity, Membership]:
        """The identity the payload's token proves (at ``connection_init``, ``header``: or the
        upgrade request's ``Authorization``), or the socket is closed."""
        raw = payload.get(AUTHORIZATION, payload.get(AUTHORIZATION.lower()))
        if raw is None and header:
            raw = self._ws.headers.get("authorization")
        try:
            identity = await self._state.validator.validate(
                bearer_token(raw if isinstance(raw, str) else None)
            )
            return identity, identity.membership_for(company)
        except AuthError as error:
            self._live.stats.refused_tokens += 1
            log.info("live_auth_rejected", extra={"reason": error.reason})
            if error.status_code == 503:
                raise ProtocolViolation(
                    "The identity provider cannot be reached", Close.TRY_AGAIN_LATER
                ) from None
            raise ProtocolViolation(f"Forbidden: {error}", Close.FORBIDDEN) from None

    def _trust(self, identity: Identity, membership: Membership) -> None:
        self._identity, self._membership = identity, membership
        expires_at = identity.expires_at
        if expires_at is None:
            self._expires = None
            return
        remaining = expires_at + self._live.leeway_seconds - self._live.token_clock()
        self._expires = self._live.clock() + remaining

    def _expiry_payload(self) -> dict[str, Any]:
        expires_at = self._identity.expires_at if self._identity is not None else None
        return {"expiresAt": expires_at} if expires_at is not None else {}

    async def _subscribe(self, message: Subscribe) -> None:
        identity, membership = self._identity, self._membership
        if identity is None or membership is None:
            raise ProtocolViolation("Unauthorized", Close.UNAUTHORIZED)
        if message.id in self._operations:
            raise ProtocolViolation(f"Subscriber for {message.id} already exists", Close.SUBSCRIBER_EXISTS)
        try:
            operation, place = await self._admitted(message, membership)
        except Rejected as rejected:
            await self._send({"id": message.id, "type": "error", "payload": rejected.errors})
            return
        task = asyncio.create_task(self._run(operation, place), name=f"live-operation-{message.id}")
        self._operations[message.id] = (task, place)

    async def _admitted(self, message: Subscribe, membership: Membership) -> tuple[LiveOperation, Place]:
        """The operation, checked and counted: or :class:`Rejected` saying why it may not run."""
        try:
            params = operation_params(message.payload)
            checked = await self._edge.gate.check(params, method="POST", media_type=JSON)
        except Refused as refused:
            raise Rejected(_errors_of(refused)) from None
        if checked.operation_type != "subscription":
            only = "Only subscriptions run over WebSocket; POST queries and mutations."
            raise Rejected(_error(ErrorCode.BAD_REQUEST, only))
        # The gate's parsed document: one object for every subscription that sends the same text.
        document = checked.document
        await self._spend(membership, checked.cost)
        place = await self._take_operation_place(membership)
        feed = Feed(
            membership.company_id,
            membership.customer_number,
            self._event_context,
            queue_size=self._settings.queue_size,
        )
        context = self._context(live=feed)
        live_operation = LiveOperation(
            message.id,
            self._live.schema,
            document,
            variables=params.variables,
            operation_name=params.operation_name,
            context=context,
            feed=feed,
            send=self._send,
            hide_suggestions=self._edge.production,
        )
        return live_operation, place

    async def _spend(self, membership: Membership, cost: int) -> None:
        key = f"customer:{membership.company_id}:{membership.customer_number}"
        decision = await self._edge.limiter.take(key, cost, self._edge.settings.rate_limit)
        if not decision.allowed:
            extensions = {"retryAfter": decision.retry_after_seconds}
            raise Rejected(_error(ErrorCode.RATE_LIMITED, "Too many requests; try again later.", extensions))

    async def _take_operation_place(self, membership: Membership) -> Place:
        if len(self._operations) < self._settings.max_operations:
            place = await self._live.quota.take(
                Pool.OPERATIONS, membership.company_id, membership.customer_number
            )
            if place is not None:
                return place
        message = f"A customer may run at most {self._settings.max_operations} subscriptions at once."
        raise Rejected(_error(ErrorCode.SUBSCRIPTION_LIMIT, message))

    async def _take(self, pool: Pool, membership: Membership) -> Place | None:
        return await self._live.quota.take(pool, membership.company_id, membership.customer_number)

    async def _run(self, operation: LiveOperation, place: Place) -> None:
        feed = operation.feed
        self._live.hub.join(feed)
        try:
            await operation.run()
        finally:
            self._live.hub.leave(feed)
            self._operations.pop(operation.id, None)
            await self._live.quota.release(place)

    def _stop(self, operation_id: str) -> None:
        running = self._operations.pop(operation_id, None)
        if running is not None:
            running[0].cancel()

    def _context(self, *, live: Feed | None = None) -> Context:
        if self._identity is None or self._membership is None:  # pragma: no cover - after the ack only
            raise RuntimeError("no identity yet")
        base_url = "http" + str(self._ws.base_url).removeprefix("ws")  # ws → http, wss → https
        return customer_context(
            self._state,
            self._identity,
            self._membership,
            base_url=base_url,
            live=live,
            fresh=True,
        )

    def _event_context(self) -> Context:
        return self._context()

    async def _heartbeat(self, init_deadline: float) -> None:
        """Pings, the connection_init timeout and the token's expiry, on the injected clock."""
        ping_every = self._settings.ping_seconds
        next_ping = self._live.clock() + ping_every
        while not self._closed:
            now = self._live.clock()
            if not self._init_received and now >= init_deadline:
                await self._close(Close.INIT_TIMEOUT, "Connection initialisation timeout")
                return
            if self._expires is not None and now >= self._expires:
                await self._close(Close.FORBIDDEN, "Forbidden: the token expired")
                return
            if self._identity is not None and now >= next_ping:
                if self._awaiting_pong:
                    await self._close(Close.GOING_AWAY, "No pong to the last ping")
                    return
                self._awaiting_pong = True
                next_ping = now + ping_every
                await self._send({"type": "ping"})
                await self._renew_places()
            deadlines = [next_ping if self._identity is not None else init_deadline]
            if self._expires is not None:
                deadlines.append(self._expires)
            await self._live.sleep(max(min(deadlines) - now, 0.0))

    async def _renew_places(self) -> None:
        places = [place for _, place in self._operations.values()]
        for place in [self._place, *places]:
            if place is not None:
                await self._live.quota.renew(place)

    async def _send(self, message: dict[str, Any]) -> None:
        if self._closed:
            return
        try:
            await self._ws.send_text(encode(message))
        except (WebSocketDisconnect, RuntimeError, OSError):
            self._closed = True  # the client is gone; the read loop sees the disconnect
        else:
            if message["type"] == "next":
                self._live.stats.events_sent += 1

    async def _close(self, code: Close, reason: str) -> None:
        if self._closed:
            return
        self._closed = True
        log.info("live_closed", extra={"close_code": int(code), "reason": reason})
        with contextlib.suppress(WebSocketDisconnect, RuntimeError, OSError):
            await self._ws.close(code=int(code), reason=reason[:120])

    async def _end(self) -> None:
        running = list(self._operations.values())
        self._operations.clear()
        for task, _ in running:
            task.cancel()
        for task, _ in running:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self._place is not None:
            await self._live.quota.release(self._place)


def _company(payload: dict[str, Any], websocket: WebSocket) -> uuid.UUID | None:
    raw = payload.get(COMPANY, payload.get(COMPANY.lower())) or websocket.headers.get(COMPANY.lower())
    if raw is None:
        return None
    try:
        return uuid.UUID(str(raw))
    except ValueError:
        raise ProtocolViolation(f"Forbidden: {COMPANY} must be a company id", Close.FORBIDDEN) from None


def _errors_of(refused: Refused) -> list[dict[str, Any]]:
    """The GraphQL errors of the edge's HTTP refusal, as the protocol's ``error`` payload."""
    body = json.loads(bytes(refused.response.body))
    errors: list[dict[str, Any]] = body.get("errors") or []
    return errors


def _error(code: ErrorCode, message: str, extensions: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    return [{"message": message, "extensions": {"code": code, **(extensions or {})}}]
