"""A demo-world sandbox on a fake clock whose notifications reach a recording subscriber."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from gateway.sandbox.app import create_sandbox_app, sandbox_of
from gateway.sandbox.config import SandboxConfig
from gateway.sandbox.transport import sandbox_transport
from gateway.sandbox.webhooks.config import WebhookConfig
from gateway.sandbox.world import build_store
from tests.sandbox.conftest import API, BASE_URL, WORLD_TODAY, get_token
from tests.sandbox.webhooks.support import FakeClock, Subscriber

HOOK = "https://gateway.example/hook"
SUBSCRIPTIONS = f"{API}/subscriptions"
# Small limits, so that tests reach them: 3 subscriptions, a collection past 5 changes.
LIMITS = WebhookConfig(max_subscriptions=3, max_notifications=5)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def subscriber() -> Subscriber:
    return Subscriber()


@pytest.fixture
def app(clock: FakeClock, subscriber: Subscriber) -> Starlette:
    config = SandboxConfig(scale=0.05, today=WORLD_TODAY, now=clock, webhooks=LIMITS)
    app = create_sandbox_app(config, store=build_store(42, 0.05, WORLD_TODAY))
    sandbox_of(app).webhooks.deliver_through(httpx.ASGITransport(app=subscriber.app()))
    return app


@pytest.fixture
async def bc(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=sandbox_transport(app), base_url=BASE_URL) as client:
        client.headers["Authorization"] = f"Bearer {await get_token(client)}"
        yield client


async def company_id(bc: httpx.AsyncClient) -> str:
    """The first demo company (CRONUS International)."""
    companies = sorted((await bc.get(f"{API}/companies")).json()["value"], key=lambda c: c["name"])
    value: str = companies[0]["id"]
    return value


async def subscribe(
    bc: httpx.AsyncClient, entity_set: str = "customers", state: str = "s3cret", slash: str = "/"
) -> httpx.Response:
    company = await company_id(bc)
    resource = f"{slash}api/v2.0/companies({company})/{entity_set}"
    return await bc.post(
        SUBSCRIPTIONS, json={"notificationUrl": HOOK, "resource": resource, "clientState": state}
    )


async def subscribed(bc: httpx.AsyncClient, entity_set: str) -> dict[str, Any]:
    """A new subscription to ``entity_set`` (resource written without the leading slash)."""
    response = await subscribe(bc, entity_set, "cs", slash="")
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created
