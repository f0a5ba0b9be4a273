"""``settings_from_environ``: the declared variables read into typed settings objects, and the
rules that join several variables (BC online or on premises, an identity provider with a real BC,
the safelist file with safelist mode, the portal's client id in production)."""

from __future__ import annotations

import importlib.util
from collections.abc import Mapping

from gateway.auth import AuthSettings, ClaimNames
from gateway.bc import BCSettings, CacheSettings, ClientCredentials, ResilienceSettings
from gateway.edge.config import EdgeSettings
from gateway.edge.limits import OperationLimits
from gateway.edge.live.settings import LiveSettings
from gateway.edge.metrics_endpoint import MetricsSettings
from gateway.edge.portal import WebPortalSettings
from gateway.edge.ratelimit import RateLimit
from gateway.resolvers.context import PortalPolicy, WritePolicy
from gateway.store import StoreSettings
from gateway.telemetry import Exporter, LogSettings, TracingSettings
from gateway.webhooks import ChangePollSettings, WebhookSettings

from . import _variables as v
from ._declare import ConfigError, Environment, Mode
from ._settings import SandboxSettings, ServeSettings, Settings
from ._tls import server_tls_context

_BC_ONLINE = (v.TENANT_ID, v.ENVIRONMENT, v.CLIENT_ID, v.CLIENT_SECRET)
_AUTH_REQUIRED = (v.ISSUER, v.AUDIENCE, v.JWKS_URL)


def settings_from_environ(environ: Mapping[str, str]) -> Settings:
    """Build :class:`Settings` from environment variables, or raise :class:`ConfigError`.

    Every declared variable that is set is checked, in the README's order, whether or not this
    configuration uses it; then the rules between variables."""
    env = Environment(environ)
    for variable in v.VARIABLES:
        env.get(variable)
    bc = _bc_settings(env)
    auth = _auth_settings(env)
    if bc is not None and auth is None:
        raise ConfigError(
            v.ISSUER.name,
            "is required with a real Business Central: the development identity provider "
            "only signs tokens for the embedded sandbox",
        )
    mode: Mode = "development" if bc is None else "production"
    return Settings(
        host=env.get(v.HOST),
        port=env.get(v.PORT),
        serve=_serve_settings(env, mode),
        graphiql_switch=env.get(v.GRAPHIQL, mode),
        bc=bc,
        default_company_id=env.get(v.COMPANY_ID),
        auth=auth,
        bc_resilience=_bc_resilience(env),
        sandbox=SandboxSettings(
            seed=env.get(v.SANDBOX_SEED),
            scale=env.get(v.SANDBOX_SCALE),
            data_dir=env.get(v.DATA_DIR),
            access_token_ttl_seconds=env.get(v.ACCESS_TOKEN_TTL_SECONDS),
            notification_delay_seconds=env.get(v.SANDBOX_NOTIFICATION_DELAY_SECONDS),
            staff_every_seconds=env.get(v.SANDBOX_STAFF_EVERY_SECONDS),
            long_histories=env.get(v.SANDBOX_LONG_HISTORIES),
        ),
        portal=PortalPolicy(
            order_history_months=env.get(v.ORDER_HISTORY_MONTHS),
            max_page_size=env.get(v.MAX_PAGE_SIZE),
            tracking_urls=env.get(v.TRACKING_URLS),
        ),
        document_key=_document_key(env, mode),
        document_ttl_seconds=env.get(v.DOCUMENT_TTL_SECONDS),
        edge=_edge_settings(env),
        writes=_write_policy(env),
        web_portal=_web_portal(env, mode),
        store=StoreSettings(
            url=env.get(v.REDIS_URL),
            prefix=env.get(v.REDIS_PREFIX),
            timeout_seconds=env.get(v.REDIS_TIMEOUT_SECONDS),
        ),
        logs=LogSettings(
            format=env.get(v.LOG_FORMAT, mode),
            level=env.get(v.LOG_LEVEL),
            audit_stdout=env.get(v.AUDIT_STDOUT),
            audit_file=env.get(v.AUDIT_FILE),
            audit_file_max_bytes=env.get(v.AUDIT_FILE_MAX_BYTES),
            audit_file_backups=env.get(v.AUDIT_FILE_BACKUPS),
        ),
        metrics=MetricsSettings(
            token=env.get(v.METRICS_TOKEN), port=env.get(v.METRICS_PORT), host=env.get(v.METRICS_HOST)
        ),
        tracing=_tracing(env),
        webhooks=_webhook_settings(env, mode),
        change_poll=ChangePollSettings(
            enabled=env.get(v.CHANGE_POLL_SWITCH), every_seconds=env.get(v.CHANGE_POLL_SECONDS)
        ),
        live=LiveSettings(
            enabled=env.get(v.SUBSCRIPTIONS_SWITCH),
            max_connections=env.get(v.SUBSCRIPTION_CONNECTIONS),
            max_operations=env.get(v.SUBSCRIPTION_OPERATIONS),
            ping_seconds=env.get(v.SUBSCRIPTION_PING_SECONDS),
            init_seconds=env.get(v.SUBSCRIPTION_INIT_SECONDS),
        ),
        cache=_cache_settings(env),
    )


