"""Every environment variable the gateway reads, declared once, section by section.

The README's configuration table is generated from these declarations (``bc-gateway settings
--readme README.md``) and a test fails when the two differ.  Where a typed settings object
(``EdgeSettings``, ``ResilienceSettings``, …) has a default of its own, the declaration takes it
from there, so each default exists once.  Rules between variables (BC online or on premises, the
identity provider required with a real BC …) are in ``_environ.py``.

To add a setting: declare it in its section below, read it in ``_environ.py`` with
``env.get(NAME)``, and run ``bc-gateway settings --readme README.md``.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import re
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from gateway.auth import AuthSettings, ClaimNames
from gateway.bc import BCSettings, CacheSettings, DataKind, ResilienceSettings
from gateway.edge.config import EdgeSettings
from gateway.edge.hygiene import parse_networks
from gateway.edge.limits import OperationLimits
from gateway.edge.live.settings import LiveSettings
from gateway.edge.persisted import PersistedMode, load_safelist
from gateway.edge.portal import DEFAULT_SCOPES, DEVELOPMENT_CLIENT_ID
from gateway.resolvers.context import PortalPolicy, WritePolicy
from gateway.resolvers.tracking import parse_tracking_urls
from gateway.store import REDIS_SCHEMES, StoreSettings
from gateway.telemetry import Exporter, LogFormat, LogSettings, TracingSettings
from gateway.webhooks import ChangePollSettings, WebhookSettings

from ._declare import (
    NAMES,
    PATH,
    SWITCH,
    URL,
    Invalid,
    Kind,
    Section,
    Variable,
    choice,
    guid,
    integer,
    number,
    text,
)


def _field_default(cls: type[Any], name: str) -> Any:
    """A dataclass field's default, for classes that cannot be built without arguments."""
    return next(item.default for item in dataclasses.fields(cls) if item.name == name)


_LIMITS = OperationLimits()
_EDGE = EdgeSettings()
_RESILIENCE = ResilienceSettings()
_CLAIMS = ClaimNames()
_PORTAL = PortalPolicy()
_WRITES = WritePolicy()
_STORE = StoreSettings()
_LOGS = LogSettings()
_TRACING = TracingSettings()
_WEBHOOKS = WebhookSettings()
_CHANGE_POLL = ChangePollSettings()
_CACHE = CacheSettings()
_LIVE = LiveSettings()

# --- checks that are more than a type and bounds --------------------------------------------

# A DNS name (RFC 1123 labels); IP addresses are checked with ipaddress.
_HOST_NAME = re.compile(
    r"(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?"
)


def _host(raw: str) -> str:
    try:
        ipaddress.ip_address(raw)
    except ValueError:
        if not _HOST_NAME.fullmatch(raw):
            raise Invalid(
                f"must be an IP address (IPv6 without brackets) or a host name, got {raw!r}"
            ) from None
    return raw


def _proxies(raw: str) -> tuple[str, ...]:
    proxies = NAMES.parse(raw)
    try:
        parse_networks(proxies)
    except ValueError:
        raise Invalid("must be IP addresses or CIDR ranges, comma-separated") from None
    return proxies


def _safelist(raw: str) -> Path:
    """The safelist is read at start-up: a file that cannot be used stops it with one line."""
    path = Path(raw)
    try:
        load_safelist(path)
    except OSError as error:
        raise Invalid(f"cannot be read: {error.strerror or error}") from None
    except ValueError as error:  # json.JSONDecodeError is one
        problem = str(error).splitlines()[0]
        raise Invalid(f"is not a usable safelist ({path}): {problem}") from None
    return path


def _tracking_urls(raw: str) -> dict[str, str]:
    try:
        return parse_tracking_urls(raw)
    except ValueError as error:
        raise Invalid(str(error)) from None


MUTATIONS = frozenset({"placeOrder", "reorder", "submitQuery", "replyToQuery"})
MAX_PRINCIPALS = 20  # BC app registrations the gateway spreads its requests over


def _mutations(raw: str) -> frozenset[str]:
    disabled = frozenset(NAMES.parse(raw))
    unknown = sorted(disabled - MUTATIONS)
    if unknown:
        raise Invalid(f"names unknown mutations {unknown}; known: {sorted(MUTATIONS)}")
    return disabled


def _order_scope(raw: str) -> str | None:
    if raw and not re.fullmatch(r"[\x21-\x7e]{1,200}", raw):
        raise Invalid("must be one scope or role name without spaces")
    return raw or None


def _document_key(raw: str) -> bytes:
    if len(raw.encode()) < 32:
        raise Invalid("must be at least 32 characters")
    return raw.encode()


def _audit_file(raw: str) -> Path:
    """The audit file must be writable at start-up; later failures are counted and warned about."""
    path = Path(raw)
    try:
        with path.open("a", encoding="utf-8"):
            pass
    except OSError as error:
        raise Invalid(f"cannot be opened for appending: {error.strerror or error}") from None
    return path


def _metrics_token(raw: str) -> bytes:
    if len(raw) < 16 or not raw.isprintable() or " " in raw:
        raise Invalid("must be at least 16 printable characters without spaces")
    return raw.encode()


def _webhook_secret(raw: str) -> bytes:
    if len(raw.encode()) < 32:
        raise Invalid("must be at least 32 characters")
    return raw.encode()


