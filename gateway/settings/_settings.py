"""``Settings``: everything ``create_app`` needs, as typed objects (tests build them directly)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from pathlib import Path

from gateway.auth import AuthSettings
from gateway.bc import BCSettings, CacheSettings, ResilienceSettings
from gateway.edge.config import EdgeSettings
from gateway.edge.portal import WebPortalSettings
from gateway.resolvers.context import PortalPolicy, WritePolicy
from gateway.store import StoreSettings

from ._declare import Mode
from ._variables import (
    ACCESS_TOKEN_TTL_SECONDS,
    DOCUMENT_TTL_SECONDS,
    GRAPHIQL,
    HOST,
    PORT,
    SANDBOX_LONG_HISTORIES,
    SANDBOX_SCALE,
    SANDBOX_SEED,
)


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
    # Customers with long order histories added to the demo world (SANDBOX_LONG_HISTORIES).
    long_histories: tuple[int, ...] = SANDBOX_LONG_HISTORIES.default


@dataclass(frozen=True)
class Settings:
    """Everything ``create_app`` needs.  ``bc`` and ``auth`` are ``None`` in development mode,
    where the gateway runs on the embedded sandbox and its development identity provider."""

    host: str = HOST.default
    port: int = PORT.default
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

    @property
    def mode(self) -> Mode:
        return "development" if self.bc is None else "production"

    @property
    def graphiql(self) -> bool:
        return GRAPHIQL.default_in(self.mode) if self.graphiql_switch is None else self.graphiql_switch