def _cache_settings(env: Environment) -> CacheSettings:
    return CacheSettings(
        enabled=env.get(v.CACHE_SWITCH),
        memory_rows=env.get(v.CACHE_MEMORY_ROWS),
        fill_wait_seconds=env.get(v.CACHE_FILL_WAIT_SECONDS),
        with_webhooks_ttl=env.get(v.CACHE_TTL_WITH_WEBHOOKS),
        **{f"{kind.value}_ttl": env.get(variable) for kind, variable in v.CACHE_TTLS.items()},
    )


def listen_address_from_environ(environ: Mapping[str, str]) -> tuple[str, int]:
    """``GATEWAY_HOST`` and ``GATEWAY_PORT`` alone (for ``bc-gateway token``, which finds the
    gateway there), or :class:`ConfigError`."""
    env = Environment(environ)
    return env.get(v.HOST), env.get(v.PORT)


def claim_names_from_environ(environ: Mapping[str, str]) -> ClaimNames:
    """The claim names ``AUTH_CLAIM_*`` set (defaults for the rest)."""
    return _claim_names(Environment(environ))


def _claim_names(env: Environment) -> ClaimNames:
    return ClaimNames(
        customer=env.get(v.CLAIM_CUSTOMER),
        company=env.get(v.CLAIM_COMPANY),
        memberships=env.get(v.CLAIM_MEMBERSHIPS),
        roles=env.get(v.CLAIM_ROLES),
        scopes=env.get(v.CLAIM_SCOPES),
    )


def _webhook_settings(env: Environment, mode: Mode) -> WebhookSettings:
    """On in development (the embedded sandbox calls back in process); in production on when
    ``GATEWAY_WEBHOOK_URL`` is set, or ``GATEWAY_WEBHOOKS=on`` with ``GATEWAY_PUBLIC_URL``."""
    url = env.get(v.WEBHOOK_URL)
    chosen = env.is_set(v.WEBHOOKS_SWITCH)
    enabled = env.get(v.WEBHOOKS_SWITCH) if chosen else mode == "development" or url is not None
    if not enabled:
        return WebhookSettings()
    public_url = env.get(v.PUBLIC_URL)
    if url is None and public_url is not None:
        url = public_url.rstrip("/") + "/webhooks/bc"
    if url is None:
        if mode == "production":
            raise ConfigError(
                v.WEBHOOK_URL.name,
                "is required when GATEWAY_WEBHOOKS is on with a real Business Central "
                "(the public URL of /webhooks/bc; or set GATEWAY_PUBLIC_URL)",
            )
        url = f"http://{env.get(v.HOST)}:{env.get(v.PORT)}/webhooks/bc"
    secret = env.get(v.WEBHOOK_SECRET)
    if secret is None and mode == "production":
        raise ConfigError(
            v.WEBHOOK_SECRET.name,
            "is required when webhooks are on with a real Business Central (every replica derives the "
            "subscriptions' clientState from it), e.g. openssl rand -base64 48",
        )
    return WebhookSettings(
        enabled=True,
        notification_url=url,
        secret=secret,
        renew_margin_seconds=env.get(v.WEBHOOK_RENEW_MARGIN_SECONDS),
    )


def _serve_settings(env: Environment, mode: Mode) -> ServeSettings:
    cert, key = env.get(v.TLS_CERT_FILE), env.get(v.TLS_KEY_FILE)
    if key is not None and cert is None:
        raise ConfigError(v.TLS_CERT_FILE.name, "is required when GATEWAY_TLS_KEY_FILE is set")
    if cert is not None and key is None:
        raise ConfigError(v.TLS_KEY_FILE.name, "is required when GATEWAY_TLS_CERT_FILE is set")
    return ServeSettings(
        tls=None if cert is None or key is None else server_tls_context(cert, key),
        drain_seconds=env.get(v.SHUTDOWN_DRAIN_SECONDS, mode),
        grace_seconds=env.get(v.SHUTDOWN_GRACE_SECONDS),
    )


