"""A development gateway with webhooks and subscriptions, over a fresh demo world, on one fake clock.

The clock is the sandbox's (when BC sends notifications), the identity provider's and the token
validator's (tokens' ``exp``), and the WebSockets' (pings, ``connection_init``, expiry): a test
moves it with ``advance`` and every timer due runs, so nothing waits for real time.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import anyio
import anyio.lowlevel
import httpx
import pytest
from starlette.applications import Starlette

from gateway.app import create_app
from gateway.edge.development import Development, mint_for, start_development
from gateway.edge.live import LiveSettings
from gateway.edge.state import gateway_state
from gateway.sandbox.app import sandbox_of
from gateway.settings import Settings
from gateway.store import StoreSettings
from tests.conftest import TODAY
from tests.webhooks.conftest import GATEWAY, WEBHOOKS, service_of, world_sandbox

START = dt.datetime(2026, 6, 15, 9, 0, tzinfo=dt.UTC)
LIVE = LiveSettings(ping_seconds=30.0, init_seconds=10.0)


@dataclass
class LiveClock:
    """Seconds since the epoch; ``advance`` moves it and wakes every sleeper whose time came."""

    now: float = START.timestamp()
    _sleepers: list[tuple[float, asyncio.Future[None]]] = field(default_factory=list)

    def __call__(self) -> float:
        return self.now

    def datetime(self) -> dt.datetime:
        return dt.datetime.fromtimestamp(self.now, dt.UTC)

    async def sleep(self, seconds: float) -> None:
        if seconds <= 0:
            await anyio.lowlevel.checkpoint()
            return
        woken: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._sleepers.append((self.now + seconds, woken))
        try:
            await woken
        finally:
            self._sleepers = [(at, future) for at, future in self._sleepers if future is not woken]

    async def advance(self, seconds: float) -> None:
        """Move time on, and let what was due run."""
        self.now += seconds
        for at, future in list(self._sleepers):
            if at <= self.now and not future.done():
                future.set_result(None)
        for _ in range(50):
            await anyio.lowlevel.checkpoint()


@dataclass
class LiveGateway:
    app: Starlette
    development: Development
    sandbox: Starlette
    clock: LiveClock
    http: httpx.AsyncClient

    @property
    def company(self) -> str:
        return str(sandbox_of(self.sandbox).store.companies[0]["id"])

    def token(self, customer: str, company: str | None = None, **claims: Any) -> str:
        for candidate in self.development.customers:
            if candidate.customer_number == customer and str(candidate.company_id) == (
                company or self.company
            ):
                return (
                    mint_for(self.development, candidate) if not claims else self._minted(candidate, **claims)
                )
        raise LookupError(customer)

    def _minted(self, candidate: Any, **claims: Any) -> str:
        return self.development.identity.mint(
            uuid.UUID(candidate.company_id), candidate.customer_number, **claims
        )

    async def deliver_notifications(self) -> None:
        """BC's job: 30 s after the change, every pending notification is sent to the gateway."""
        await self.clock.advance(30)
        await sandbox_of(self.sandbox).webhooks.deliver_due()


def live_app(
    sandbox: Starlette,
    clock: LiveClock,
    *,
    live: LiveSettings = LIVE,
    store: StoreSettings | None = None,
    **settings: Any,
) -> tuple[Starlette, Development]:
    options = Settings(webhooks=WEBHOOKS, store=store or StoreSettings(), live=live, **settings)
    development = start_development(options, sandbox=sandbox, clock=clock)
    app = create_app(
        options,
        development=development,
        today=lambda: TODAY,
        clock=clock,
        wall_clock=clock,
        token_clock=clock,
        sleep=clock.sleep,
    )
    return app, development


@pytest.fixture
def live_clock() -> LiveClock:
    return LiveClock()


@pytest.fixture
async def live(live_clock: LiveClock) -> AsyncIterator[LiveGateway]:
    sandbox = world_sandbox(live_clock.datetime)  # type: ignore[arg-type]
    app, development = live_app(sandbox, live_clock)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=GATEWAY) as http,
    ):
        with anyio.fail_after(10):  # BC's webhook subscriptions made (a hang guard only)
            await service_of(app).manager.reported.wait()
        yield LiveGateway(app, development, sandbox, live_clock, http)


def hub_of(app: Starlette) -> Any:
    live = gateway_state(app).live
    assert live is not None
    return live.hub


async def settle(condition: Callable[[], bool], turns: int = 10_000) -> None:
    """Let the loop run until ``condition`` holds (a bounded number of turns, never sleeping)."""
    for _ in range(turns):
        if condition():
            return
        await anyio.lowlevel.checkpoint()
    raise AssertionError("the condition never held")


__all__ = ["LIVE", "LiveClock", "LiveGateway", "hub_of", "live_app", "settle"]
