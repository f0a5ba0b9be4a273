"""Long-lived things the HTTP edge needs, opened in the lifespan, reached through one accessor."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Literal

from starlette.applications import Starlette
from starlette.requests import HTTPConnection

from gateway.auth import DevIdentityProvider, TokenValidator
from gateway.bc import BCClient
from gateway.edge.companies import LocalCurrencies
from gateway.edge.company_names import CompanyNames
from gateway.edge.config import EdgeSettings
from gateway.edge.gate import Gate
from gateway.edge.ratelimit import RateLimiter
from gateway.edge.response_cache import ResponseCache
from gateway.edge.shutdown import Shutdown
from gateway.edge.store_probe import StoreProbe
from gateway.edge.telemetry import EdgeTelemetry
from gateway.resolvers.context import PortalPolicy, Writes
from gateway.resolvers.document_links import DocumentSigner
from gateway.webhooks import ChangePollService, WebhookService

if TYPE_CHECKING:
    from gateway.edge.live import Live


@dataclass(frozen=True)
class EdgeGuards:
    """The HTTP edge's protections for ``/graphql``, built once by ``create_app``."""

    settings: EdgeSettings
    gate: Gate
    limiter: RateLimiter
    production: bool


@dataclass(frozen=True)
class GatewayState:
    bc: BCClient
    validator: TokenValidator
    currencies: LocalCurrencies
    policy: PortalPolicy
    today: Callable[[], date]
    default_company_id: object | None = None
    dev_identity: DevIdentityProvider | None = None
    edge: EdgeGuards | None = None
    mode: Literal["development", "production"] = "development"
    writes: Writes | None = None  # write policy and idempotency keys, one store per app
    # Signs and verifies /documents links; BC's company names for the ``companies`` query.
    documents: DocumentSigner | None = None
    company_names: CompanyNames | None = None
    # The shared store (Redis, or in process) and its cached ping for /readyz.
    store: StoreProbe | None = None
    # Metrics and traces (``/metrics``, OpenTelemetry).
    telemetry: EdgeTelemetry | None = None
    # BC's webhooks (docs/webhooks.md); None when they are off.
    webhooks: WebhookService | None = None
    # BC's changes polled while webhooks are off (docs/changes.md); None otherwise.
    changes: ChangePollService | None = None
    # GraphQL subscriptions over WebSocket (docs/subscriptions.md); None when they are off.
    live: Live | None = None
    # Whole responses to queries (docs/caching.md); None when caching is off.
    responses: ResponseCache | None = None
    # Set on SIGTERM: /readyz answers 503 while the requests in flight finish.
    shutdown: Shutdown = field(default_factory=Shutdown)


def gateway_state(source: Starlette | HTTPConnection) -> GatewayState:
    """The state ``create_app``'s lifespan opened.  Fails loudly if it is not open."""
    app = source if isinstance(source, Starlette) else source.app
    state = getattr(app.state, "gateway", None)
    if not isinstance(state, GatewayState):
        raise RuntimeError("the gateway's lifespan has not started")
    return state