def _web_portal(env: Environment, mode: Mode) -> WebPortalSettings:
    enabled = env.get(v.WEB_PORTAL, mode)
    client_id = env.get(v.PORTAL_CLIENT_ID)
    if mode == "production" and enabled and client_id is None:
        raise ConfigError(
            v.PORTAL_CLIENT_ID.name, "is required when GATEWAY_PORTAL is on with a real Business Central"
        )
    return WebPortalSettings(enabled=enabled, client_id=client_id, scopes=env.get(v.PORTAL_SCOPES))


def _edge_settings(env: Environment) -> EdgeSettings:
    mode = env.get(v.PERSISTED_QUERIES)
    safelist = env.get(v.SAFELIST_FILE)
    if mode == "safelist" and safelist is None:
        raise ConfigError(v.SAFELIST_FILE.name, "is required when GATEWAY_PERSISTED_QUERIES is safelist")
    return EdgeSettings(
        limits=OperationLimits(
            max_depth=env.get(v.MAX_DEPTH),
            max_aliases=env.get(v.MAX_ALIASES),
            max_root_fields=env.get(v.MAX_ROOT_FIELDS),
            max_tokens=env.get(v.MAX_TOKENS),
            max_length=env.get(v.MAX_QUERY_LENGTH),
            max_directives=env.get(v.MAX_DIRECTIVES),
            cost_budget=env.get(v.COST_BUDGET),
            default_list_size=env.get(v.COST_LIST_SIZE),
            max_repeated_fields=env.get(v.MAX_REPEATED_FIELDS),
        ),
        batch_limit=env.get(v.BATCH_LIMIT),
        rate_limit=RateLimit(per_minute=env.get(v.RATE_LIMIT_PER_MINUTE), burst=env.get(v.RATE_LIMIT_BURST)),
        ip_rate_limit=RateLimit(
            per_minute=env.get(v.IP_RATE_LIMIT_PER_MINUTE), burst=env.get(v.IP_RATE_LIMIT_BURST)
        ),
        persisted_queries=mode,
        safelist_file=safelist,
        max_body_bytes=env.get(v.MAX_BODY_BYTES),
        cors_origins=env.get(v.CORS_ORIGINS),
        trusted_proxies=env.get(v.TRUSTED_PROXIES),
        public_url=env.get(v.PUBLIC_URL),
        get_max_age_seconds=env.get(v.GET_MAX_AGE_SECONDS),
        response_cache_bytes=env.get(v.CACHE_RESPONSES_MEMORY_BYTES),
    )


def _write_policy(env: Environment) -> WritePolicy:
    return WritePolicy(
        disabled_mutations=env.get(v.DISABLED_MUTATIONS),
        order_scope=env.get(v.ORDER_SCOPE),
        max_order_lines=env.get(v.MAX_ORDER_LINES),
        max_line_quantity=env.get(v.MAX_LINE_QUANTITY),
        query_max_subject=env.get(v.QUERY_MAX_SUBJECT),
        query_max_message=env.get(v.QUERY_MAX_MESSAGE),
        write_lease_seconds=env.get(v.WRITE_LEASE_SECONDS),
    )


def _document_key(env: Environment, mode: Mode) -> bytes | None:
    key = env.get(v.DOCUMENT_KEY)
    if key is None and mode == "production":
        # A random key per process would make a link signed by one replica fail on the others.
        raise ConfigError(
            v.DOCUMENT_KEY.name,
            "is required with a real Business Central: every replica must verify the download links "
            "the others sign (e.g. `openssl rand -base64 48`)",
        )
    return key