def _redis_url(raw: str) -> str:
    if urlsplit(raw).scheme not in REDIS_SCHEMES:
        # The URL may hold a password: the message never repeats it.
        raise Invalid("must start with redis://, rediss:// or unix://")
    return raw


def _credential_list(raw: str) -> tuple[str, ...]:
    """One value, or several separated by commas (Entra's ids and secrets hold no comma)."""
    values = tuple(part.strip() for part in raw.split(","))
    if not all(values):
        raise Invalid("has an empty entry: separate several values with single commas")
    if len(values) > MAX_PRINCIPALS:
        raise Invalid(f"may list at most {MAX_PRINCIPALS} values")
    return values


def _joined_in_order(values: tuple[str, ...]) -> str:
    return ",".join(values)


def _joined(values: Any) -> str:
    """A collection's README text: empty shows as no default."""
    if isinstance(values, dict):
        return ",".join(f"{key}={value}" for key, value in values.items())
    return ",".join(sorted(values))


_PERSISTED: dict[str, PersistedMode] = {"off": "off", "apq": "apq", "safelist": "safelist"}
_LOG_FORMATS: dict[str, LogFormat] = {"json": "json", "text": "text"}
_LOG_LEVELS = {name: name for name in ("debug", "info", "warning", "error")}
_EXPORTERS: dict[str, Exporter] = {"otlp": "otlp", "console": "console", "none": "none"}

# --- the sections, in the README's order ---------------------------------------------------

SERVER = Section("Serving")
HOST = SERVER.add("GATEWAY_HOST", Kind(_host, "IP address or host name"), "127.0.0.1", "address to listen on")
PORT = SERVER.add("GATEWAY_PORT", integer(1, 65535), 8000, "port to listen on")
TLS_CERT_FILE = SERVER.optional(
    "GATEWAY_TLS_CERT_FILE",
    PATH,
    "PEM certificate (the server's first, then its chain) for `bc-gateway serve` to terminate TLS "
    "itself, TLS 1.2 or later only; with `GATEWAY_TLS_KEY_FILE`.  Unset: plain HTTP, for a "
    "TLS-terminating proxy in front (`GATEWAY_TRUSTED_PROXIES`); in production a request that did "
    "not come over HTTPS is refused (`HTTPS_REQUIRED`)",
)
TLS_KEY_FILE = SERVER.optional(
    "GATEWAY_TLS_KEY_FILE", PATH, "the certificate's private key (PEM, without a passphrase)"
)
SHUTDOWN_DRAIN_SECONDS = SERVER.add(
    "GATEWAY_SHUTDOWN_DRAIN_SECONDS",
    number(0.0, 300.0),
    0.0,
    "on SIGTERM (or Ctrl+C): how long `/readyz` answers 503 while requests are still accepted, so "
    "load balancers stop sending new ones before the listener closes; a second signal ends it",
    production=5.0,
)
SHUTDOWN_GRACE_SECONDS = SERVER.add(
    "GATEWAY_SHUTDOWN_GRACE_SECONDS",
    integer(0, 3600),
    25,
    "then: how long the requests in flight may take to finish before they are cut off and the "
    "process exits (give the orchestrator's kill timeout at least drain + grace)",
)

