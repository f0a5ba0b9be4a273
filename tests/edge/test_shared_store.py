"""The shared store in the app: opened in the lifespan, handed to BC's client, shown on /readyz,
and a warning when a production gateway runs without one."""

from __future__ import annotations

import contextlib
import dataclasses
import logging
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from gateway.app import create_app
from gateway.edge.development import Development, mint_for
from gateway.edge.state import gateway_state
from gateway.edge.store_probe import StoreProbe
from gateway.settings import ConfigError, Settings, settings_from_environ
from gateway.store import StoreSettings
from tests.conftest import TODAY
from tests.edge.conftest import FakeClock
from tests.redis_server import RedisServer, redis_store

pytestmark = pytest.mark.anyio


@contextlib.asynccontextmanager
async def _served(
    development: Development, store: StoreSettings, *, production: bool
) -> AsyncIterator[tuple[Starlette, httpx.AsyncClient]]:
    settings = Settings(store=store)
    if production:
        settings = dataclasses.replace(settings, bc=development.bc_settings, auth=development.auth_settings)
        app = create_app(
            settings,
            bc_transport=development.bc_transport,
            jwks_transport=development.jwks_transport,
            today=lambda: TODAY,
        )
    else:
        app = create_app(settings, development=development, today=lambda: TODAY)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gateway.test") as client,
    ):
        yield app, client


async def test_a_production_gateway_without_redis_warns_once_that_it_is_one_replica(
    development: Development, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="gateway.app"):
        async with _served(development, StoreSettings(), production=True) as (_, client):
            await client.get("/readyz")
            await client.get("/readyz")
    warnings = [r.getMessage() for r in caplog.records if r.name == "gateway.app"]
    assert len(warnings) == 1
    assert warnings[0].startswith("single_replica: GATEWAY_REDIS_URL is not set")


async def test_with_redis_there_is_no_warning_and_bcs_limits_are_the_fleets(
    development: Development, redis_server: RedisServer, caplog: pytest.LogCaptureFixture
) -> None:
    store = StoreSettings(redis_server.url, prefix="test-app-fleet")
    with caplog.at_level(logging.WARNING, logger="gateway.app"):
        async with _served(development, store, production=True) as (app, client):
            ready = (await client.get("/readyz")).json()
            assert gateway_state(app).bc.fleet is not None
    assert [r for r in caplog.records if r.name == "gateway.app"] == []
    assert ready["store"] == {"replicated": True, "reachable": True}


async def test_readyz_shows_the_in_process_store_in_development(development: Development) -> None:
    async with _served(development, StoreSettings(), production=False) as (app, client):
        ready = await client.get("/readyz")
        assert gateway_state(app).bc.fleet is None
    assert ready.json()["store"] == {"replicated": False, "reachable": True}


async def test_with_redis_down_readyz_says_so_and_reads_still_answer(
    development: Development, own_server: RedisServer
) -> None:
    token = mint_for(development, development.customers[0])
    store = StoreSettings(own_server.url, prefix="test-app-down", timeout_seconds=0.2)
    async with _served(development, store, production=False) as (_, client):
        own_server.stop()
        ready = await client.get("/readyz")
        answer = await client.post(
            "/graphql", json={"query": "{ me { number } }"}, headers={"authorization": f"Bearer {token}"}
        )
    assert ready.status_code == 200  # one Redis for all replicas: not a reason to take this one out
    assert ready.json()["store"] == {"replicated": True, "reachable": False}
    body: dict[str, Any] = answer.json()
    assert "errors" not in body
    assert body["data"]["me"]["number"]


async def test_the_store_probe_pings_at_most_once_per_max_age(own_server: RedisServer) -> None:
    clock = FakeClock()
    store = redis_store(own_server)
    try:
        probe = StoreProbe(store, clock, max_age_seconds=5.0)
        assert await probe.reachable()
        own_server.stop()
        clock.advance(4.0)
        assert await probe.reachable()  # the cached answer: no ping yet
        clock.advance(1.0)
        assert not await probe.reachable()
    finally:
        await store.aclose()


def test_the_redis_settings_are_read_from_the_environment() -> None:
    settings = settings_from_environ(
        {
            "GATEWAY_REDIS_URL": "rediss://:pw@redis.internal:6380/2",
            "GATEWAY_REDIS_PREFIX": "portal-eu",
            "GATEWAY_REDIS_TIMEOUT_SECONDS": "0.5",
            "GATEWAY_REPLICAS": "3",
        }
    )
    assert settings.store == StoreSettings("rediss://:pw@redis.internal:6380/2", "portal-eu", 0.5)
    assert settings.bc_resilience.replicas == 3
    assert "pw" not in repr(settings)
    assert settings_from_environ({}).store == StoreSettings()


def test_a_redis_url_of_another_kind_is_refused_without_repeating_it() -> None:
    with pytest.raises(ConfigError) as refused:
        settings_from_environ({"GATEWAY_REDIS_URL": "http://user:secret-pw@redis:6379"})
    assert refused.value.variable == "GATEWAY_REDIS_URL"
    assert "secret-pw" not in str(refused.value)