def _bc_settings(env: Environment) -> BCSettings | None:
    online = [variable for variable in _BC_ONLINE if env.is_set(variable)]
    base_url = env.get(v.BASE_URL)
    if not online and base_url is None:
        return None
    if base_url is not None:
        why = "when BC_BASE_URL is set"
        pairs = _client_pairs(env, why)
        token_url = env.require(v.TOKEN_URL, why)
        try:
            principals = [
                ClientCredentials(token_url=token_url, client_id=client_id, client_secret=secret)
                for client_id, secret in pairs
            ]
        except ValueError as error:  # the only check left is the token URL's (the secret travels there)
            raise ConfigError(v.TOKEN_URL.name, str(error)) from None
        settings = BCSettings.on_premises(base_url.rstrip("/"), principals[0])
    else:
        why = f"when {online[0].name} is set"
        tenant, environment = env.require(v.TENANT_ID, why), env.require(v.ENVIRONMENT, why)
        pairs = _client_pairs(env, why)
        settings = BCSettings.online(tenant, environment, *pairs[0])
        principals = [ClientCredentials.entra(tenant, client_id, secret) for client_id, secret in pairs]
    return BCSettings(
        environment_url=settings.environment_url,
        credentials=settings.credentials,
        timeout_seconds=env.get(v.TIMEOUT_SECONDS),
        page_size=env.get(v.PAGE_SIZE),
        additional_credentials=tuple(principals[1:]),
    )


def _client_pairs(env: Environment, why: str) -> list[tuple[str, str]]:
    """``BC_CLIENT_ID`` and ``BC_CLIENT_SECRET`` as (id, secret) pairs: one per app registration."""
    client_ids, secrets = env.require(v.CLIENT_ID, why), env.require(v.CLIENT_SECRET, why)
    if len(secrets) != len(client_ids):
        raise ConfigError(
            v.CLIENT_SECRET.name,
            f"must list as many secrets as BC_CLIENT_ID lists client ids ({len(client_ids)}), "
            "comma-separated, in the same order",
        )
    if len(set(client_ids)) != len(client_ids):
        raise ConfigError(v.CLIENT_ID.name, "names one client id twice: each app registration once")
    return list(zip(client_ids, secrets, strict=True))


def _auth_settings(env: Environment) -> AuthSettings | None:
    present = [variable for variable in _AUTH_REQUIRED if env.is_set(variable)]
    if not present:
        return None
    why = f"when {present[0].name} is set"
    issuer, audience, jwks_url = (env.require(variable, why) for variable in _AUTH_REQUIRED)
    return AuthSettings(
        issuer=issuer,
        audience=audience,
        jwks_url=jwks_url,
        leeway_seconds=env.get(v.LEEWAY_SECONDS),
        claims=_claim_names(env),
    )


def _tracing(env: Environment) -> TracingSettings:
    """Tracing is on when ``OTEL_TRACES_EXPORTER`` or an OTLP endpoint asks for it, as the
    OpenTelemetry SDK reads them, and off with ``OTEL_SDK_DISABLED``."""
    traces_endpoint, endpoint = env.get(v.OTLP_TRACES_ENDPOINT), env.get(v.OTLP_ENDPOINT)
    exporter: Exporter | None = env.get(v.TRACES_EXPORTER)
    if exporter is None:
        exporter = "otlp" if traces_endpoint or endpoint else "none"
    if env.get(v.SDK_DISABLED):
        exporter = "none"
    if exporter != "none" and importlib.util.find_spec("opentelemetry.sdk") is None:
        raise ConfigError(
            v.TRACES_EXPORTER.name if env.is_set(v.TRACES_EXPORTER) else v.OTLP_ENDPOINT.name,
            "asks for tracing, but OpenTelemetry is not installed: pip install 'bc-gateway[otel]'",
        )
    if traces_endpoint is None and endpoint is not None:
        traces_endpoint = f"{endpoint.rstrip('/')}/v1/traces"
    return TracingSettings(exporter=exporter, endpoint=traces_endpoint, service_name=env.get(v.SERVICE_NAME))


def _bc_resilience(env: Environment) -> ResilienceSettings:
    return ResilienceSettings(
        max_concurrency=env.get(v.MAX_CONCURRENCY),
        queue_limit=env.get(v.QUEUE_LIMIT),
        retry_max_attempts=env.get(v.RETRY_MAX_ATTEMPTS),
        retry_after_cap_seconds=env.get(v.RETRY_AFTER_CAP_SECONDS),
        operation_deadline_seconds=env.get(v.OPERATION_DEADLINE_SECONDS),
        breaker_failures=env.get(v.BREAKER_FAILURES),
        breaker_reset_seconds=env.get(v.BREAKER_RESET_SECONDS),
        batch=env.get(v.BATCH),
        capability_refresh_seconds=env.get(v.CAPABILITY_REFRESH_SECONDS),
        replicas=env.get(v.REPLICAS),
    )
