"""The composition root: ``create_app(settings, …)`` wires every layer together.

Only the entry points read the environment — the CLI, and :func:`app_from_environ` for process
managers — both through ``gateway.settings``; tests build ``Settings`` and pass transports.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import hashlib
import logging
import os
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

import httpx
import strawberry
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import BaseRoute, Mount, Route, WebSocketRoute

from gateway.auth import AuthSettings, DevIdentityProvider, JwksCache, TokenValidator
from gateway.bc import ANALYTICS_API, PORTAL_API, STANDARD_API, AnswerCache, BCClient, Clock
from gateway.edge.access import AccessLog
from gateway.edge.companies import KEEP_SECONDS as CURRENCY_SECONDS
from gateway.edge.companies import LocalCurrencies
from gateway.edge.company_names import REFRESH_SECONDS as NAMES_SECONDS
from gateway.edge.company_names import CompanyNames
from gateway.edge.documents import documents_endpoint
from gateway.edge.graphiql import graphiql_assets
from gateway.edge.graphql import AuthenticatedGraphQL
from gateway.edge.guards import build_guards, edge_middleware
from gateway.edge.health import healthz, readyz
from gateway.edge.live import Live, LiveHub, LiveQuota
from gateway.edge.metrics_endpoint import metrics_endpoint
from gateway.edge.portal import DEVELOPMENT_CLIENT_ID, PortalSignIn, portal_routes
from gateway.edge.ratelimit import RateLimiter
from gateway.edge.response_cache import ResponseCache
from gateway.edge.shared_facts import SharedFacts
from gateway.edge.shutdown import DrainingMiddleware, Shutdown
from gateway.edge.state import GatewayState
from gateway.edge.store_probe import StoreProbe
from gateway.edge.telemetry import EdgeTelemetry, operation_names
from gateway.edge.webhooks import webhooks_endpoint
from gateway.resolvers.context import Writes
from gateway.resolvers.document_links import DocumentSigner
from gateway.resolvers.idempotency import SharedKeyStore
from gateway.resolvers.writes.codec import WRITE_RESULTS
from gateway.schema import schema
from gateway.settings import Settings
from gateway.store import Store, open_store
from gateway.telemetry import Metrics, MetricsListener, Tracer, configure_logging, start_tracing
from gateway.webhooks import ChangePollService, WebhookService

__all__ = ["Shutdown", "app_from_environ", "create_app"]

LOGGER = logging.getLogger("gateway.app")

if TYPE_CHECKING:
    # Development mode's wiring loads the whole sandbox: imported only when it is used, so a
    # production gateway never loads a module of it (tests/test_import_direction.py).
    from gateway.edge.development import Development


def create_app(
    settings: Settings,
    *,
    bc_transport: httpx.AsyncBaseTransport | None = None,
    jwks_transport: httpx.AsyncBaseTransport | None = None,
    development: Development | None = None,
    today: Callable[[], date] = date.today,
    bc_clock: Clock | None = None,
    rate_limiter: RateLimiter | None = None,
    clock: Callable[[], float] = time.monotonic,
    wall_clock: Callable[[], float] = time.time,
    token_clock: Callable[[], float] = time.time,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    shutdown: Shutdown | None = None,
    tracer: Tracer | None = None,
) -> Starlette:
    """The gateway as an ASGI app.

    With ``settings.bc`` unset the app runs in development mode on the embedded sandbox (built
    here unless ``development`` is given); otherwise it talks to the configured BC through
    ``bc_transport`` (default: the network) and validates tokens against ``settings.auth``.
    ``wall_clock`` dates download links and kept BC answers; ``token_clock`` judges tokens'
    ``exp``/``nbf`` (and is the development identity provider's clock when it is built here).
    ``sleep`` waits for WebSocket timers (pings, ``connection_init``, token expiry) on ``clock``.
    ``shutdown``, once requested, turns ``/readyz`` to 503 (``bc-gateway serve`` requests it on
    SIGTERM).  ``tracer`` replaces the one ``settings.tracing`` would start (tests: an in-memory
    exporter's).
    """
    shutdown = shutdown or Shutdown()
    if settings.bc is None and development is None:
        from gateway.edge.development import start_development

        development = start_development(settings, clock=token_clock)
    bc_settings = development.bc_settings if development else settings.bc
    auth_settings = development.auth_settings if development else settings.auth
    if bc_settings is None or auth_settings is None:
        raise ValueError("settings.bc and settings.auth are required outside development mode")
    bc_settings = dataclasses.replace(bc_settings, resilience=settings.bc_resilience)
    if development is not None:
        bc_transport = development.bc_transport
        jwks_transport = development.jwks_transport
    dev_identity: DevIdentityProvider | None = development.identity if development else None
    production = development is None
    metrics = Metrics(operation_names(settings.edge))

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        store = open_store(settings.store, clock=clock)
        if production and not store.replicated:
            LOGGER.warning(
                "single_replica: GATEWAY_REDIS_URL is not set, so idempotency keys, rate limits and "
                "BC's limits hold for this process only; run one replica, or set it"
            )
        guards = build_guards(
            settings.edge,
            settings.portal,
            schema,
            store,
            production=production,
            replicas=settings.bc_resilience.replicas,
            clock=clock,
            wall_clock=wall_clock,
            limiter=rate_limiter,
        )
        keys = SharedKeyStore(
            store.kv, store.channels, WRITE_RESULTS, lease_seconds=settings.writes.write_lease_seconds
        )
        telemetry = EdgeTelemetry(metrics, tracer or start_tracing(settings.tracing))
        # A fresh app starts with an empty cache: answers live in its store (Redis: shared).
        answers = (
            AnswerCache(settings.cache, store, wall_clock=wall_clock, recorder=metrics)
            if settings.cache.enabled
            else None
        )
        # Whole responses to queries, kept while the answers they were built from are current.
        responses = (
            ResponseCache(
                answers,
                store,
                memory_bytes=settings.edge.response_cache_bytes,
                wall_clock=wall_clock,
                recorder=metrics,
                namespace=_answers_shape(settings),
            )
            if answers is not None
            else None
        )
        async with (
            _telemetry_open(telemetry, settings),
            contextlib.aclosing(store),
            contextlib.aclosing(keys),
            _closing(answers),
            BCClient(
                bc_settings,
                transport=bc_transport,
                clock=bc_clock,
                shared=store,
                observer=telemetry.bc_observer(),
                answers=answers,
            ) as bc,
            httpx.AsyncClient(transport=jwks_transport, timeout=10.0) as jwks_http,
        ):
            telemetry.watch(bc)
            bc_routes = (STANDARD_API, ANALYTICS_API, PORTAL_API)
            await bc.capabilities.refresh(bc, bc_routes)
            refresher = asyncio.create_task(
                bc.capabilities.keep_fresh(
                    bc, bc_routes, bc_settings.resilience.capability_refresh_seconds, asyncio.sleep
                )
            )
            jwks = JwksCache(
                auth_settings.jwks_url, jwks_http, min_refresh_seconds=auth_settings.jwks_min_refresh_seconds
            )
            webhooks = _webhooks(settings, bc, store, wall_clock)
            changes = _change_poll(settings, bc, store, wall_clock, sleep) if webhooks is None else None
            probe = StoreProbe(store, clock)
            metrics.watch_store(lambda: probe.last_answer)
            live = _subscriptions(settings, store, schema, clock, token_clock, sleep, auth_settings)
            _watch(metrics, webhooks, live, changes)
            app.state.gateway = GatewayState(
                bc=bc,
                validator=TokenValidator(auth_settings, jwks, clock=token_clock),
                currencies=LocalCurrencies(SharedFacts(store.kv, clock, ttl_seconds=CURRENCY_SECONDS)),
                policy=settings.portal,
                today=today,
                default_company_id=settings.default_company_id,
                dev_identity=dev_identity,
                edge=guards,
                mode="production" if production else "development",
                writes=Writes(policy=settings.writes, keys=keys, recorder=metrics),
                documents=DocumentSigner(
                    settings.document_key, clock=wall_clock, ttl_seconds=settings.document_ttl_seconds
                ),
                company_names=CompanyNames(bc, SharedFacts(store.kv, clock, ttl_seconds=NAMES_SECONDS)),
                store=probe,
                telemetry=telemetry,
                webhooks=webhooks,
                changes=changes,
                live=live,
                shutdown=shutdown,
                responses=responses,
            )
            try:
                async with _live(app, webhooks, changes, development):
                    yield
            finally:
                if live is not None:
                    await live.hub.aclose()
                refresher.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await refresher

    graphql = AuthenticatedGraphQL(schema, graphiql=settings.graphiql)
    routes: list[BaseRoute] = [
        Route("/graphql", graphql),
        WebSocketRoute("/graphql", graphql),  # subscriptions (graphql-transport-ws), docs/subscriptions.md
        Route("/healthz", healthz),
        Route("/readyz", readyz),
        Route("/documents/{token}", documents_endpoint, methods=["GET"]),
        Route("/webhooks/bc", webhooks_endpoint, methods=["GET", "POST"]),
    ]
    if settings.metrics.token is not None or not production:
        routes.append(Route("/metrics", metrics_endpoint(metrics, settings.metrics.token), methods=["GET"]))
    if settings.graphiql:
        routes.append(graphiql_assets())
    if development is not None:
        from gateway.edge.development import demo_customer_list, staff_routes

        routes.append(Route("/dev-idp/customers", demo_customer_list(development)))
        routes.append(Mount("/dev-idp", app=development.identity.asgi_app()))
        routes.extend(staff_routes(development))
    sign_in = _portal_sign_in(settings, development)
    if sign_in is not None:
        routes.extend(portal_routes(sign_in))
    middleware = [
        # Outermost: a request the drain cuts off is logged with the 503 it was answered.
        Middleware(AccessLog, metrics=metrics),
        Middleware(DrainingMiddleware, shutdown=shutdown),
        *edge_middleware(settings.edge, production=production),
    ]
    return Starlette(routes=routes, lifespan=lifespan, middleware=middleware)


def _answers_shape(settings: Settings) -> str:
    """What shapes a query's answer besides BC and the request: the schema and the portal policy."""
    return hashlib.sha256(f"{schema.as_str()}\n{settings.portal!r}".encode()).hexdigest()[:16]


def _webhooks(
    settings: Settings, bc: BCClient, store: Store, wall_clock: Callable[[], float]
) -> WebhookService | None:
    if not settings.webhooks.enabled:
        return None
    return WebhookService(settings.webhooks, bc, store, now=lambda: datetime.fromtimestamp(wall_clock(), UTC))


def _change_poll(
    settings: Settings,
    bc: BCClient,
    store: Store,
    wall_clock: Callable[[], float],
    sleep: Callable[[float], Awaitable[None]],
) -> ChangePollService | None:
    """BC's changes polled, when webhooks are off and polling is on (docs/changes.md)."""
    if not settings.change_poll.enabled:
        return None
    return ChangePollService(settings.change_poll, bc, store, now=wall_clock, sleep=sleep)


def _watch(
    metrics: Metrics, webhooks: WebhookService | None, live: Live | None, changes: ChangePollService | None
) -> None:
    """What ``/metrics`` reads of the webhooks (or the change poller) and the GraphQL
    subscriptions when scraped."""
    if webhooks is not None:
        manager = webhooks.manager  # its report is replaced at each pass: read the current one
        metrics.watch_webhooks(webhooks.stats.as_dict, lambda: manager.report.summary())
    elif changes is not None:
        metrics.watch_webhooks(changes.stats.as_dict, dict)
    if live is not None:
        metrics.watch_live(lambda: {**dataclasses.asdict(live.stats), **dataclasses.asdict(live.hub.stats)})


def _subscriptions(
    settings: Settings,
    store: Store,
    schema: strawberry.Schema,
    clock: Callable[[], float],
    token_clock: Callable[[], float],
    sleep: Callable[[float], Awaitable[None]],
    auth_settings: AuthSettings,
) -> Live | None:
    if not settings.live.enabled:
        return None
    return Live(
        settings=settings.live,
        hub=LiveHub(store.channels, sleep=sleep),
        quota=LiveQuota(store.slots, settings.live),
        schema=schema._schema,
        clock=clock,
        token_clock=token_clock,
        sleep=sleep,
        leeway_seconds=auth_settings.leeway_seconds,
    )


@contextlib.asynccontextmanager
async def _telemetry_open(telemetry: EdgeTelemetry, settings: Settings) -> AsyncIterator[None]:
    """The metrics' own listener (``GATEWAY_METRICS_PORT``) while the app runs; the tracer
    flushed and stopped when it ends."""
    listener = None
    port = settings.metrics.port
    if port is not None:
        host = settings.metrics.host or settings.host
        try:
            listener = MetricsListener.start(telemetry.metrics, host, port)
        except OSError as error:
            raise RuntimeError(
                f"GATEWAY_METRICS_PORT: cannot listen on {host}:{port}: {error.strerror}"
            ) from None
    try:
        yield
    finally:
        if listener is not None:
            listener.close()
        telemetry.tracer.shutdown()


@contextlib.asynccontextmanager
async def _live(
    app: Starlette,
    webhooks: WebhookService | None,
    changes: ChangePollService | None,
    development: Development | None,
) -> AsyncIterator[None]:
    """Webhooks (or the change poller) in the background; in development, the embedded
    sandbox's background work too."""
    async with contextlib.AsyncExitStack() as running:
        if development is not None:
            from gateway.edge.development import embedded_sandbox_running

            embedded = embedded_sandbox_running(development, app, webhooks=webhooks is not None)
            await running.enter_async_context(embedded)
        if webhooks is not None:
            await running.enter_async_context(webhooks.running())
        if changes is not None:
            await running.enter_async_context(changes.running())
        yield


@contextlib.asynccontextmanager
async def _closing(answers: AnswerCache | None) -> AsyncIterator[None]:
    try:
        yield
    finally:
        if answers is not None:
            await answers.aclose()


def _portal_sign_in(settings: Settings, development: Development | None) -> PortalSignIn | None:
    """How ``/portal/`` signs in, or ``None`` when it is not served (production by default)."""
    portal = settings.web_portal
    if development is not None:
        if portal.enabled is False:
            return None
        return PortalSignIn(development.identity.issuer, DEVELOPMENT_CLIENT_ID, portal.scopes)
    if not portal.enabled or settings.auth is None or portal.client_id is None:
        return None
    return PortalSignIn(settings.auth.issuer, portal.client_id, portal.scopes)


def app_from_environ() -> Starlette:
    """The gateway configured from the environment, for a process manager to start::

        uvicorn --factory gateway.app:app_from_environ --host 0.0.0.0 --port 8000 --no-proxy-headers
        gunicorn -k uvicorn_worker.UvicornWorker 'gateway.app:app_from_environ()' --forwarded-allow-ips ''

    It reads the same variables as ``bc-gateway serve`` through the same settings code (the
    server's own flags choose the address; ``GATEWAY_HOST``/``GATEWAY_PORT`` are not used).  A
    configuration problem is one line on stderr and exit code 2, as with ``bc-gateway serve``.
    """
    from gateway.settings import ConfigError, settings_from_environ

    try:
        settings = settings_from_environ(os.environ)
    except ConfigError as error:
        print(error.report(), file=sys.stderr, flush=True)
        raise SystemExit(2) from None
    configure_logging(settings.logs)
    return create_app(settings)