EDGE = Section("The GraphQL endpoint")
GRAPHIQL = EDGE.add(
    "GATEWAY_GRAPHIQL",
    SWITCH,
    True,
    "GraphiQL at `GET /graphql` from a browser, with its scripts served by the gateway "
    "(`/graphiql/assets/…`, no CDN)",
    production=False,
)
MAX_DEPTH = EDGE.add(
    "GATEWAY_MAX_DEPTH", integer(1, 100), _LIMITS.max_depth, "deepest nesting of fields an operation may have"
)
MAX_ALIASES = EDGE.add(
    "GATEWAY_MAX_ALIASES",
    integer(0, 1000),
    _LIMITS.max_aliases,
    "most aliases in an operation (fragments counted where they are spread)",
)
MAX_ROOT_FIELDS = EDGE.add(
    "GATEWAY_MAX_ROOT_FIELDS",
    integer(1, 1000),
    _LIMITS.max_root_fields,
    "most top-level fields in an operation",
)
MAX_TOKENS = EDGE.add(
    "GATEWAY_MAX_TOKENS",
    integer(10, 100_000),
    _LIMITS.max_tokens,
    "most GraphQL tokens in a document (checked while parsing)",
)
MAX_QUERY_LENGTH = EDGE.add(
    "GATEWAY_MAX_QUERY_LENGTH", integer(10, 1_000_000), _LIMITS.max_length, "longest document, in characters"
)
MAX_DIRECTIVES = EDGE.add(
    "GATEWAY_MAX_DIRECTIVES", integer(0, 1000), _LIMITS.max_directives, "most directives in an operation"
)
COST_BUDGET = EDGE.add(
    "GATEWAY_COST_BUDGET",
    integer(1, 10_000_000),
    _LIMITS.cost_budget,
    "largest estimated cost of an operation: each object counts once per time it is resolved, lists "
    "multiply by `first` (or the default page size), other lists by `GATEWAY_COST_LIST_SIZE`; each "
    "expansion of a fragment spread counts once more",
)
COST_LIST_SIZE = EDGE.add(
    "GATEWAY_COST_LIST_SIZE",
    integer(1, 10_000),
    _LIMITS.default_list_size,
    "the size assumed for a list without `first` (an order's lines, …)",
)
MAX_REPEATED_FIELDS = EDGE.add(
    "GATEWAY_MAX_REPEATED_FIELDS",
    integer(0, 1000),
    _LIMITS.max_repeated_fields,
    "most selections that repeat a field (response key) already selected at the same level, "
    "fragments included (validation compares those pairwise)",
)
BATCH_LIMIT = EDGE.add(
    "GATEWAY_BATCH_LIMIT",
    integer(0, 100),
    _EDGE.batch_limit,
    "most operations in one array-batched request; `0` turns batching off",
)
RATE_LIMIT_PER_MINUTE = EDGE.add(
    "GATEWAY_RATE_LIMIT_PER_MINUTE",
    integer(1, 10**9),
    int(_EDGE.rate_limit.per_minute),
    "cost units a customer's token bucket refills per minute (an operation spends its estimated "
    "cost, at least 1)",
)
RATE_LIMIT_BURST = EDGE.add(
    "GATEWAY_RATE_LIMIT_BURST", integer(1, 10**9), int(_EDGE.rate_limit.burst), "the bucket's size"
)
IP_RATE_LIMIT_PER_MINUTE = EDGE.add(
    "GATEWAY_IP_RATE_LIMIT_PER_MINUTE",
    integer(1, 10**9),
    int(_EDGE.ip_rate_limit.per_minute),
    "unauthenticated (or rejected-token) requests per client address per minute",
)
IP_RATE_LIMIT_BURST = EDGE.add(
    "GATEWAY_IP_RATE_LIMIT_BURST", integer(1, 10**9), int(_EDGE.ip_rate_limit.burst), "that bucket's size"
)
PERSISTED_QUERIES = EDGE.add(
    "GATEWAY_PERSISTED_QUERIES",
    choice(_PERSISTED),
    _EDGE.persisted_queries,
    "`apq`: Apollo automatic persisted queries; `safelist`: only the operations in "
    "`GATEWAY_SAFELIST_FILE` run; `off`: neither",
)
SAFELIST_FILE = EDGE.optional(
    "GATEWAY_SAFELIST_FILE",
    Kind(_safelist, "path"),
    'JSON file of the front end\'s operations, read at start-up: `{"<sha256>": "<document>"}` — '
    'graphql-codegen\'s `persisted-documents.json` (`"sha256:<hash>"` keys) as it is — or '
    '`["<document>", …]`; clients send a listed document by hash (APQ `extensions`, or '
    '`{"documentId": "sha256:<hash>"}`) or in full',
)
MAX_BODY_BYTES = EDGE.add(
    "GATEWAY_MAX_BODY_BYTES", integer(1_000, 100_000_000), _EDGE.max_body_bytes, "largest request body"
)
CORS_ORIGINS = EDGE.add(
    "GATEWAY_CORS_ORIGINS",
    NAMES,
    _EDGE.cors_origins,
    "comma list of origins allowed to call from a browser (they may send `Authorization`, "
    "`Content-Type`, `X-BC-Company`, `Idempotency-Key`, `X-Request-Id` and read `Retry-After`, "
    "`Content-Disposition`, `X-Request-Id`); none: no CORS headers",
)
TRUSTED_PROXIES = EDGE.add(
    "GATEWAY_TRUSTED_PROXIES",
    Kind(_proxies, "comma list", _joined),
    _EDGE.trusted_proxies,
    "comma list of addresses or CIDR ranges whose `X-Forwarded-For`/`X-Forwarded-Proto` are believed",
)
PUBLIC_URL = EDGE.optional(
    "GATEWAY_PUBLIC_URL", URL, "the URL clients use; with `https://`, HSTS is sent on every response"
)
GET_MAX_AGE_SECONDS = EDGE.add(
    "GATEWAY_GET_MAX_AGE_SECONDS",
    integer(0, 86_400),
    _EDGE.get_max_age_seconds,
    "`Cache-Control: private, max-age=…` on answers to GET (persisted queries); `0`: "
    "`private, no-cache`. POST answers are `no-store`",
)

