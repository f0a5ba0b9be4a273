"""Gateways built with particular edge settings, in development or production mode."""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from gateway.app import create_app
from gateway.edge.config import EdgeSettings
from gateway.edge.development import Development
from gateway.edge.ratelimit import StoreRateLimiter
from gateway.settings import Settings
from gateway.store import MemoryStore
from tests.conftest import TODAY


class FakeClock:
    """A monotonic clock that moves only when the test says so."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


GatewayFactory = Callable[..., contextlib.AbstractAsyncContextManager[httpx.AsyncClient]]


@pytest.fixture
def gateway(development: Development, clock: FakeClock) -> GatewayFactory:
    """``async with gateway(production=…, **edge_settings) as client``: a gateway on the sandbox.

    Production mode uses the same sandbox and identity provider, configured as a real BC and a
    real identity provider would be (so ``settings.mode`` is ``"production"``).
    """

    @contextlib.asynccontextmanager
    async def build(
        *,
        production: bool = False,
        base_url: str = "http://gateway.test",
        client: Any = None,
        graphiql: bool | None = None,
        **edge: Any,
    ) -> AsyncIterator[httpx.AsyncClient]:
        settings = Settings(edge=dataclasses.replace(EdgeSettings(), **edge), graphiql_switch=graphiql)
        limiter = StoreRateLimiter(MemoryStore(clock=clock).buckets)
        app: Starlette
        if production:
            settings = dataclasses.replace(
                settings, bc=development.bc_settings, auth=development.auth_settings
            )
            app = create_app(
                settings,
                bc_transport=development.bc_transport,
                jwks_transport=development.jwks_transport,
                today=lambda: TODAY,
                rate_limiter=limiter,
            )
        else:
            app = create_app(settings, development=development, today=lambda: TODAY, rate_limiter=limiter)
        transport = httpx.ASGITransport(app=app, client=client or ("127.0.0.1", 123))
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(transport=transport, base_url=base_url) as http,
        ):
            yield http

    return build
