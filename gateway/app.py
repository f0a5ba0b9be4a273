"""The composition root: ``create_app(settings, …)`` wires every layer together.

Only the entry points read the environment — the CLI, and :func:`app_from_environ` for process
managers — both through ``gateway.settings``; tests build ``Settings`` and pass transports.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import os
import sys
import time
from collections.abc import AsyncIterator, Callable
from datetime import date
from typing import TYPE_CHECKING

import httpx
from starlette.applications import Starlette
from starlette.routing import BaseRoute, Mount, Route, WebSocketRoute

from gateway.auth import DevIdentityProvider, JwksCache, TokenValidator
from gateway.bc import ANALYTICS_API, PORTAL_API, STANDARD_API, AnswerCache, BCClient, Clock
from gateway.edge.companies import LocalCurrencies
from gateway.edge.company_names import CompanyNames
from gateway.edge.documents import documents_endpoint
from gateway.edge.graphiql import graphiql_assets
from gateway.edge.graphql import AuthenticatedGraphQL, PortalGraphQL
from gateway.edge.guards import build_guards, edge_middleware, schema_for
from gateway.edge.health import healthz, readyz
from gateway.edge.portal import DEVELOPMENT_CLIENT_ID, PortalSignIn, portal_routes
from gateway.edge.ratelimit import RateLimiter
from gateway.edge.state import GatewayState
from gateway.edge.store_probe import StoreProbe
from gateway.resolvers.context import Writes
from gateway.resolvers.document_links import DocumentSigner
from gateway.resolvers.idempotency import InMemoryKeyStore
from gateway.schema import schema
from gateway.settings import Settings
from gateway.store import open_store

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
) -> Starlette:
    """The gateway as an ASGI app.

    With ``settings.bc`` unset the app runs in development mode on the embedded sandbox (built
    here unless ``development`` is given); otherwise it talks to the configured BC through
    ``bc_transport`` (default: the network) and validates tokens against ``settings.auth``.
    ``wall_clock`` dates download links and kept BC answers; ``token_clock`` judges tokens'
    ``exp``/``nbf`` (and is the development identity provider's clock when it is built here).
    """
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
    served_schema = schema_for(schema, production=production)
    guards = build_guards(
        settings.edge, settings.portal, served_schema, production=production, limiter=rate_limiter
    )

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        store = open_store(settings.store, clock=clock)
        if production and not store.replicated:
            LOGGER.warning(
                "single_replica: GATEWAY_REDIS_URL is not set, so idempotency keys, rate limits and "
                "BC's limits hold for this process only; run one replica, or set it"
            )
        # A fresh app starts with an empty cache: answers live in its store (Redis: shared).
        cache = settings.cache
        answers = AnswerCache(cache, store, wall_clock=wall_clock) if cache.enabled else None
        bc_client = BCClient(
            bc_settings, transport=bc_transport, clock=bc_clock, shared=store, answers=answers
        )
        async with (
            contextlib.aclosing(store),
            _closing(answers),
            bc_client as bc,
            httpx.AsyncClient(transport=jwks_transport, timeout=10.0) as jwks_http,
        ):
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
            app.state.gateway = GatewayState(
                bc=bc,
                validator=TokenValidator(auth_settings, jwks, clock=token_clock),
                currencies=LocalCurrencies(),
                policy=settings.portal,
                today=today,
                default_company_id=settings.default_company_id,
                dev_identity=dev_identity,
                edge=guards,
                mode="production" if production else "development",
                writes=Writes(policy=settings.writes, keys=InMemoryKeyStore()),
                documents=DocumentSigner(
                    settings.document_key, clock=wall_clock, ttl_seconds=settings.document_ttl_seconds
                ),
                company_names=CompanyNames(bc, clock),
                store=StoreProbe(store, clock),
            )
            try:
                yield
            finally:
                refresher.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await refresher

    graphql = AuthenticatedGraphQL(PortalGraphQL(served_schema, graphql_ide=None), graphiql=settings.graphiql)
    routes: list[BaseRoute] = [
        Route("/graphql", graphql),
        WebSocketRoute("/graphql", graphql),  # refused with a reason: there are no subscriptions
        Route("/healthz", healthz),
        Route("/readyz", readyz),
        Route("/documents/{token}", documents_endpoint, methods=["GET"]),
    ]
    if settings.graphiql:
        routes.append(graphiql_assets())
    if development is not None:
        from gateway.edge.development import demo_customer_list

        routes.append(Route("/dev-idp/customers", demo_customer_list(development)))
        routes.append(Mount("/dev-idp", app=development.identity.asgi_app()))
    sign_in = _portal_sign_in(settings, development)
    if sign_in is not None:
        routes.extend(portal_routes(sign_in))
    middleware = edge_middleware(settings.edge, production=production)
    return Starlette(routes=routes, lifespan=lifespan, middleware=middleware)


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
    return create_app(settings)