BC = Section("Business Central")
TENANT_ID = BC.optional(
    "BC_TENANT_ID",
    text(
        lambda raw: re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9.-]{0,99}", raw) is not None,
        "must be an Entra tenant id (GUID) or domain name",
        "GUID or domain",
    ),
    "Entra tenant (GUID or domain) of BC online; with `BC_ENVIRONMENT`, `BC_CLIENT_ID`, `BC_CLIENT_SECRET`",
)
ENVIRONMENT = BC.optional(
    "BC_ENVIRONMENT",
    text(
        lambda raw: re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_-]{0,29}", raw) is not None,
        "must be a Business Central environment name",
        "environment name",
    ),
    "BC environment name, e.g. `production`",
)
CLIENT_ID = BC.optional(
    "BC_CLIENT_ID",
    Kind(_credential_list, "comma list", _joined_in_order),
    'the Entra app registration\'s client id (BC "Microsoft Entra application" card); several, '
    "comma-separated, to spread BC requests over several app registrations, each with BC's limits "
    "of its own (`docs/store.md`)",
)
CLIENT_SECRET = BC.optional(
    "BC_CLIENT_SECRET",
    Kind(_credential_list, "comma list", _joined_in_order),
    "its client secret (with several client ids: as many secrets, comma-separated, in the same "
    "order); never logged, never sent anywhere but the token endpoint",
    secret=True,
)
BASE_URL = BC.optional(
    "BC_BASE_URL",
    URL,
    "instead of the online variables: an on-premises (or sandbox) environment URL, e.g. "
    "`https://bc.example.com:7048/bc`; needs `BC_TOKEN_URL`, `BC_CLIENT_ID`, `BC_CLIENT_SECRET`",
)
TOKEN_URL = BC.optional(
    "BC_TOKEN_URL",
    URL,
    "OAuth 2.0 client-credentials token endpoint (required with `BC_BASE_URL`); `https://`, or "
    "`http://` only to this machine (`localhost`, `127.0.0.1`, `::1`: the client secret never leaves "
    "it), as for `bc-gateway sandbox`",
    shown_default="Entra's, from `BC_TENANT_ID`",
)
COMPANY_ID = BC.optional(
    "BC_COMPANY_ID", guid("must be a company id (GUID)"), "the company for tokens that do not name one"
)
TIMEOUT_SECONDS = BC.add(
    "BC_TIMEOUT_SECONDS",
    number(1.0, 600.0),
    _field_default(BCSettings, "timeout_seconds"),
    "timeout of every BC request",
)
PAGE_SIZE = BC.add(
    "BC_PAGE_SIZE",
    integer(1, 20000),
    _field_default(BCSettings, "page_size"),
    "`Prefer: odata.maxpagesize` asked of BC",
)
MAX_CONCURRENCY = BC.add(
    "BC_MAX_CONCURRENCY",
    integer(1, 100),
    _RESILIENCE.max_concurrency,
    "BC requests in flight at once per BC principal (app registration; BC online processes 5 per "
    "principal); with `GATEWAY_REDIS_URL`, in all replicas together",
)
QUEUE_LIMIT = BC.add(
    "BC_QUEUE_LIMIT",
    integer(0, 10_000),
    _RESILIENCE.queue_limit,
    "BC requests that may wait in the gateway for a turn, per principal (BC itself only ever sees "
    "`BC_MAX_CONCURRENCY` of each); beyond that an operation fails at once with `BC_THROTTLED`",
)
RETRY_MAX_ATTEMPTS = BC.add(
    "BC_RETRY_MAX_ATTEMPTS",
    integer(1, 10),
    _RESILIENCE.retry_max_attempts,
    "attempts per read (first included) on 429/502/503/504, connection errors and timeouts; writes "
    "are never retried",
)
RETRY_AFTER_CAP_SECONDS = BC.add(
    "BC_RETRY_AFTER_CAP_SECONDS",
    number(0.1, 600.0),
    _RESILIENCE.retry_after_cap_seconds,
    "the longest `Retry-After` from BC that is honoured as is",
)
OPERATION_DEADLINE_SECONDS = BC.add(
    "BC_OPERATION_DEADLINE_SECONDS",
    number(0.5, 900.0),
    _RESILIENCE.operation_deadline_seconds,
    "one deadline per GraphQL operation for all its BC requests, retries and waits (then `BC_TIMEOUT`)",
)
BREAKER_FAILURES = BC.add(
    "BC_BREAKER_FAILURES",
    integer(1, 1000),
    _RESILIENCE.breaker_failures,
    "consecutive BC failures that open the circuit breaker (operations then fail fast with `BC_UNAVAILABLE`)",
)
BREAKER_RESET_SECONDS = BC.add(
    "BC_BREAKER_RESET_SECONDS",
    number(0.1, 3600.0),
    _RESILIENCE.breaker_reset_seconds,
    "how long the breaker stays open before one probe request may close it again",
)
BATCH = BC.add(
    "BC_BATCH",
    SWITCH,
    _RESILIENCE.batch,
    "reads made together go to BC as one JSON `$batch` (≤ 100 operations)",
)
CAPABILITY_REFRESH_SECONDS = BC.add(
    "BC_CAPABILITY_REFRESH_SECONDS",
    number(5.0, 86_400.0),
    _RESILIENCE.capability_refresh_seconds,
    "how often each API route's `$metadata` is read again (every 15 s while BC cannot be reached); "
    "`/readyz` answers from it and the circuit breaker, without asking BC",
)

IDENTITY = Section("Identity provider")
ISSUER = IDENTITY.optional(
    "AUTH_ISSUER", text(), "the customers' identity provider (`iss`); required with a real BC"
)
AUDIENCE = IDENTITY.optional("AUTH_AUDIENCE", text(), "the audience (`aud`) tokens must carry")
JWKS_URL = IDENTITY.optional("AUTH_JWKS_URL", URL, "where the identity provider publishes its signing keys")
CLAIM_CUSTOMER = IDENTITY.add(
    "AUTH_CLAIM_CUSTOMER",
    text(),
    _CLAIMS.customer,
    "claim holding the BC customer number, as BC stores it (upper case; `docs/companies.md`); a "
    "token naming anything else gets 401",
)
CLAIM_COMPANY = IDENTITY.add("AUTH_CLAIM_COMPANY", text(), _CLAIMS.company, "claim holding the BC company id")
CLAIM_MEMBERSHIPS = IDENTITY.add(
    "AUTH_CLAIM_MEMBERSHIPS",
    text(),
    _CLAIMS.memberships,
    "claim listing `{company, customer}` pairs, for people who buy for several companies",
)
CLAIM_ROLES = IDENTITY.add("AUTH_CLAIM_ROLES", text(), _CLAIMS.roles, "claim holding roles")
CLAIM_SCOPES = IDENTITY.add("AUTH_CLAIM_SCOPES", text(), _CLAIMS.scopes, "claim holding scopes")
LEEWAY_SECONDS = IDENTITY.add(
    "AUTH_LEEWAY_SECONDS",
    integer(0, 300),
    _field_default(AuthSettings, "leeway_seconds"),
    "clock skew allowed on `exp`/`nbf`",
)

