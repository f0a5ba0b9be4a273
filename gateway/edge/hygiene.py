"""HTTP hygiene for every response: proxy headers from trusted proxies only, HTTPS in production,
and security headers.

``X-Forwarded-For``/``X-Forwarded-Proto`` are believed only when the direct peer is one of the
configured proxies (otherwise anyone could claim any address or scheme); the client address and
scheme they give replace the peer's in the ASGI scope.  With ``require_https`` (production mode),
a request that did not arrive over HTTPS is refused, except the health probes.  The request id
every answer carries is the access log's (``edge/access.py``); the client address found here is
the one it logs.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway.edge.access import exchange_of
from gateway.edge.responses import graphql_error
from gateway.schema.error_codes import ErrorCode

_Network = ipaddress.IPv4Network | ipaddress.IPv6Network
PROBES = frozenset({"/healthz", "/readyz"})
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "frame-ancestors 'none'",
}
HSTS = "max-age=31536000; includeSubDomains"


def parse_networks(values: Iterable[str]) -> tuple[_Network, ...]:
    """Addresses or CIDR ranges; ``ValueError`` names the first one that is neither."""
    return tuple(ipaddress.ip_network(value.strip(), strict=False) for value in values if value.strip())


class EdgeHygiene:
    def __init__(
        self,
        app: ASGIApp,
        *,
        trusted_proxies: Iterable[str] = (),
        require_https: bool,
        always_hsts: bool = False,
    ) -> None:
        self.app = app
        self.proxies = parse_networks(trusted_proxies)
        self.require_https = require_https
        # Behind a TLS-terminating proxy that is not configured, the public URL still says HTTPS.
        self.always_hsts = always_hsts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            await self._websocket(scope, receive, send)
            return
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        scope = self._forwarded(scope)
        https = scope.get("scheme") == "https"
        if self.require_https and not https and scope.get("path") not in PROBES:
            response = graphql_error(403, ErrorCode.HTTPS_REQUIRED, "This gateway is served over HTTPS only.")
            await response(scope, receive, self._secured(send, https=False))
            return
        await self.app(scope, receive, self._secured(send, https=https or self.always_hsts))

    async def _websocket(self, scope: Scope, receive: Receive, send: Send) -> None:
        """A WebSocket (GraphQL subscriptions) gets the same proxy and HTTPS rules: over plain
        ``ws://`` in production, the handshake is refused (403) before anything else."""
        scope = self._forwarded(scope)
        if self.require_https and scope.get("scheme") != "wss":
            await send(
                {"type": "websocket.close", "code": 1008, "reason": "This gateway is served over HTTPS only."}
            )
            return
        await self.app(scope, receive, send)

    def _forwarded(self, scope: Scope) -> Scope:
        client = scope.get("client")
        if not self.proxies or not client or not self._trusted(client[0]):
            return scope
        headers = {key.decode("latin-1").lower(): value.decode("latin-1") for key, value in scope["headers"]}
        updated = dict(scope)
        proto = headers.get("x-forwarded-proto", "").split(",")[0].strip().lower()
        if proto in ("http", "https"):
            websocket = scope["type"] == "websocket"
            updated["scheme"] = {"http": "ws", "https": "wss"}[proto] if websocket else proto
        hops = [hop.strip() for hop in headers.get("x-forwarded-for", "").split(",") if hop.strip()]
        # The client is the last hop that is not one of our own proxies.
        for hop in reversed(hops):
            if not self._trusted(hop):
                updated["client"] = (hop, 0)
                exchange = exchange_of(scope)
                if exchange is not None:
                    exchange.client = hop
                break
        return updated

    def _trusted(self, address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in network for network in self.proxies)

    @staticmethod
    def _secured(send: Send, *, https: bool) -> Send:
        async def wrapped(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    headers.setdefault(name, value)
                if https:
                    headers.setdefault("Strict-Transport-Security", HSTS)
            await send(message)

        return wrapped
