"""``Settings``: everything ``create_app`` needs, as typed objects (tests build them directly)."""

from __future__ import annotations

import ssl
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from gateway.auth import AuthSettings
from gateway.bc import BCSettings, CacheSettings, ResilienceSettings
from gateway.edge.config import EdgeSettings
from gateway.edge.live.settings import LiveSettings
from gateway.edge.metrics_endpoint import MetricsSettings
from gateway.edge.portal import WebPortalSettings
from gateway.resolvers.context import PortalPolicy, WritePolicy
from gateway.store import StoreSettings
from gateway.telemetry import LogSettings, TracingSettings
from gateway.webhooks import ChangePollSettings, WebhookSettings

from ._declare import Mode
from ._variables import (
    ACCESS_TOKEN_TTL_SECONDS,
    DOCUMENT_TTL_SECONDS,
    GRAPHIQL,
    HOST,
    PORT,
    SANDBOX_LONG_HISTORIES,
    SANDBOX_NOTIFICATION_DELAY_SECONDS,
    SANDBOX_SCALE,
    SANDBOX_SEED,
    SANDBOX_STAFF_EVERY_SECONDS,
    SHUTDOWN_DRAIN_SECONDS,
    SHUTDOWN_GRACE_SECONDS,
)


@dataclass(frozen=True)
class ServeSettings:
    """How ``bc-gateway serve`` serves: TLS it terminates itself (``None``: plain HTTP), and how it
    stops — readiness false for ``drain_seconds``, then ``grace_seconds`` for requests in flight."""

    tls: ssl.SSLContext | None = field(default=None, compare=False)
    drain_seconds: float = SHUTDOWN_DRAIN_SECONDS.default
    grace_seconds: int = SHUTDOWN_GRACE_SECONDS.default


@dataclass(frozen=True)
class SandboxSettings:
    """The embedded Business Central used when no real BC is configured."""

    seed: int = SANDBOX_SEED.default
    scale: float = SANDBOX_SCALE.default
    # Where development mode keeps its identity provider's signing key and sign-in sessions, so
    # tokens outlive a restart; None: in memory only (tests).
    data_dir: Path | None = None
    # How long the development identity provider's code-flow access tokens live.
    access_token_ttl_seconds: int = ACCESS_TOKEN_TTL_SECONDS.default
    # How long the sandbox waits before it sends a webhook notification (BC: 30 s).
    notification_delay_seconds: float = SANDBOX_NOTIFICATION_DELAY_SECONDS.default
    # The staff simulator does something every this many seconds; 0: only on demand.
    staff_every_seconds: float = SANDBOX_STAFF_EVERY_SECONDS.default
    # Customers with long order histories added to the demo world (SANDBOX_LONG_HISTORIES).
    long_histories: tuple[int, ...] = SANDBOX_LONG_HISTORIES.default


@dataclass(frozen=True)
class Settings:
    """Everything ``create_app`` needs.  ``bc`` and ``auth`` are ``None`` in development mode,
    where the gateway runs on the embedded sandbox and its development identity provider."""

    host: str = HOST.default
    port: int = PORT.default
    serve: ServeSettings = field(default_factory=ServeSettings)
    bc: BCSettings | None = None
    default_company_id: uuid.UUID | None = None
    auth: AuthSettings | None = None
    sandbox: SandboxSettings = field(default_factory=SandboxSettings)
    # How hard the gateway leans on BC (limits, retries, deadline, breaker, $batch); also on the sandbox.
    bc_resilience: ResilienceSettings = field(default_factory=ResilienceSettings)
    portal: PortalPolicy = field(default_factory=PortalPolicy)
    writes: WritePolicy = field(default_factory=WritePolicy)
    # HMAC key for /documents links; None: a random key per process (one replica only).
    document_key: bytes | None = field(default=None, repr=False)
    document_ttl_seconds: int = DOCUMENT_TTL_SECONDS.default
    edge: EdgeSettings = field(default_factory=EdgeSettings)
    web_portal: WebPortalSettings = field(default_factory=WebPortalSettings)
    # The shared store: Redis for a fleet of replicas, in-process without GATEWAY_REDIS_URL.
    store: StoreSettings = field(default_factory=StoreSettings)
    # The cache of BC's answers (GATEWAY_CACHE*, docs/caching.md).
    cache: CacheSettings = field(default_factory=CacheSettings)
    # GraphiQL at GET /graphql; None: GATEWAY_GRAPHIQL's default in this mode.
    graphiql_switch: bool | None = None
    # Logs and the audit trail (configured by the entry points), /metrics, and tracing.
    logs: LogSettings = field(default_factory=LogSettings)
    metrics: MetricsSettings = field(default_factory=MetricsSettings)
    tracing: TracingSettings = field(default_factory=TracingSettings)
    # BC's webhooks: subscriptions, /webhooks/bc (docs/webhooks.md).  Off unless the environment
    # (development mode by default) or a test turns them on.
    webhooks: WebhookSettings = field(default_factory=WebhookSettings)
    # BC's changes learned by polling when webhooks are off (docs/changes.md).  Off unless the
    # environment (on by default, for when webhooks are off) or a test turns it on.
    change_poll: ChangePollSettings = field(default_factory=ChangePollSettings)
    # GraphQL subscriptions over WebSocket on /graphql (docs/subscriptions.md).
    live: LiveSettings = field(default_factory=LiveSettings)

    @property
    def mode(self) -> Mode:
        return "development" if self.bc is None else "production"

    @property
    def graphiql(self) -> bool:
        return GRAPHIQL.default_in(self.mode) if self.graphiql_switch is None else self.graphiql_switch