PORTAL = Section("Customer portal and data")
WEB_PORTAL = PORTAL.add(
    "GATEWAY_PORTAL",
    SWITCH,
    True,
    "serve the reference customer portal at `/portal/` (`docs/portal.md`)",
    production=False,
)
PORTAL_CLIENT_ID = PORTAL.optional(
    "PORTAL_CLIENT_ID",
    text(),
    "the portal's client id at the identity provider (its app registration); required with "
    "`GATEWAY_PORTAL=on` in production",
    shown_default=f"`{DEVELOPMENT_CLIENT_ID}` in development",
)
PORTAL_SCOPES = PORTAL.add(
    "PORTAL_SCOPES",
    text(),
    DEFAULT_SCOPES,
    "the scopes the portal asks for (with Entra: its API scopes, e.g. `api://bc-gateway/orders.read`)",
)
ORDER_HISTORY_MONTHS = PORTAL.add(
    "PORTAL_ORDER_HISTORY_MONTHS",
    integer(1, 120),
    _PORTAL.order_history_months,
    "how far back `orders` reaches",
)
MAX_PAGE_SIZE = PORTAL.add(
    "PORTAL_MAX_PAGE_SIZE",
    integer(1, 1000),
    _PORTAL.max_page_size,
    "the largest `first` a connection accepts",
)
TRACKING_URLS = PORTAL.add(
    "PORTAL_TRACKING_URLS",
    Kind(_tracking_urls, "`CODE=URL`, comma list", _joined),
    dict(_PORTAL.tracking_urls),
    "tracking URL templates per shipping agent code, `{tracking}` for the number, e.g. "
    "`DHL=https://www.dhl.com/track?AWB={tracking},UPS=https://www.ups.com/track?tracknum={tracking}`; "
    "they override the agent's *Internet Address* in BC (whose `%1` is used otherwise)",
)

WRITES = Section("Orders and queries (writes)")
DISABLED_MUTATIONS = WRITES.add(
    "PORTAL_DISABLED_MUTATIONS",
    Kind(_mutations, "comma list", _joined),
    _WRITES.disabled_mutations,
    "comma list of mutations switched off (`placeOrder`, `reorder`, `submitQuery`, `replyToQuery`): "
    "they answer `DISABLED` and write nothing",
)
ORDER_SCOPE = WRITES.add(
    "PORTAL_ORDER_SCOPE",
    Kind(_order_scope, "scope or role name"),
    _WRITES.order_scope,
    "the token scope or role `placeOrder` and `reorder` require; set it empty to switch the check off",
    empty_is_value=True,
)
MAX_ORDER_LINES = WRITES.add(
    "PORTAL_MAX_ORDER_LINES", integer(1, 1000), _WRITES.max_order_lines, "the most lines one order may have"
)
MAX_LINE_QUANTITY = WRITES.add(
    "PORTAL_MAX_LINE_QUANTITY",
    Kind(lambda raw: Decimal(integer(1, 1_000_000_000).parse(raw)), "1–1,000,000,000"),
    _WRITES.max_line_quantity,
    "the largest quantity of one line",
)
QUERY_MAX_SUBJECT = WRITES.add(
    "PORTAL_QUERY_MAX_SUBJECT",
    integer(1, 100),
    _WRITES.query_max_subject,
    "the longest customer query subject (BC's field holds 100)",
)
QUERY_MAX_MESSAGE = WRITES.add(
    "PORTAL_QUERY_MAX_MESSAGE",
    integer(1, 100_000),
    _WRITES.query_max_message,
    "the longest customer query message",
)
WRITE_LEASE_SECONDS = WRITES.add(
    "GATEWAY_WRITE_LEASE_SECONDS",
    number(1.0, 300.0),
    _WRITES.write_lease_seconds,
    "how long an idempotency key in progress outlives a replica that died mid-write (renewed every "
    "third of it while the write runs); then another replica may take the key over, and finds the "
    "order in BC by its reference before it could write it again. Keep it above the time BC takes to "
    "commit an order",
)

DOCUMENTS = Section("Download links")
DOCUMENT_KEY = DOCUMENTS.optional(
    "GATEWAY_DOCUMENT_KEY",
    Kind(_document_key, "≥ 32 characters"),
    "HMAC key (≥ 32 characters, e.g. `openssl rand -base64 48`) of the signed `/documents/…` download "
    "links; required with a real BC, the same value on every replica, so a link one replica signs "
    "works on all (`docs/documents.md`)",
    shown_default="random per process in development",
    secret=True,
)
DOCUMENT_TTL_SECONDS = DOCUMENTS.add(
    "GATEWAY_DOCUMENT_TTL_SECONDS", integer(10, 3600), 300, "how long a download link stays valid"
)

