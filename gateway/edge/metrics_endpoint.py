"""``/metrics`` in Prometheus's text format: behind a bearer token, or on a port of its own.

- ``GATEWAY_METRICS_TOKEN``: ``GET /metrics`` on the gateway's port, answered only with
  ``Authorization: Bearer <token>`` (compared in constant time); 401 otherwise.
- ``GATEWAY_METRICS_PORT``: a separate listener (``gateway.telemetry.MetricsListener``) that
  serves the metrics unauthenticated, for a network only Prometheus reaches.
- Neither, in production: no ``/metrics``.  In development it is open on the gateway's port.
"""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from starlette.requests import Request
from starlette.responses import Response

from gateway.edge.responses import graphql_error
from gateway.schema.error_codes import ErrorCode
from gateway.telemetry import CONTENT_TYPE, Metrics

__all__ = ["MetricsSettings", "metrics_endpoint"]


@dataclass(frozen=True)
class MetricsSettings:
    token: bytes | None = field(default=None, repr=False)  # a bearer token for /metrics
    port: int | None = None  # a separate, unauthenticated listener
    host: str | None = None  # where that listener binds; None: the gateway's own address


def metrics_endpoint(metrics: Metrics, token: bytes | None) -> Callable[[Request], Awaitable[Response]]:
    """``GET /metrics``; with ``token``, only for a request that presents it."""

    async def endpoint(request: Request) -> Response:
        if token is not None and not _presents(request, token):
            return graphql_error(
                401,
                ErrorCode.UNAUTHENTICATED,
                "The metrics need the metrics bearer token.",
                headers={"WWW-Authenticate": 'Bearer realm="metrics"'},
            )
        return Response(metrics.render(), media_type=CONTENT_TYPE)

    return endpoint


def _presents(request: Request, token: bytes) -> bool:
    scheme, _, sent = request.headers.get("authorization", "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(sent.strip().encode(), token)
