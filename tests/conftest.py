"""Test-wide fixtures.

Async tests run on asyncio through anyio's pytest plugin.  The gateway is tested end to end
against the embedded sandbox: one demo world is built per session (read-only tests share it),
and each test gets a fresh sandbox app (and so a fresh request log) over that world.  A test
marked ``writes`` (``pytestmark = pytest.mark.writes`` for a whole module) changes the world, so
its ``store`` and ``sandbox`` are a smaller world of its own instead.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from gateway.app import create_app
from gateway.edge.development import Development, mint_for, start_development
from gateway.sandbox.app import create_sandbox_app, sandbox_of
from gateway.sandbox.config import SandboxConfig
from gateway.sandbox.store import SandboxStore
from gateway.sandbox.world import build_store
from gateway.settings import Settings
from gateway.store import RedisStore
from tests.leak_watch import WATCH
from tests.leak_watch import install as install_leak_watch
from tests.redis_server import RedisServer, redis_store, require_redis_server

# The sandbox's data is relative to "today"; tests pin it so expectations are stable.
TODAY = date(2026, 6, 15)
SEED = 7
SCALE = 0.1
# Tests that write build a world each: a smaller one, so that building it stays cheap.
WRITE_SCALE = 0.05


@pytest.fixture(scope="session", autouse=True)
def leak_watch() -> Iterator[None]:
    """Every log record and gateway response of the run, searched by tests/test_no_leaks.py and,
    whatever ran, once more when the session ends (a finding fails the run as a teardown error)."""
    stop = install_leak_watch()
    yield
    stop()
    assert WATCH.findings() == []


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    """One real redis-server for the session (skipped where it is not installed, outside CI)."""
    server = RedisServer(require_redis_server(), tmp_path_factory.mktemp("redis"))
    server.start()
    yield server
    server.stop()


@pytest.fixture
def own_server(tmp_path: Path) -> Iterator[RedisServer]:
    """A redis-server of the test's own, which it may stop and start (same port)."""
    server = RedisServer(require_redis_server(), tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture
async def redis_replicas(redis_server: RedisServer) -> AsyncIterator[tuple[RedisStore, RedisStore]]:
    """One deployment's Redis store as each of two gateway replicas opens it (one prefix)."""
    first = redis_store(redis_server)
    second = redis_store(redis_server, prefix=first.prefix)
    yield first, second
    await first.aclose()
    await second.aclose()


@pytest.fixture(scope="session")
def shared_store() -> SandboxStore:
    """The demo world shared by read-only tests.  Tests that write build their own."""
    return build_store(seed=SEED, scale=SCALE, today=TODAY)


def writes(request: pytest.FixtureRequest) -> bool:
    """Whether the test is marked ``writes`` (itself, or its class or module)."""
    return request.node.get_closest_marker("writes") is not None


def write_store() -> SandboxStore:
    """A fresh demo world for tests that write (what the ``writes`` mark gives ``store``)."""
    return build_store(seed=SEED, scale=WRITE_SCALE, today=TODAY)


@pytest.fixture
def store(request: pytest.FixtureRequest, shared_store: SandboxStore) -> SandboxStore:
    """The demo world the test's sandbox serves: the shared one, or one of the test's own when it
    is marked ``writes``.  A module may override this with a world of its own making."""
    return write_store() if writes(request) else shared_store


@pytest.fixture
def sandbox(request: pytest.FixtureRequest, store: SandboxStore) -> Starlette:
    scale = WRITE_SCALE if writes(request) else SCALE
    return create_sandbox_app(SandboxConfig(seed=SEED, scale=scale, today=TODAY), store=store)


@pytest.fixture
def development(sandbox: Starlette) -> Development:
    return start_development(Settings(), sandbox=sandbox)


@pytest.fixture
def gateway_app(development: Development) -> Starlette:
    return create_app(Settings(), development=development, today=lambda: TODAY)


@pytest.fixture
async def client(gateway_app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    async with (
        gateway_app.router.lifespan_context(gateway_app),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=gateway_app), base_url="http://gateway.test"
        ) as http,
    ):
        yield http


@pytest.fixture
def bc_log(sandbox: Starlette) -> Any:
    """The sandbox's request log: what the gateway asked BC for."""
    return sandbox_of(sandbox).log


@pytest.fixture
def token_for(development: Development) -> Callable[[str, str | None], str]:
    """A development token for a demo customer (by number, optionally in a given company)."""

    def mint(customer_number: str, company_id: str | None = None) -> str:
        for customer in development.customers:
            if customer.customer_number == customer_number and (
                company_id is None or str(customer.company_id) == company_id
            ):
                return mint_for(development, customer)
        raise LookupError(customer_number)

    return mint
