"""A verified token whose customer claim is not a BC customer number: 401, never a 500.

The identity provider is one of the tests' own (tests/auth/tokens.py), so the token is signed
correctly and only its customer claim is wrong.
"""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from gateway.app import create_app
from gateway.auth import AuthSettings
from gateway.edge.development import Development
from gateway.settings import Settings
from tests.auth.tokens import AUDIENCE, ISSUER, JWKS_URL, SigningKey, claims, jwks, rsa_key, token
from tests.conftest import TODAY
from tests.helpers import graphql

pytestmark = pytest.mark.anyio


@pytest.fixture(scope="module")
def key() -> SigningKey:
    return rsa_key()


@pytest.fixture
async def production(development: Development, key: SigningKey) -> AsyncIterator[httpx.AsyncClient]:
    """A production gateway on the sandbox that trusts ``key``."""
    settings = dataclasses.replace(
        Settings(), bc=development.bc_settings, auth=AuthSettings(ISSUER, AUDIENCE, JWKS_URL)
    )
    identity_provider = httpx.MockTransport(lambda request: httpx.Response(200, json=jwks(key)))
    app = create_app(
        settings, bc_transport=development.bc_transport, jwks_transport=identity_provider, today=lambda: TODAY
    )
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="https://gateway.test") as http,
    ):
        yield http


@pytest.mark.parametrize("number", ["ab", "c10000", "A B", "_X", "10000 ", "10000\n"])
async def test_a_token_naming_no_bc_customer_number_is_401(
    production: httpx.AsyncClient, development: Development, key: SigningKey, bc_log: Any, number: str
) -> None:
    company = str(development.customers[0].company_id)
    signed = token(key, claims(bc_company=company, bc_customer=number))
    bc_log.clear()

    response = await graphql(production, "{ me { number } }", token=signed)

    assert response.status_code == 401, response.text
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert bc_log.entries == []


async def test_the_same_token_with_a_real_customer_number_is_answered(
    production: httpx.AsyncClient, development: Development, key: SigningKey
) -> None:
    customer = development.customers[0]
    signed = token(key, claims(bc_company=str(customer.company_id), bc_customer=customer.customer_number))

    response = await graphql(production, "{ me { number } }", token=signed)

    assert response.json() == {"data": {"me": {"number": customer.customer_number}}}