CACHE = Section("Caching Business Central's answers")
CACHE_SWITCH = CACHE.add(
    "GATEWAY_CACHE",
    SWITCH,
    _CACHE.enabled,
    "keep BC's answers to reads for the times below — per customer, shared across customers only "
    "for the catalogue and stock — in the shared store (with `GATEWAY_REDIS_URL`: one cache for all "
    "replicas), and whole query responses built from them; a customer's own write drops what it "
    "changes; `off`: every read goes to BC and every query executes (`docs/caching.md`)",
)
_KEPT = {
    DataKind.ORDERS: "orders (open orders and their archives)",
    DataKind.SHIPMENTS: "posted shipments, their tracking and proof of delivery",
    DataKind.INVOICES: "posted invoices and credit memos",
    DataKind.ACCOUNT: "the account: balance, credit, aging, the ledger (statements)",
    DataKind.QUERIES: "the customer's queries and their messages",
    DataKind.CATALOGUE: "the catalogue (items, categories, units, shipping agents), shared across customers",
    DataKind.AVAILABILITY: "stock (`itemAvailabilities`), shared across customers",
}
CACHE_TTLS = {
    kind: CACHE.add(
        f"GATEWAY_CACHE_TTL_{kind.name}_SECONDS",
        number(0.1, 3600.0),
        _CACHE.ttl(kind),
        f"how long answers about {what} are kept",
    )
    for kind, what in _KEPT.items()
}
CACHE_TTL_WITH_WEBHOOKS = CACHE.add(
    "GATEWAY_CACHE_TTL_WITH_WEBHOOKS_SECONDS",
    number(0.1, 3600.0),
    _CACHE.with_webhooks_ttl,
    "how long answers about orders, shipments, invoices, the account and queries — and the "
    "catalogue's items read by id, a document line's item, while the `items` subscription is — are "
    "kept while BC's webhook subscriptions for everything that changes them are active: BC's "
    "notifications then drop what changed, and this bounds only what BC does not notify (`docs/caching.md`)",
)
CACHE_MEMORY_ROWS = CACHE.add(
    "GATEWAY_CACHE_MEMORY_ROWS",
    integer(0, 100_000_000),
    _CACHE.memory_rows,
    "rows each process keeps decoded in memory, all answers together (the least recently used "
    "go first); with Redis, answers beyond it are read from there",
)
CACHE_FILL_WAIT_SECONDS = CACHE.add(
    "GATEWAY_CACHE_FILL_WAIT_SECONDS",
    number(0.05, 30.0),
    _CACHE.fill_wait_seconds,
    "with Redis: how long a replica waits for another one that is reading the same answer from BC "
    "before it reads BC itself",
)
CACHE_RESPONSES_MEMORY_BYTES = CACHE.add(
    "GATEWAY_CACHE_RESPONSES_MEMORY_BYTES",
    integer(0, 2**40),
    _EDGE.response_cache_bytes,
    "bytes of whole query responses each process keeps (the least recently used go first); a "
    "response is kept while every answer it was built from is current, and with Redis it is "
    "shared by all replicas (`docs/caching.md`)",
)

STORE = Section("Replicas and Redis")
REDIS_URL = STORE.optional(
    "GATEWAY_REDIS_URL",
    Kind(_redis_url, "`redis://`, `rediss://` or `unix://` URL"),
    "the Redis that replicas share (`redis://[user:password@]host:port/db`, `rediss://…` for TLS, "
    "`unix:///path/redis.sock`): idempotency keys, rate-limit budgets, APQ documents, company names "
    "and currencies, and BC's concurrency limit and request window then hold for all replicas "
    "together; unset: everything stays in this process (a production gateway warns that it is one "
    "replica). See `docs/store.md`",
    secret=True,
)
REDIS_PREFIX = STORE.add(
    "GATEWAY_REDIS_PREFIX",
    text(
        lambda raw: re.fullmatch(r"[A-Za-z0-9_.:-]{1,64}", raw) is not None,
        "must be 1 to 64 letters, digits or _ . : -",
        "1–64 of `A-Z a-z 0-9 _ . : -`",
    ),
    _STORE.prefix,
    "starts every Redis key and channel, so deployments can share one Redis",
)
REDIS_TIMEOUT_SECONDS = STORE.add(
    "GATEWAY_REDIS_TIMEOUT_SECONDS",
    number(0.05, 30.0),
    _STORE.timeout_seconds,
    "connecting to Redis and each of its answers; past it the shared store counts as unreachable",
)
REPLICAS = STORE.add(
    "GATEWAY_REPLICAS",
    integer(1, 1000),
    _RESILIENCE.replicas,
    "how many replicas share the BC principals; used only while Redis is unreachable, when each "
    "replica keeps `BC_MAX_CONCURRENCY / GATEWAY_REPLICAS` (rounded down, at least 1) BC requests per "
    "principal in flight, and `1 / GATEWAY_REPLICAS` of each rate-limit budget, on its own",
)

