"""Fixtures: a faked BC and token endpoint (one respx router behind httpx.MockTransport)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from uuid import UUID

import httpx
import pytest
import respx

from gateway.bc import BCClient, BCSettings, ClientCredentials, CustomerScope
from tests.bc.fakes import FakeTime

BASE_URL = "https://bc.test"
ENVIRONMENT_URL = f"{BASE_URL}/bc"
TOKEN_PATH = "/tenant/oauth2/v2.0/token"
COMPANY_ID = UUID("3ab5c248-e72b-f011-9a4a-7c1e5275406f")
COMPANY_PATH = f"/bc/api/v2.0/companies({COMPANY_ID})"
SECRET = "s3cr3t-Never-Shown"
TOKEN = "token-one"
PAGE_SIZE = 100


@pytest.fixture
def credentials() -> ClientCredentials:
    return ClientCredentials(
        token_url=f"{BASE_URL}{TOKEN_PATH}", client_id="portal-app", client_secret=SECRET
    )


@pytest.fixture
def settings(credentials: ClientCredentials) -> BCSettings:
    return BCSettings.on_premises(ENVIRONMENT_URL, credentials, page_size=PAGE_SIZE)


@pytest.fixture
def router() -> respx.MockRouter:
    """BC and the token endpoint; tests add their BC routes."""
    router = respx.MockRouter(base_url=BASE_URL, assert_all_called=False)
    router.post(TOKEN_PATH, name="token").respond(
        json={"token_type": "Bearer", "expires_in": 3599, "access_token": TOKEN}
    )
    return router


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime()


@pytest.fixture
async def client(
    settings: BCSettings, router: respx.MockRouter, fake_time: FakeTime
) -> AsyncIterator[BCClient]:
    """A BC client on the faked BC; its clock is ``fake_time``, so retries never wait for real."""
    transport = httpx.MockTransport(router.async_handler)
    async with BCClient(settings, transport=transport, clock=fake_time.clock()) as bc:
        yield bc


@pytest.fixture
def scope() -> CustomerScope:
    return CustomerScope(company_id=COMPANY_ID, customer_number="10000")
