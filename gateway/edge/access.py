"""One access line per request, the request id on every answer, and the request's record.

The outermost middleware.  It takes the request's ``X-Request-Id`` when it is a plain token (a
proxy's or a client's correlation id) and makes one otherwise, returns it on the answer, and
hands an :class:`Exchange` down the ASGI scope for the edge to fill in: who asked (customer,
company), what ran (each operation's name, type, cost and outcome, and the BC sessions it
used), or which code refused it.  When the answer has gone it writes one line on
``gateway.access`` and records the operations in the metrics.  Neither holds a query string, a
token or a download link's path.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Final

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway.bc import BCSession
from gateway.edge.execution import OperationRun
from gateway.telemetry import Metrics

__all__ = ["EXCHANGE_KEY", "REQUEST_ID_HEADER", "AccessLog", "Exchange", "exchange_of"]

LOGGER: Final = logging.getLogger("gateway.access")
EXCHANGE_KEY: Final = "gateway.exchange"
REQUEST_ID_HEADER: Final = "X-Request-Id"
# Taken from the request only when it can be nothing but an identifier (no spaces, commas, controls).
_REQUEST_ID: Final = re.compile(r"[A-Za-z0-9._:-]{1,128}")
# Polled every few seconds by machines: logged at DEBUG, so they do not drown the requests.
_QUIET_PATHS: Final = frozenset({"/healthz", "/readyz", "/metrics"})
_OUTCOME_RANK: Final = {"ok": 0, "partial": 1, "error": 2}


@dataclass
class Exchange:
    """What the access line says about one request; the edge fills it in as it goes."""

    request_id: str
    client: str | None
    customer: str | None = None
    company: str | None = None
    operations: list[OperationRun] = field(default_factory=list)  # each as it ended
    refused: str | None = None  # the code of a refusal before any operation ran
    sessions: list[BCSession] = field(default_factory=list)  # every BC session the request used

    def used(self, session: BCSession) -> None:
        self.sessions.append(session)

    @property
    def bc_calls(self) -> int:
        return sum(session.request_count for session in self.sessions)

    @property
    def bc_seconds(self) -> float:
        return sum(session.bc_seconds for session in self.sessions)

    def outcome(self) -> str | None:
        if self.refused is not None:
            return "refused"
        outcomes = [op.outcome for op in self.operations]
        return max(outcomes, key=_OUTCOME_RANK.__getitem__) if outcomes else None

    def error_codes(self) -> list[str]:
        codes = {code for op in self.operations for code in op.error_codes}
        return sorted(codes | ({self.refused} if self.refused else set()))


def exchange_of(scope: Scope) -> Exchange | None:
    found = scope.get(EXCHANGE_KEY)
    return found if isinstance(found, Exchange) else None


class AccessLog:
    """``ids`` makes a request id when the request brought none that can be used."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        metrics: Metrics | None = None,
        ids: Callable[[], str] = lambda: uuid.uuid4().hex,
        clock: Callable[[], float] = time.perf_counter,
    ) -> None:
        self.app = app
        self.metrics = metrics
        self.ids = ids
        self.clock = clock

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        client = scope.get("client")
        exchange = Exchange(_sent_request_id(scope) or self.ids(), client[0] if client else None)
        status = 500  # what the client gets when nothing was sent: the server's error page

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                MutableHeaders(scope=message)[REQUEST_ID_HEADER] = exchange.request_id
            await send(message)

        started = self.clock()
        try:
            await self.app({**scope, EXCHANGE_KEY: exchange}, receive, sending)
        finally:
            seconds = self.clock() - started
            self._log(scope, exchange, status, seconds)
            self._record(exchange)

    def _log(self, scope: Scope, exchange: Exchange, status: int, seconds: float) -> None:
        path = loggable_path(scope.get("path", ""))
        level = logging.DEBUG if path in _QUIET_PATHS and status < 500 else logging.INFO
        if not LOGGER.isEnabledFor(level):
            return  # nobody reads the line: it is not put together
        operations = exchange.operations
        line: dict[str, Any] = {
            "request_id": exchange.request_id,
            "method": scope.get("method"),
            "path": path,
            "status": status,
            "duration_ms": round(seconds * 1000, 1),
            "client": exchange.client,
            "customer": exchange.customer,
            "company": exchange.company,
            "operation": ",".join(op.name or "anonymous" for op in operations) or None,
            "operation_type": ",".join(op.operation_type for op in operations) or None,
            "outcome": exchange.outcome(),
            "error_codes": exchange.error_codes(),
            "cost": sum(op.cost for op in operations) if operations else None,
            "bc_calls": exchange.bc_calls,
            "bc_ms": round(exchange.bc_seconds * 1000, 1),
        }
        LOGGER.log(level, "request", extra={"access": line})

    def _record(self, exchange: Exchange) -> None:
        if self.metrics is None:
            return
        if exchange.refused is not None:
            self.metrics.record_refusal(exchange.refused)
        for op in exchange.operations:
            self.metrics.record_operation(op.name, op.operation_type, op.outcome, op.seconds, op.error_codes)


def loggable_path(path: str) -> str:
    """The request's path, without what must not be logged: a download link's signed token."""
    if path.startswith("/documents/"):
        return "/documents/{token}"
    return path[:200]


def _sent_request_id(scope: Scope) -> str | None:
    wanted = REQUEST_ID_HEADER.lower().encode("latin-1")
    for key, value in scope["headers"]:
        if key.lower() == wanted:
            text = value.decode("latin-1")
            return text if _REQUEST_ID.fullmatch(text) else None
    return None