WEBHOOKS = Section("Business Central webhooks")
WEBHOOKS_SWITCH = WEBHOOKS.add(
    "GATEWAY_WEBHOOKS",
    SWITCH,
    True,
    "subscribe to BC's webhooks and take its notifications at `/webhooks/bc` (`docs/webhooks.md`); in "
    "development the embedded sandbox calls back in process",
    production=False,
    shown_default="`on` in development; in production `on` when `GATEWAY_WEBHOOK_URL` is set",
)
WEBHOOK_URL = WEBHOOKS.optional(
    "GATEWAY_WEBHOOK_URL",
    URL,
    "the public URL Business Central calls (this gateway's `/webhooks/bc`)",
    shown_default="`GATEWAY_PUBLIC_URL` + `/webhooks/bc`; in development `http://GATEWAY_HOST:GATEWAY_PORT/webhooks/bc`",
)
WEBHOOK_SECRET = WEBHOOKS.optional(
    "GATEWAY_WEBHOOK_SECRET",
    Kind(_webhook_secret, "≥ 32 characters"),
    "secret (≥ 32 characters, the same on every replica) from which each subscription's "
    "`clientState` is derived; required with webhooks on a real BC",
    shown_default="random per process in development",
    secret=True,
)
WEBHOOK_RENEW_MARGIN_SECONDS = WEBHOOKS.add(
    "GATEWAY_WEBHOOK_RENEW_MARGIN_SECONDS",
    number(600.0, 172_800.0),
    _WEBHOOKS.renew_margin_seconds,
    "renew a subscription this long before it expires (BC: 3 days after the last renewal)",
)
CHANGE_POLL_SWITCH = WEBHOOKS.add(
    "GATEWAY_CHANGE_POLL",
    SWITCH,
    True,
    "while webhooks are off (BC cannot call the gateway), learn BC's changes by polling them: one "
    "replica reads what changed since its last poll (`lastModifiedDateTime`), so changes reach the "
    "answer cache and GraphQL subscriptions as with webhooks and answers are kept as long "
    "(`docs/changes.md`); `off`: answers keep their own short times to live",
)
CHANGE_POLL_SECONDS = WEBHOOKS.add(
    "GATEWAY_CHANGE_POLL_SECONDS",
    number(1.0, 3600.0),
    _CHANGE_POLL.every_seconds,
    "how often changes are polled: each poll costs BC one `$batch` for all companies (and one more "
    "request where the portal extension is installed), about 0.4 of BC's 20 requests a second at "
    "5 s; a change reaches the cache within this (and its own commit)",
)

OBSERVE = Section("Logs, audit trail, metrics and tracing")
LOG_FORMAT: Variable[LogFormat] = OBSERVE.add(
    "GATEWAY_LOG_FORMAT",
    choice(_LOG_FORMATS),
    "text",
    "every log line on standard output — the gateway's, uvicorn's, the access and audit lines — as "
    "one JSON object (`json`) or readable text (`text`); `docs/observability.md`",
    production="json",
)
LOG_LEVEL = OBSERVE.add(
    "GATEWAY_LOG_LEVEL",
    choice(_LOG_LEVELS),
    _LOGS.level,
    "the least severe level logged (`debug` adds the probes' and scrapes' access lines); the "
    "audit trail is written whatever the level",
)
AUDIT_STDOUT = OBSERVE.add(
    "GATEWAY_AUDIT_STDOUT",
    SWITCH,
    _LOGS.audit_stdout,
    "the audit trail (a record per BC request and per write, loggers `gateway.audit.*`) on standard output",
)
AUDIT_FILE = OBSERVE.optional(
    "GATEWAY_AUDIT_FILE",
    Kind(_audit_file, "path"),
    "also append the audit trail to this file, as JSON lines, rotated by size; it must be writable at "
    "start-up, and a record that cannot be written later is counted and warned about",
)
AUDIT_FILE_MAX_BYTES = OBSERVE.add(
    "GATEWAY_AUDIT_FILE_MAX_BYTES",
    integer(0, 10**12),
    _LOGS.audit_file_max_bytes,
    "the audit file's size at which it is rotated (`…audit.log.1`, …); `0`: never (rotate it outside)",
)
AUDIT_FILE_BACKUPS = OBSERVE.add(
    "GATEWAY_AUDIT_FILE_BACKUPS",
    integer(0, 1000),
    _LOGS.audit_file_backups,
    "how many rotated audit files are kept",
)
METRICS_TOKEN = OBSERVE.optional(
    "GATEWAY_METRICS_TOKEN",
    Kind(_metrics_token, "≥ 16 characters"),
    "serve Prometheus metrics at `/metrics` on the gateway's port to requests with "
    "`Authorization: Bearer <token>`; without it (and in production) `/metrics` is not served there "
    "(in development it is, openly)",
    secret=True,
)
METRICS_PORT = OBSERVE.optional(
    "GATEWAY_METRICS_PORT",
    integer(1, 65535),
    "serve the metrics unauthenticated on this port, a listener of its own (for a network only "
    "Prometheus reaches)",
)
METRICS_HOST = OBSERVE.optional(
    "GATEWAY_METRICS_HOST",
    Kind(_host, "IP address or host name"),
    "the address the metrics port listens on",
    shown_default="`GATEWAY_HOST`",
)
TRACES_EXPORTER = OBSERVE.optional(
    "OTEL_TRACES_EXPORTER",
    choice(_EXPORTERS),
    "OpenTelemetry tracing (needs `pip install 'bc-gateway[otel]'`): a span per GraphQL operation and "
    "per BC request, `otlp` (OTLP over HTTP) or `console` (stderr)",
    shown_default="`otlp` when an OTLP endpoint is set, else `none`",
)
OTLP_ENDPOINT = OBSERVE.optional(
    "OTEL_EXPORTER_OTLP_ENDPOINT",
    URL,
    "the OTLP/HTTP collector, e.g. `http://collector:4318` (spans go to `…/v1/traces`); setting it "
    "switches tracing on. The SDK reads the other `OTEL_EXPORTER_OTLP_*` variables (headers, timeout, "
    "certificates) itself",
)
OTLP_TRACES_ENDPOINT = OBSERVE.optional(
    "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
    URL,
    "the full URL spans are sent to, instead of `OTEL_EXPORTER_OTLP_ENDPOINT`",
)
SERVICE_NAME = OBSERVE.add(
    "OTEL_SERVICE_NAME", text(), _TRACING.service_name, "the service name the spans carry"
)
SDK_DISABLED = OBSERVE.add(
    "OTEL_SDK_DISABLED", SWITCH, False, "`true` switches tracing off whatever else is set"
)
LIVE = Section("GraphQL subscriptions (WebSocket)")
SUBSCRIPTIONS_SWITCH = LIVE.add(
    "GATEWAY_SUBSCRIPTIONS",
    SWITCH,
    _LIVE.enabled,
    "GraphQL subscriptions over WebSocket on `/graphql` (`graphql-transport-ws`: `orderUpdated`, "
    "`documentPosted`, `queryUpdated`, `itemAvailabilityChanged`; `docs/subscriptions.md`), fed by BC's "
    "webhooks; `off`: a WebSocket there is refused",
)
SUBSCRIPTION_CONNECTIONS = LIVE.add(
    "GATEWAY_SUBSCRIPTION_CONNECTIONS",
    integer(1, 1000),
    _LIVE.max_connections,
    "WebSockets one customer may hold open at once (with `GATEWAY_REDIS_URL`, on all replicas "
    "together); one more is closed with `4429`",
)
SUBSCRIPTION_OPERATIONS = LIVE.add(
    "GATEWAY_SUBSCRIPTION_OPERATIONS",
    integer(1, 10_000),
    _LIVE.max_operations,
    "subscriptions one customer may run at once, all their sockets together; one more is answered "
    "`SUBSCRIPTION_LIMIT`",
)
SUBSCRIPTION_PING_SECONDS = LIVE.add(
    "GATEWAY_SUBSCRIPTION_PING_SECONDS",
    number(1.0, 3600.0),
    _LIVE.ping_seconds,
    "the server pings every socket this often (`graphql-transport-ws` `ping`); a client that has not "
    "answered by the next ping is disconnected (`1001`)",
)
SUBSCRIPTION_INIT_SECONDS = LIVE.add(
    "GATEWAY_SUBSCRIPTION_INIT_SECONDS",
    number(1.0, 300.0),
    _LIVE.init_seconds,
    "how long a new socket may take to send `connection_init` (then `4408`)",
)

