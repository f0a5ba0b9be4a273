"""A gateway with webhooks on, over a fresh demo world on a fake clock, and what it publishes."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from typing import Any

import anyio
import anyio.lowlevel
import httpx
import pytest
from starlette.applications import Starlette

from gateway.app import create_app
from gateway.edge.development import Development, start_development
from gateway.edge.state import gateway_state
from gateway.sandbox.app import create_sandbox_app
from gateway.sandbox.config import SandboxConfig
from gateway.sandbox.world import build_store
from gateway.settings import Settings
from gateway.store import Store, StoreSettings
from gateway.webhooks import WebhookService, WebhookSettings
from tests.conftest import SEED, TODAY
from tests.sandbox.webhooks.support import FakeClock

WORLD_SCALE = 0.05
HOOK_URL = "https://gateway.example/webhooks/bc"
SECRET = b"a webhook secret of thirty-two bytes or more"
WEBHOOKS = WebhookSettings(enabled=True, notification_url=HOOK_URL, secret=SECRET)
GATEWAY = "http://gateway.test"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def world_sandbox(clock: FakeClock, **config: Any) -> Starlette:
    """A fresh demo world (staff and writes change it) whose time is ``clock``."""
    settings = SandboxConfig(seed=SEED, scale=WORLD_SCALE, today=TODAY, now=clock, **config)
    return create_sandbox_app(settings, store=build_store(SEED, WORLD_SCALE, TODAY))


@pytest.fixture
def live_sandbox(clock: FakeClock) -> Starlette:
    return world_sandbox(clock)


def gateway(sandbox: Starlette, clock: FakeClock, store: StoreSettings | None = None) -> Starlette:
    """A development gateway on ``sandbox`` with webhooks on; its wall clock is ``clock``."""
    settings = Settings(webhooks=WEBHOOKS, store=store or StoreSettings())
    development = start_development(settings, sandbox=sandbox)
    return create_app(
        settings, development=development, today=lambda: TODAY, wall_clock=lambda: clock.now.timestamp()
    )


def service_of(app: Starlette) -> WebhookService:
    service = gateway_state(app).webhooks
    assert service is not None
    return service


def store_of(app: Starlette) -> Store:
    probe = gateway_state(app).store
    assert probe is not None
    return probe.store


@pytest.fixture
async def live(
    live_sandbox: Starlette, clock: FakeClock
) -> AsyncIterator[tuple[Starlette, httpx.AsyncClient]]:
    """The gateway started, its subscriptions made; and a client for it."""
    app = gateway(live_sandbox, clock)
    async with app.router.lifespan_context(app), client_for(app) as http:
        with anyio.fail_after(10):
            await service_of(app).manager.reported.wait()
        yield app, http


def client_for(app: Starlette) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=GATEWAY)


def events(store: Store, company: str) -> AbstractAsyncContextManager[AsyncIterator[bytes]]:
    return store.channels.subscribe(f"bc-events:{company}")


async def next_event(messages: AsyncIterator[bytes]) -> dict[str, Any]:
    with anyio.fail_after(5):
        message = await anext(messages)
    event: dict[str, Any] = json.loads(message)
    return event


async def until(condition: Callable[[], bool], turns: int = 100_000) -> None:
    """Let background tasks run until ``condition`` holds (yielding, never sleeping)."""
    for _ in range(turns):
        if condition():
            return
        await anyio.lowlevel.checkpoint()
    raise AssertionError("the condition never held")


@dataclass
class Replicas:
    """Two gateway replicas on one shared store, over one sandbox, and a client for each."""

    development: Development
    first: Starlette
    second: Starlette
    to_first: httpx.AsyncClient
    to_second: httpx.AsyncClient


@asynccontextmanager
async def two_replicas(settings: Settings, sandbox: Starlette, clock: FakeClock) -> AsyncIterator[Replicas]:
    """Two replicas of ``settings`` (its store shared) started, one of them managing BC's
    subscriptions; their wall clock is ``clock``."""
    development = start_development(settings, sandbox=sandbox)
    first, second = (
        create_app(
            settings, development=development, today=lambda: TODAY, wall_clock=lambda: clock.now.timestamp()
        )
        for _ in range(2)
    )
    async with (
        first.router.lifespan_context(first),
        second.router.lifespan_context(second),
        client_for(first) as to_first,
        client_for(second) as to_second,
    ):
        await until(lambda: any(service_of(app).manager.reported.is_set() for app in (first, second)))
        yield Replicas(development, first, second, to_first, to_second)
