"""A fresh small demo world per test (staff actions change it) and a client on its API."""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from gateway.edge.logs import keep_request_urls_out_of_logs
from gateway.sandbox.app import create_sandbox_app, sandbox_of
from gateway.sandbox.config import SandboxConfig
from gateway.sandbox.state import Sandbox
from gateway.sandbox.store import Row
from gateway.sandbox.transport import sandbox_transport
from gateway.sandbox.world import build_store
from tests.sandbox.conftest import API, BASE_URL, WORLD_TODAY, get_token
from tests.sandbox.webhooks.support import FakeClock

INTERNATIONAL = "CRONUS International Ltd."


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def app(clock: FakeClock) -> Starlette:
    config = SandboxConfig(scale=0.1, today=WORLD_TODAY, now=clock)
    return create_sandbox_app(config, store=build_store(42, 0.1, WORLD_TODAY))


@pytest.fixture
def sandbox(app: Starlette) -> Sandbox:
    return sandbox_of(app)


@pytest.fixture
async def bc(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    keep_request_urls_out_of_logs()  # as the gateway does: httpx would log BC's URLs
    async with httpx.AsyncClient(transport=sandbox_transport(app), base_url=BASE_URL) as client:
        client.headers["Authorization"] = f"Bearer {await get_token(client)}"
        yield client


def company(sandbox: Sandbox, name: str = INTERNATIONAL) -> str:
    return str(next(c["id"] for c in sandbox.store.companies if c["name"] == name))


def rows(sandbox: Sandbox, company_id: str, entity_set: str, route: str = "v2.0") -> list[Row]:
    return sandbox.store.table(company_id, route, entity_set)


async def read(bc: httpx.AsyncClient, company_id: str, path: str, **params: str) -> list[dict[str, Any]]:
    """Rows as BC's API answers them (what a client of the sandbox notices)."""
    response = await bc.get(f"{API}/companies({company_id})/{path}", params=params)
    assert response.status_code == 200, response.text
    value: list[dict[str, Any]] = response.json()["value"]
    return value


def amount(value: Any) -> Decimal:
    return Decimal(str(value))