DEVELOPMENT = Section("Development mode (the embedded sandbox)")
DATA_DIR = DEVELOPMENT.add(
    "GATEWAY_DATA_DIR",
    PATH,
    Path(".bc-gateway"),
    "where the development identity provider keeps its signing key and sign-ins, so they outlive a restart",
)
ACCESS_TOKEN_TTL_SECONDS = DEVELOPMENT.add(
    "DEV_IDP_ACCESS_TOKEN_TTL_SECONDS",
    integer(10, 86_400),
    3600,
    "lifetime of the development identity provider's code-flow access tokens",
)
SANDBOX_SEED = DEVELOPMENT.add("SANDBOX_SEED", integer(0, 2**31), 42, "seed of the sandbox's demo data")
SANDBOX_SCALE = DEVELOPMENT.add(
    "SANDBOX_SCALE",
    number(0.01, 100.0),
    1.0,
    "size of the sandbox's demo data (1.0: 2 companies, ≥ 40 customers, ≥ 300 items and ≥ 3,000 orders each)",
)

SANDBOX_NOTIFICATION_DELAY_SECONDS = DEVELOPMENT.add(
    "SANDBOX_NOTIFICATION_DELAY_SECONDS",
    number(0.0, 600.0),
    2.0,
    "how long the embedded sandbox waits before it sends a webhook notification (BC waits 30 s)",
)
SANDBOX_STAFF_EVERY_SECONDS = DEVELOPMENT.add(
    "SANDBOX_STAFF_EVERY_SECONDS",
    number(0.0, 86_400.0),
    0.0,
    "the sandbox's staff simulator releases, ships, invoices, takes payments, adjusts stock or answers "
    "a query this often, so orders move on their own (`0`: only on demand, `bc-gateway staff`)",
)


def _order_counts(raw: str) -> tuple[int, ...]:
    counts = []
    for part in NAMES.parse(raw):
        if not part.isdigit() or not 1 <= int(part) <= 100_000:
            raise Invalid(f"must be a comma list of order counts (1–100,000), got {part!r}")
        counts.append(int(part))
    return tuple(counts)


SANDBOX_LONG_HISTORIES = DEVELOPMENT.add(
    "SANDBOX_LONG_HISTORIES",
    Kind(_order_counts, "comma list of 1–100,000", lambda counts: ",".join(map(str, counts))),
    (),
    "customers added to the demo world's first company, one per number, each with that many orders "
    "of its own in the last 12 months (`LONG-1000`, …; `bench/history_cost.py` uses "
    "`1000,10000,50000`); none by default, a long history takes a while to build",
)

SECTIONS = (
    SERVER,
    EDGE,
    BC,
    IDENTITY,
    PORTAL,
    WRITES,
    DOCUMENTS,
    CACHE,
    STORE,
    WEBHOOKS,
    LIVE,
    OBSERVE,
    DEVELOPMENT,
)
VARIABLES: tuple[Variable[Any], ...] = tuple(item for section in SECTIONS for item in section.variables)
# Every variable the gateway reads (the README's configuration table lists the same names).
KNOWN_VARIABLES = tuple(variable.name for variable in VARIABLES)
