"""Builds the edge's protections from settings: the operation gate, the rate limiter, middleware."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace

import strawberry
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware

from gateway.edge.access import REQUEST_ID_HEADER
from gateway.edge.apq import RegisteredDocuments
from gateway.edge.config import EdgeSettings
from gateway.edge.gate import Gate
from gateway.edge.graphql import COMPANY_HEADER, IDEMPOTENCY_HEADER
from gateway.edge.hygiene import EdgeHygiene
from gateway.edge.logs import keep_request_urls_out_of_logs
from gateway.edge.persisted import PersistedQueries, load_safelist
from gateway.edge.ratelimit import RateLimiter, StoreRateLimiter
from gateway.edge.state import EdgeGuards
from gateway.resolvers.context import PortalPolicy
from gateway.store import Store

# What browser code may send (every header the docs ask clients to send) and may read of an answer.
CORS_ALLOWED_HEADERS = (
    "Authorization",
    "Content-Type",
    "Accept",
    COMPANY_HEADER,
    IDEMPOTENCY_HEADER,
    REQUEST_ID_HEADER,
)
CORS_EXPOSED_HEADERS = ("Retry-After", "Content-Disposition", REQUEST_ID_HEADER)


def build_guards(
    settings: EdgeSettings,
    policy: PortalPolicy,
    schema: strawberry.Schema,
    store: Store,
    *,
    production: bool,
    replicas: int = 1,
    clock: Callable[[], float] = time.monotonic,
    wall_clock: Callable[[], float] = time.time,
    limiter: RateLimiter | None = None,
) -> EdgeGuards:
    """The gate and the rate limiter, both on ``store``: a customer's budget and the APQ
    documents are the fleet's, whatever replica answers."""
    keep_request_urls_out_of_logs()
    # The cost model uses the same page sizes the resolvers apply.
    limits = replace(
        settings.limits, default_page_size=policy.default_page_size, max_page_size=policy.max_page_size
    )
    safelist = load_safelist(settings.safelist_file) if settings.safelist_file is not None else None
    registered = RegisteredDocuments(store.kv, wall_clock=wall_clock)
    persisted = PersistedQueries(settings.persisted_queries, safelist, registered)
    return EdgeGuards(
        settings=settings,
        gate=Gate(schema._schema, limits, persisted, production),
        limiter=limiter or StoreRateLimiter(store.buckets, replicas=replicas, clock=clock),
        production=production,
    )


def edge_middleware(settings: EdgeSettings, *, production: bool) -> list[Middleware]:
    """Outermost first: hygiene (proxies, HTTPS, security headers), then CORS when configured.
    (The access log, ``edge/access.py``, goes outside them all: ``create_app``.)"""
    middleware = [Middleware(EdgeHygiene, trusted_proxies=settings.trusted_proxies, require_https=production)]
    if settings.cors_origins:
        middleware.append(
            Middleware(
                CORSMiddleware,
                allow_origins=list(settings.cors_origins),
                allow_methods=["GET", "POST"],
                allow_headers=list(CORS_ALLOWED_HEADERS),
                expose_headers=list(CORS_EXPOSED_HEADERS),
                max_age=600,
            )
        )
    return middleware
