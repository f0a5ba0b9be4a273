"""``settings_from_environ``: the declared variables read into typed settings objects, and the
rules that join several variables (BC online or on premises, an identity provider with a real BC,
the safelist file with safelist mode, the portal's client id in production)."""

from __future__ import annotations

from collections.abc import Mapping

from gateway.auth import AuthSettings, ClaimNames
from gateway.bc import BCSettings, CacheSettings, ClientCredentials, ResilienceSettings
from gateway.edge.config import EdgeSettings
from gateway.edge.limits import OperationLimits
from gateway.edge.portal import WebPortalSettings
from gateway.edge.ratelimit import RateLimit
from gateway.resolvers.context import PortalPolicy, WritePolicy
from gateway.store import StoreSettings

from . import _variables as v
from ._declare import ConfigError, Environment, Mode
from ._settings import SandboxSettings, Settings

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
            long_histories=env.get(v.SANDBOX_LONG_HISTORIES),
        ),
        portal=PortalPolicy(
            order_history_months=env.get(v.ORDER_HISTORY_MONTHS),
            max_page_size=env.get(v.MAX_PAGE_SIZE),
            tracking_urls=env.get(v.TRACKING_URLS),
        ),
        document_key=env.get(v.DOCUMENT_KEY),
        document_ttl_seconds=env.get(v.DOCUMENT_TTL_SECONDS),
        edge=_edge_settings(env),
        writes=_write_policy(env),
        web_portal=_web_portal(env, mode),
        store=StoreSettings(
            url=env.get(v.REDIS_URL),
            prefix=env.get(v.REDIS_PREFIX),
            timeout_seconds=env.get(v.REDIS_TIMEOUT_SECONDS),
        ),
        cache=_cache_settings(env),
    )


def _cache_settings(env: Environment) -> CacheSettings:
    return CacheSettings(
        enabled=env.get(v.CACHE_SWITCH),
        memory_rows=env.get(v.CACHE_MEMORY_ROWS),
        fill_wait_seconds=env.get(v.CACHE_FILL_WAIT_SECONDS),
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
    )


def _write_policy(env: Environment) -> WritePolicy:
    return WritePolicy(
        disabled_mutations=env.get(v.DISABLED_MUTATIONS),
        order_scope=env.get(v.ORDER_SCOPE),
        max_order_lines=env.get(v.MAX_ORDER_LINES),
        max_line_quantity=env.get(v.MAX_LINE_QUANTITY),
        query_max_subject=env.get(v.QUERY_MAX_SUBJECT),
        query_max_message=env.get(v.QUERY_MAX_MESSAGE),
    )


def _bc_settings(env: Environment) -> BCSettings | None:
    online = [variable for variable in _BC_ONLINE if env.is_set(variable)]
    base_url = env.get(v.BASE_URL)
    if not online and base_url is None:
        return None
    if base_url is not None:
        why = "when BC_BASE_URL is set"
        client_id, secret = env.require(v.CLIENT_ID, why), env.require(v.CLIENT_SECRET, why)
        token_url = env.require(v.TOKEN_URL, why)
        try:
            credentials = ClientCredentials(token_url=token_url, client_id=client_id, client_secret=secret)
        except ValueError as error:  # the only check left is the token URL's (the secret travels there)
            raise ConfigError(v.TOKEN_URL.name, str(error)) from None
        settings = BCSettings.on_premises(base_url.rstrip("/"), credentials)
    else:
        why = f"when {online[0].name} is set"
        tenant, environment, client_id, secret = (env.require(variable, why) for variable in _BC_ONLINE)
        settings = BCSettings.online(tenant, environment, client_id, secret)
    return BCSettings(
        environment_url=settings.environment_url,
        credentials=settings.credentials,
        timeout_seconds=env.get(v.TIMEOUT_SECONDS),
        page_size=env.get(v.PAGE_SIZE),
    )


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
