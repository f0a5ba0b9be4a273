"""Builds the edge's protections from settings: the operation gate, the rate limiter, middleware."""

from __future__ import annotations

from dataclasses import replace

import strawberry
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware

from gateway.edge.config import EdgeSettings
from gateway.edge.gate import Gate
from gateway.edge.graphql import COMPANY_HEADER, IDEMPOTENCY_HEADER
from gateway.edge.hygiene import REQUEST_ID_HEADER, EdgeHygiene
from gateway.edge.logs import keep_request_urls_out_of_logs
from gateway.edge.persisted import PersistedQueries, load_safelist
from gateway.edge.ratelimit import RateLimiter, TokenBuckets
from gateway.edge.state import EdgeGuards
from gateway.resolvers.context import PortalPolicy
from gateway.schema.hardening import production_schema

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


def schema_for(base: strawberry.Schema, *, production: bool) -> strawberry.Schema:
    return production_schema(base) if production else base


def build_guards(
    settings: EdgeSettings,
    policy: PortalPolicy,
    schema: strawberry.Schema,
    *,
    production: bool,
    limiter: RateLimiter | None = None,
) -> EdgeGuards:
    keep_request_urls_out_of_logs()
    # The cost model uses the same page sizes the resolvers apply.
    limits = replace(
        settings.limits, default_page_size=policy.default_page_size, max_page_size=policy.max_page_size
    )
    safelist = load_safelist(settings.safelist_file) if settings.safelist_file is not None else None
    persisted = PersistedQueries(settings.persisted_queries, safelist)
    return EdgeGuards(
        settings=settings,
        gate=Gate(schema._schema, limits, persisted, production),
        limiter=limiter if limiter is not None else TokenBuckets(),
        production=production,
    )


def edge_middleware(settings: EdgeSettings, *, production: bool) -> list[Middleware]:
    """Outermost first: hygiene (proxies, HTTPS, security headers), then CORS when configured."""
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
