"""Settings for the whole gateway, and the one place that reads them from the environment.

Only the CLI calls :func:`settings_from_environ`; everything else receives a :class:`Settings`.
Every problem is reported as a :class:`ConfigError` that names the variable and what is wrong,
so ``bc-gateway serve`` can print one clear line instead of a stack trace.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from gateway.auth import AuthSettings, ClaimNames
from gateway.bc import BCSettings, ClientCredentials, ResilienceSettings
from gateway.edge.config import EdgeSettings
from gateway.edge.hygiene import parse_networks
from gateway.edge.limits import OperationLimits
from gateway.edge.persisted import PersistedMode
from gateway.edge.portal import DEFAULT_SCOPES, WebPortalSettings
from gateway.edge.ratelimit import RateLimit
from gateway.resolvers.context import PortalPolicy, WritePolicy
from gateway.resolvers.tracking import parse_tracking_urls
from gateway.store import REDIS_SCHEMES, StoreSettings
from gateway.webhooks import WebhookSettings

Mode = Literal["development", "production"]


class ConfigError(Exception):
    """A missing or invalid setting; ``str()`` is the one line a person needs to fix it."""

    def __init__(self, variable: str, problem: str) -> None:
        super().__init__(f"{variable} {problem}")
        self.variable = variable
        self.problem = problem


@dataclass(frozen=True)
class SandboxSettings:
    """The embedded Business Central used when no real BC is configured."""

    seed: int = 42
    scale: float = 1.0
    # Where development mode keeps its identity provider's signing key and sign-in sessions, so
    # tokens outlive a restart; None: in memory only (tests).
    data_dir: Path | None = None
    # How long the development identity provider's code-flow access tokens live.
    access_token_ttl_seconds: int = 3600
    # How long the sandbox waits before it sends a webhook notification (BC: 30 s).
    notification_delay_seconds: float = 2.0
    # The staff simulator does something every this many seconds; 0: only on demand.
    staff_every_seconds: float = 0.0


@dataclass(frozen=True)
class Settings:
    """Everything ``create_app`` needs.  ``bc`` and ``auth`` are ``None`` in development mode,
    where the gateway runs on the embedded sandbox and its development identity provider."""

    host: str = "127.0.0.1"
    port: int = 8000
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
    document_ttl_seconds: int = 300
    edge: EdgeSettings = field(default_factory=EdgeSettings)
    web_portal: WebPortalSettings = field(default_factory=WebPortalSettings)
    # The shared store: Redis for a fleet of replicas, in-process without GATEWAY_REDIS_URL.
    store: StoreSettings = field(default_factory=StoreSettings)
    # BC's webhooks: subscriptions, /webhooks/bc (docs/webhooks.md).  Off unless the CLI (or a
    # test) turns them on: development mode does, by default.
    webhooks: WebhookSettings = field(default_factory=WebhookSettings)

    @property
    def mode(self) -> Mode:
        return "development" if self.bc is None else "production"


_BC_ONLINE = ("BC_TENANT_ID", "BC_ENVIRONMENT", "BC_CLIENT_ID", "BC_CLIENT_SECRET")
_AUTH_REQUIRED = ("AUTH_ISSUER", "AUTH_AUDIENCE", "AUTH_JWKS_URL")
_CLAIM_VARIABLES = {
    "customer": "AUTH_CLAIM_CUSTOMER",
    "company": "AUTH_CLAIM_COMPANY",
    "memberships": "AUTH_CLAIM_MEMBERSHIPS",
    "roles": "AUTH_CLAIM_ROLES",
    "scopes": "AUTH_CLAIM_SCOPES",
}
# The HTTP edge's protections (gateway.edge.config.EdgeSettings).
_EDGE_INTEGERS = {
    "GATEWAY_MAX_DEPTH": ("max_depth", 12, 1, 100),
    "GATEWAY_MAX_ALIASES": ("max_aliases", 30, 0, 1000),
    "GATEWAY_MAX_ROOT_FIELDS": ("max_root_fields", 10, 1, 1000),
    "GATEWAY_MAX_TOKENS": ("max_tokens", 2000, 10, 100_000),
    "GATEWAY_MAX_QUERY_LENGTH": ("max_length", 20_000, 10, 1_000_000),
    "GATEWAY_MAX_DIRECTIVES": ("max_directives", 20, 0, 1000),
    "GATEWAY_COST_BUDGET": ("cost_budget", 5000, 1, 10_000_000),
    "GATEWAY_COST_LIST_SIZE": ("default_list_size", 20, 1, 10_000),
}
_EDGE_VARIABLES = (
    *_EDGE_INTEGERS,
    "GATEWAY_BATCH_LIMIT",
    "GATEWAY_RATE_LIMIT_PER_MINUTE",
    "GATEWAY_RATE_LIMIT_BURST",
    "GATEWAY_IP_RATE_LIMIT_PER_MINUTE",
    "GATEWAY_IP_RATE_LIMIT_BURST",
    "GATEWAY_PERSISTED_QUERIES",
    "GATEWAY_SAFELIST_FILE",
    "GATEWAY_MAX_BODY_BYTES",
    "GATEWAY_CORS_ORIGINS",
    "GATEWAY_TRUSTED_PROXIES",
    "GATEWAY_PUBLIC_URL",
    "GATEWAY_GET_MAX_AGE_SECONDS",
)
_WRITE_VARIABLES = (
    "PORTAL_DISABLED_MUTATIONS",
    "PORTAL_ORDER_SCOPE",
    "PORTAL_MAX_ORDER_LINES",
    "PORTAL_MAX_LINE_QUANTITY",
    "PORTAL_QUERY_MAX_SUBJECT",
    "PORTAL_QUERY_MAX_MESSAGE",
)
MUTATIONS = frozenset({"placeOrder", "reorder", "submitQuery", "replyToQuery"})
# Every variable the gateway reads; the README's configuration table lists the same names.
KNOWN_VARIABLES = (
    "GATEWAY_HOST",
    "GATEWAY_PORT",
    *_BC_ONLINE,
    "BC_BASE_URL",
    "BC_TOKEN_URL",
    "BC_COMPANY_ID",
    "BC_TIMEOUT_SECONDS",
    "BC_PAGE_SIZE",
    "BC_MAX_CONCURRENCY",
    "BC_QUEUE_LIMIT",
    "BC_RETRY_MAX_ATTEMPTS",
    "BC_RETRY_AFTER_CAP_SECONDS",
    "BC_OPERATION_DEADLINE_SECONDS",
    "BC_BREAKER_FAILURES",
    "BC_BREAKER_RESET_SECONDS",
    "BC_BATCH",
    "BC_CAPABILITY_REFRESH_SECONDS",
    *_AUTH_REQUIRED,
    *_CLAIM_VARIABLES.values(),
    "AUTH_LEEWAY_SECONDS",
    "SANDBOX_SEED",
    "SANDBOX_SCALE",
    "GATEWAY_DATA_DIR",
    "DEV_IDP_ACCESS_TOKEN_TTL_SECONDS",
    "GATEWAY_PORTAL",
    "PORTAL_CLIENT_ID",
    "PORTAL_SCOPES",
    "PORTAL_ORDER_HISTORY_MONTHS",
    "PORTAL_MAX_PAGE_SIZE",
    "PORTAL_TRACKING_URLS",
    "GATEWAY_DOCUMENT_KEY",
    "GATEWAY_DOCUMENT_TTL_SECONDS",
    "GATEWAY_REDIS_URL",
    "GATEWAY_REDIS_PREFIX",
    "GATEWAY_REDIS_TIMEOUT_SECONDS",
    "GATEWAY_REPLICAS",
    "GATEWAY_WEBHOOKS",
    "GATEWAY_WEBHOOK_URL",
    "GATEWAY_WEBHOOK_SECRET",
    "GATEWAY_WEBHOOK_RENEW_MARGIN_SECONDS",
    "SANDBOX_NOTIFICATION_DELAY_SECONDS",
    "SANDBOX_STAFF_EVERY_SECONDS",
    *_EDGE_VARIABLES,
    *_WRITE_VARIABLES,
)


def settings_from_environ(environ: Mapping[str, str]) -> Settings:
    """Build :class:`Settings` from environment variables, or raise :class:`ConfigError`."""
    env = {key: value.strip() for key, value in environ.items() if value.strip()}
    bc = _bc_settings(env)
    auth = _auth_settings(env)
    if bc is not None and auth is None:
        raise ConfigError(
            "AUTH_ISSUER",
            "is required with a real Business Central: the development identity provider "
            "only signs tokens for the embedded sandbox",
        )
    return Settings(
        host=env.get("GATEWAY_HOST", "127.0.0.1"),
        port=_integer(env, "GATEWAY_PORT", 8000, low=1, high=65535),
        bc=bc,
        default_company_id=_guid(env, "BC_COMPANY_ID"),
        auth=auth,
        bc_resilience=_bc_resilience(env),
        sandbox=SandboxSettings(
            seed=_integer(env, "SANDBOX_SEED", 42, low=0, high=2**31),
            scale=_decimal(env, "SANDBOX_SCALE", 1.0, low=0.01, high=100.0),
            data_dir=Path(env.get("GATEWAY_DATA_DIR", ".bc-gateway")),
            access_token_ttl_seconds=_integer(
                env, "DEV_IDP_ACCESS_TOKEN_TTL_SECONDS", 3600, low=10, high=86_400
            ),
            notification_delay_seconds=_decimal(
                env, "SANDBOX_NOTIFICATION_DELAY_SECONDS", 2.0, low=0.0, high=600.0
            ),
            staff_every_seconds=_decimal(env, "SANDBOX_STAFF_EVERY_SECONDS", 0.0, low=0.0, high=86_400.0),
        ),
        portal=PortalPolicy(
            order_history_months=_integer(env, "PORTAL_ORDER_HISTORY_MONTHS", 12, low=1, high=120),
            max_page_size=_integer(env, "PORTAL_MAX_PAGE_SIZE", 100, low=1, high=1000),
            tracking_urls=_tracking_urls(env),
        ),
        document_key=_document_key(env),
        document_ttl_seconds=_integer(env, "GATEWAY_DOCUMENT_TTL_SECONDS", 300, low=10, high=3600),
        edge=_edge_settings(env),
        writes=_write_policy(environ, env),
        web_portal=_web_portal(env, production=bc is not None),
        store=_store_settings(env),
        webhooks=_webhook_settings(env, production=bc is not None),
    )


def _webhook_settings(env: Mapping[str, str], *, production: bool) -> WebhookSettings:
    """On in development (the embedded sandbox calls back in process); in production on when
    ``GATEWAY_WEBHOOK_URL`` is set, or ``GATEWAY_WEBHOOKS=on`` with ``GATEWAY_PUBLIC_URL``."""
    url = env.get("GATEWAY_WEBHOOK_URL")
    if url is not None:
        _require_url(url, "GATEWAY_WEBHOOK_URL")
    enabled = _switch(env, "GATEWAY_WEBHOOKS", url is not None or not production)
    if not enabled:
        return WebhookSettings()
    if url is None and "GATEWAY_PUBLIC_URL" in env:
        url = env["GATEWAY_PUBLIC_URL"].rstrip("/") + "/webhooks/bc"
    if url is None:
        if production:
            raise ConfigError(
                "GATEWAY_WEBHOOK_URL",
                "is required when GATEWAY_WEBHOOKS is on with a real Business Central "
                "(the public URL of /webhooks/bc; or set GATEWAY_PUBLIC_URL)",
            )
        url = f"http://{env.get('GATEWAY_HOST', '127.0.0.1')}:{env.get('GATEWAY_PORT', '8000')}/webhooks/bc"
    secret = env.get("GATEWAY_WEBHOOK_SECRET")
    if secret is not None and len(secret.encode()) < 32:
        raise ConfigError("GATEWAY_WEBHOOK_SECRET", "must be at least 32 characters")
    if secret is None and production:
        raise ConfigError(
            "GATEWAY_WEBHOOK_SECRET",
            "is required when webhooks are on with a real Business Central (every replica derives the "
            "subscriptions' clientState from it), e.g. openssl rand -base64 48",
        )
    return WebhookSettings(
        enabled=True,
        notification_url=url,
        secret=secret.encode() if secret is not None else None,
        renew_margin_seconds=_decimal(
            env, "GATEWAY_WEBHOOK_RENEW_MARGIN_SECONDS", 86_400.0, low=600.0, high=172_800.0
        ),
    )


def _web_portal(env: Mapping[str, str], *, production: bool) -> WebPortalSettings:
    raw = env.get("GATEWAY_PORTAL")
    if raw is not None and raw not in ("on", "off"):
        raise ConfigError("GATEWAY_PORTAL", f"must be on or off, got {raw!r}")
    enabled = None if raw is None else raw == "on"
    client_id = env.get("PORTAL_CLIENT_ID")
    if production and enabled and client_id is None:
        raise ConfigError(
            "PORTAL_CLIENT_ID", "is required when GATEWAY_PORTAL is on with a real Business Central"
        )
    return WebPortalSettings(
        enabled=enabled, client_id=client_id, scopes=env.get("PORTAL_SCOPES", DEFAULT_SCOPES)
    )


def _store_settings(env: Mapping[str, str]) -> StoreSettings:
    url = env.get("GATEWAY_REDIS_URL")
    if url is not None and urlsplit(url).scheme not in REDIS_SCHEMES:
        # The URL may hold a password: the message never repeats it.
        raise ConfigError("GATEWAY_REDIS_URL", "must start with redis://, rediss:// or unix://")
    prefix = env.get("GATEWAY_REDIS_PREFIX", "bc-gateway")
    if not re.fullmatch(r"[A-Za-z0-9_.:-]{1,64}", prefix):
        raise ConfigError("GATEWAY_REDIS_PREFIX", "must be 1 to 64 letters, digits or _ . : -")
    return StoreSettings(
        url=url,
        prefix=prefix,
        timeout_seconds=_decimal(env, "GATEWAY_REDIS_TIMEOUT_SECONDS", 1.0, low=0.05, high=30.0),
    )


def _edge_settings(env: Mapping[str, str]) -> EdgeSettings:
    limits = OperationLimits(
        **{
            key: _integer(env, name, default, low=low, high=high)
            for name, (key, default, low, high) in _EDGE_INTEGERS.items()
        }
    )
    raw_mode = env.get("GATEWAY_PERSISTED_QUERIES", "apq")
    modes: dict[str, PersistedMode] = {"off": "off", "apq": "apq", "safelist": "safelist"}
    if raw_mode not in modes:
        raise ConfigError("GATEWAY_PERSISTED_QUERIES", f"must be off, apq or safelist, got {raw_mode!r}")
    mode = modes[raw_mode]
    safelist = Path(env["GATEWAY_SAFELIST_FILE"]) if "GATEWAY_SAFELIST_FILE" in env else None
    if mode == "safelist" and safelist is None:
        raise ConfigError("GATEWAY_SAFELIST_FILE", "is required when GATEWAY_PERSISTED_QUERIES is safelist")
    if safelist is not None and not safelist.is_file():
        raise ConfigError("GATEWAY_SAFELIST_FILE", f"is not a readable file: {safelist}")
    proxies = tuple(
        part.strip() for part in env.get("GATEWAY_TRUSTED_PROXIES", "").split(",") if part.strip()
    )
    try:
        parse_networks(proxies)
    except ValueError:
        raise ConfigError(
            "GATEWAY_TRUSTED_PROXIES", "must be IP addresses or CIDR ranges, comma-separated"
        ) from None
    public_url = env.get("GATEWAY_PUBLIC_URL")
    if public_url is not None:
        _require_url(public_url, "GATEWAY_PUBLIC_URL")
    return EdgeSettings(
        limits=limits,
        batch_limit=_integer(env, "GATEWAY_BATCH_LIMIT", 0, low=0, high=100),
        rate_limit=RateLimit(
            per_minute=_integer(env, "GATEWAY_RATE_LIMIT_PER_MINUTE", 60_000, low=1, high=10**9),
            burst=_integer(env, "GATEWAY_RATE_LIMIT_BURST", 20_000, low=1, high=10**9),
        ),
        ip_rate_limit=RateLimit(
            per_minute=_integer(env, "GATEWAY_IP_RATE_LIMIT_PER_MINUTE", 60, low=1, high=10**9),
            burst=_integer(env, "GATEWAY_IP_RATE_LIMIT_BURST", 30, low=1, high=10**9),
        ),
        persisted_queries=mode,
        safelist_file=safelist,
        max_body_bytes=_integer(env, "GATEWAY_MAX_BODY_BYTES", 100_000, low=1_000, high=100_000_000),
        cors_origins=tuple(o.strip() for o in env.get("GATEWAY_CORS_ORIGINS", "").split(",") if o.strip()),
        trusted_proxies=proxies,
        public_url=public_url,
        get_max_age_seconds=_integer(env, "GATEWAY_GET_MAX_AGE_SECONDS", 0, low=0, high=86_400),
    )


def _write_policy(environ: Mapping[str, str], env: Mapping[str, str]) -> WritePolicy:
    disabled = frozenset(
        name.strip() for name in env.get("PORTAL_DISABLED_MUTATIONS", "").split(",") if name.strip()
    )
    unknown = sorted(disabled - MUTATIONS)
    if unknown:
        raise ConfigError(
            "PORTAL_DISABLED_MUTATIONS", f"names unknown mutations {unknown}; known: {sorted(MUTATIONS)}"
        )
    # Set but empty switches the scope check off; unset keeps the default.
    scope = environ["PORTAL_ORDER_SCOPE"].strip() if "PORTAL_ORDER_SCOPE" in environ else "orders:write"
    if scope and not re.fullmatch(r"[\x21-\x7e]{1,200}", scope):
        raise ConfigError("PORTAL_ORDER_SCOPE", "must be one scope or role name without spaces")
    return WritePolicy(
        disabled_mutations=disabled,
        order_scope=scope or None,
        max_order_lines=_integer(env, "PORTAL_MAX_ORDER_LINES", 100, low=1, high=1000),
        max_line_quantity=Decimal(
            _integer(env, "PORTAL_MAX_LINE_QUANTITY", 10000, low=1, high=1_000_000_000)
        ),
        query_max_subject=_integer(env, "PORTAL_QUERY_MAX_SUBJECT", 100, low=1, high=100),
        query_max_message=_integer(env, "PORTAL_QUERY_MAX_MESSAGE", 4000, low=1, high=100_000),
    )


def _bc_settings(env: Mapping[str, str]) -> BCSettings | None:
    online = [name for name in _BC_ONLINE if name in env]
    base_url = env.get("BC_BASE_URL")
    if not online and base_url is None:
        return None
    timeout = float(_decimal(env, "BC_TIMEOUT_SECONDS", 30.0, low=1.0, high=600.0))
    page_size = _integer(env, "BC_PAGE_SIZE", 1000, low=1, high=20000)
    if base_url is not None:
        _require_url(base_url, "BC_BASE_URL")
        for name in ("BC_CLIENT_ID", "BC_CLIENT_SECRET", "BC_TOKEN_URL"):
            _require(env, name, "when BC_BASE_URL is set")
        _require_url(env["BC_TOKEN_URL"], "BC_TOKEN_URL")
        credentials = ClientCredentials(
            token_url=env["BC_TOKEN_URL"],
            client_id=env["BC_CLIENT_ID"],
            client_secret=env["BC_CLIENT_SECRET"],
        )
        settings = BCSettings.on_premises(base_url.rstrip("/"), credentials)
    else:
        first = online[0]
        for name in _BC_ONLINE:
            _require(env, name, f"when {first} is set")
        if not re.fullmatch(r"[A-Za-z0-9.-]{1,100}", env["BC_TENANT_ID"]):
            raise ConfigError("BC_TENANT_ID", "must be an Entra tenant id (GUID) or domain name")
        if not re.fullmatch(r"[A-Za-z0-9_-]{1,30}", env["BC_ENVIRONMENT"]):
            raise ConfigError("BC_ENVIRONMENT", "must be a Business Central environment name")
        settings = BCSettings.online(
            env["BC_TENANT_ID"], env["BC_ENVIRONMENT"], env["BC_CLIENT_ID"], env["BC_CLIENT_SECRET"]
        )
    return BCSettings(
        environment_url=settings.environment_url,
        credentials=settings.credentials,
        timeout_seconds=timeout,
        page_size=page_size,
    )


def _auth_settings(env: Mapping[str, str]) -> AuthSettings | None:
    present = [name for name in _AUTH_REQUIRED if name in env]
    if not present:
        return None
    for name in _AUTH_REQUIRED:
        _require(env, name, f"when {present[0]} is set")
    _require_url(env["AUTH_JWKS_URL"], "AUTH_JWKS_URL")
    claims = claim_names_from_environ(env)
    return AuthSettings(
        issuer=env["AUTH_ISSUER"],
        audience=env["AUTH_AUDIENCE"],
        jwks_url=env["AUTH_JWKS_URL"],
        leeway_seconds=_integer(env, "AUTH_LEEWAY_SECONDS", 60, low=0, high=300),
        claims=claims,
    )


def claim_names_from_environ(environ: Mapping[str, str]) -> ClaimNames:
    """The claim names ``AUTH_CLAIM_*`` set (defaults for the rest)."""
    env = {key: value.strip() for key, value in environ.items() if value.strip()}
    return ClaimNames(**{key: env[variable] for key, variable in _CLAIM_VARIABLES.items() if variable in env})


def _require(env: Mapping[str, str], name: str, why: str) -> None:
    if name not in env:
        raise ConfigError(name, f"is required {why}")


def _require_url(value: str, name: str) -> None:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(name, "must be an absolute http(s) URL")


def _integer(env: Mapping[str, str], name: str, default: int, *, low: int, high: int) -> int:
    raw = env.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(name, f"must be a whole number, got {raw!r}") from None
    if not low <= value <= high:
        raise ConfigError(name, f"must be between {low} and {high}, got {value}")
    return value


def _decimal(env: Mapping[str, str], name: str, default: float, *, low: float, high: float) -> float:
    raw = env.get(name)
    if raw is None:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(name, f"must be a number, got {raw!r}") from None
    if not low <= value <= high:
        raise ConfigError(name, f"must be between {low} and {high}, got {value}")
    return value


def _tracking_urls(env: Mapping[str, str]) -> dict[str, str]:
    try:
        return parse_tracking_urls(env.get("PORTAL_TRACKING_URLS", ""))
    except ValueError as error:
        raise ConfigError("PORTAL_TRACKING_URLS", str(error)) from None


def _guid(env: Mapping[str, str], name: str) -> uuid.UUID | None:
    raw = env.get(name)
    if raw is None:
        return None
    try:
        return uuid.UUID(raw)
    except ValueError:
        raise ConfigError(name, "must be a company id (GUID)") from None


def _document_key(env: Mapping[str, str]) -> bytes | None:
    """``GATEWAY_DOCUMENT_KEY``: a shared secret of at least 32 characters (e.g. ``openssl rand
    -base64 48``), so every replica verifies the links any of them signs."""
    value = env.get("GATEWAY_DOCUMENT_KEY")
    if value is None:
        return None
    if len(value.encode()) < 32:
        raise ConfigError("GATEWAY_DOCUMENT_KEY", "must be at least 32 characters")
    return value.encode()


def _bc_resilience(env: Mapping[str, str]) -> ResilienceSettings:
    return ResilienceSettings(
        max_concurrency=_integer(env, "BC_MAX_CONCURRENCY", 5, low=1, high=100),
        queue_limit=_integer(env, "BC_QUEUE_LIMIT", 500, low=0, high=10_000),
        retry_max_attempts=_integer(env, "BC_RETRY_MAX_ATTEMPTS", 4, low=1, high=10),
        retry_after_cap_seconds=_decimal(env, "BC_RETRY_AFTER_CAP_SECONDS", 30.0, low=0.1, high=600.0),
        operation_deadline_seconds=_decimal(env, "BC_OPERATION_DEADLINE_SECONDS", 30.0, low=0.5, high=900.0),
        breaker_failures=_integer(env, "BC_BREAKER_FAILURES", 5, low=1, high=1000),
        breaker_reset_seconds=_decimal(env, "BC_BREAKER_RESET_SECONDS", 30.0, low=0.1, high=3600.0),
        batch=_switch(env, "BC_BATCH", True),
        capability_refresh_seconds=_decimal(
            env, "BC_CAPABILITY_REFRESH_SECONDS", 300.0, low=5.0, high=86_400.0
        ),
        replicas=_integer(env, "GATEWAY_REPLICAS", 2, low=1, high=1000),
    )


def _switch(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name)
    if raw is None:
        return default
    value = raw.lower()
    if value in ("on", "true", "1", "yes"):
        return True
    if value in ("off", "false", "0", "no"):
        return False
    raise ConfigError(name, f"must be on or off, got {raw!r}")
