"""The token endpoint and the bearer check in front of every API call."""

from __future__ import annotations

import httpx
import pytest
from starlette.applications import Starlette

from gateway.sandbox.app import sandbox_of
from tests.sandbox.conftest import API, SCOPE, TOKEN_URL, get_token

pytestmark = pytest.mark.anyio

GOOD = {
    "grant_type": "client_credentials",
    "client_id": "sandbox-client",
    "client_secret": "sandbox-secret",
    "scope": SCOPE,
}


async def test_client_credentials_give_a_bearer_token(anonymous_bc: httpx.AsyncClient) -> None:
    response = await anonymous_bc.post(TOKEN_URL, data=GOOD)
    body = response.json()
    assert response.status_code == 200
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 3600
    assert len(body["access_token"]) > 20


async def test_a_wrong_secret_is_an_invalid_client(anonymous_bc: httpx.AsyncClient) -> None:
    response = await anonymous_bc.post(TOKEN_URL, data={**GOOD, "client_secret": "nope"})
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"
    assert response.json()["error_description"].startswith("AADSTS7000215: ")


async def test_a_wrong_client_is_an_invalid_client(anonymous_bc: httpx.AsyncClient) -> None:
    response = await anonymous_bc.post(TOKEN_URL, data={**GOOD, "client_id": "someone-else"})
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"grant_type": "password"}, "unsupported_grant_type"),
        ({"scope": "https://graph.microsoft.com/.default"}, "invalid_scope"),
        ({"scope": ""}, "invalid_request"),
    ],
)
async def test_other_token_errors_are_entra_shaped_400s(
    anonymous_bc: httpx.AsyncClient, change: dict[str, str], error: str
) -> None:
    response = await anonymous_bc.post(TOKEN_URL, data={**GOOD, **change})
    assert response.status_code == 400
    assert response.json()["error"] == error
    assert response.json()["error_description"].startswith("AADSTS")


async def test_an_api_call_without_a_token_is_refused(anonymous_bc: httpx.AsyncClient) -> None:
    response = await anonymous_bc.get(f"{API}/companies")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "Authentication_InvalidCredentials"


async def test_an_unknown_token_is_refused(anonymous_bc: httpx.AsyncClient) -> None:
    response = await anonymous_bc.get(f"{API}/companies", headers={"Authorization": "Bearer made-up"})
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "Authentication_InvalidCredentials"


async def test_an_expired_token_is_refused(anonymous_bc: httpx.AsyncClient, engine_app: Starlette) -> None:
    token = await get_token(anonymous_bc)
    sandbox_of(engine_app).tokens.expire_all()
    response = await anonymous_bc.get(f"{API}/companies", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401


async def test_a_valid_token_opens_the_api(bc: httpx.AsyncClient) -> None:
    response = await bc.get(f"{API}/companies")
    assert response.status_code == 200
    assert len(response.json()["value"]) == 2
