"""The validator behind Starlette's AuthenticationMiddleware."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
import respx
from starlette.applications import Starlette
from starlette.authentication import requires
from starlette.middleware import Middleware
from starlette.middleware.authentication import AuthenticationMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from gateway.auth import (
    AuthSettings,
    BearerAuthBackend,
    IdentityUser,
    JwksCache,
    TokenValidator,
    auth_error_response,
)
from tests.auth.tokens import SigningKey, claims, token

pytestmark = pytest.mark.anyio


async def whoami(request: Request) -> JSONResponse:
    if not request.user.is_authenticated:
        return JSONResponse({"anonymous": True})
    assert isinstance(request.user, IdentityUser)
    return JSONResponse({"customer": request.user.caller.membership_for(None).customer_number})


@requires("orders:write")
async def place_order(request: Request) -> JSONResponse:
    return JSONResponse({"placed": True})


def gateway_app(validator: TokenValidator) -> Starlette:
    backend = BearerAuthBackend(validator)
    return Starlette(
        routes=[Route("/whoami", whoami), Route("/orders", place_order, methods=["POST"])],
        middleware=[Middleware(AuthenticationMiddleware, backend=backend, on_error=auth_error_response)],
    )


def client_for(app: Starlette) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gw.test")


def bearer(raw: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {raw}"}


@pytest.fixture
async def app_http(validator: TokenValidator) -> AsyncIterator[httpx.AsyncClient]:
    async with client_for(gateway_app(validator)) as client:
        yield client


async def test_valid_bearer_token_makes_the_caller_known(
    app_http: httpx.AsyncClient, rsa_signing_key: SigningKey
) -> None:
    response = await app_http.get("/whoami", headers=bearer(token(rsa_signing_key)))

    assert response.json() == {"customer": "10000"}


async def test_request_without_authorization_is_anonymous(app_http: httpx.AsyncClient) -> None:
    response = await app_http.get("/whoami")

    assert response.json() == {"anonymous": True}


async def test_bad_token_is_answered_401_with_a_bearer_challenge(
    app_http: httpx.AsyncClient, rsa_signing_key: SigningKey
) -> None:
    raw = token(rsa_signing_key, claims(aud="api://someone-else"))

    response = await app_http.get("/whoami", headers=bearer(raw))

    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == 'Bearer error="invalid_token"'
    assert response.json()["error"] == "wrong_audience"
    assert raw not in response.text


async def test_token_scopes_are_starlette_scopes(
    app_http: httpx.AsyncClient, rsa_signing_key: SigningKey
) -> None:
    read_only = token(rsa_signing_key, claims(scp="orders:read"))
    read_write = token(rsa_signing_key)

    denied = await app_http.post("/orders", headers=bearer(read_only))
    allowed = await app_http.post("/orders", headers=bearer(read_write))

    assert denied.status_code == 403
    assert allowed.json() == {"placed": True}


async def test_unavailable_keys_are_answered_503_without_a_challenge(
    settings: AuthSettings, rsa_signing_key: SigningKey
) -> None:
    down = respx.MockRouter(base_url="https://idp.test", assert_all_called=False)
    down.get("/.well-known/jwks.json").respond(503)
    async with httpx.AsyncClient(transport=httpx.MockTransport(down.async_handler)) as jwks_http:
        validator = TokenValidator(settings, JwksCache(settings.jwks_url, jwks_http, min_refresh_seconds=300))
        async with client_for(gateway_app(validator)) as client:
            response = await client.get("/whoami", headers=bearer(token(rsa_signing_key)))

    assert response.status_code == 503
    assert "WWW-Authenticate" not in response.headers
    assert response.json()["error"] == "jwks_unavailable"


async def test_other_schemes_are_answered_401(app_http: httpx.AsyncClient) -> None:
    response = await app_http.get("/whoami", headers={"Authorization": "Basic dXNlcjpwYXNz"})

    assert response.status_code == 401
    assert response.json()["error"] == "malformed_token"
