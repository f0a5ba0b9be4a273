"""The token catalogue, through the edge of a production-mode gateway: each bad token gets 401
before any BC request; key rotation and a failing JWKS endpoint behave as promised."""

from __future__ import annotations

import functools
import json
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest

from gateway.app import create_app
from gateway.auth import AuthSettings
from gateway.edge.development import Development
from gateway.settings import Settings
from tests.auth.tokens import SigningKey, b64url, encode, hmac_token, jwks, rsa_key, token
from tests.conftest import TODAY

pytestmark = pytest.mark.anyio

ISSUER = "https://login.example.com/tenant/v2.0"
AUDIENCE = "api://bc-portal"
JWKS_URL = "https://login.example.com/keys"
ME = {"query": "{ me { number } }"}


class JwksEndpoint:
    """The identity provider's JWKS endpoint: its keys can rotate and it can fail."""

    def __init__(self, *keys: SigningKey) -> None:
        self.keys = list(keys)
        self.failing = False
        self.fetches = 0

    def handler(self, request: httpx.Request) -> httpx.Response:
        self.fetches += 1
        if self.failing:
            return httpx.Response(503)
        return httpx.Response(200, json=jwks(*self.keys))


@functools.cache
def cached_key(kid: str) -> SigningKey:
    """RSA keys are slow to generate: one per kid for the whole module."""
    return rsa_key(kid)


@pytest.fixture
def key() -> SigningKey:
    return cached_key("key-1")


@pytest.fixture
def endpoint(key: SigningKey) -> JwksEndpoint:
    return JwksEndpoint(key)


@pytest.fixture
def claims_for(development: Development) -> Callable[..., dict[str, Any]]:
    customer = development.customers[0]

    def claims(**overrides: Any) -> dict[str, Any]:
        now = int(time.time())
        values = {
            "iss": ISSUER,
            "aud": AUDIENCE,
            "sub": "user-1",
            "iat": now,
            "nbf": now,
            "exp": now + 600,
            "bc_company": str(customer.company_id),
            "bc_customer": customer.customer_number,
        }
        values.update(overrides)
        return {k: v for k, v in values.items() if v is not None}

    return claims


@pytest.fixture
def refresh_seconds() -> float:
    return 300.0


@pytest.fixture
async def client(
    development: Development, endpoint: JwksEndpoint, refresh_seconds: float
) -> AsyncIterator[httpx.AsyncClient]:
    settings = Settings(
        bc=development.bc_settings,
        auth=AuthSettings(
            issuer=ISSUER, audience=AUDIENCE, jwks_url=JWKS_URL, jwks_min_refresh_seconds=refresh_seconds
        ),
    )
    app = create_app(
        settings,
        bc_transport=development.bc_transport,
        jwks_transport=httpx.MockTransport(endpoint.handler),
        today=lambda: TODAY,
    )
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="https://gateway.test") as http,
    ):
        yield http


def catalogue(key: SigningKey, claims: Callable[..., dict[str, Any]]) -> dict[str, Callable[[], str | None]]:
    now = int(time.time())
    public_pem = key.public_pem
    header = {"alg": "RS256", "typ": "JWT", "kid": key.kid}
    jwe_header = b64url(json.dumps({"alg": "RSA-OAEP", "enc": "A256GCM", "kid": key.kid}).encode())
    return {
        "none": lambda: None,
        "garbage": lambda: "garbage",
        "expired": lambda: token(key, claims(exp=now - 3600, iat=now - 7200, nbf=now - 7200)),
        "future nbf": lambda: token(key, claims(nbf=now + 3600)),
        "wrong aud": lambda: token(key, claims(aud="api://someone-else")),
        "wrong iss": lambda: token(key, claims(iss="https://evil.example.com")),
        "alg none": lambda: encode({"alg": "none", "typ": "JWT"}, claims(), None),
        "HS256 with the public key": lambda: hmac_token(public_pem, key.kid, claims()),
        "unknown kid": lambda: token(cached_key("stranger"), claims()),
        "crit header": lambda: encode({**header, "crit": ["exp"], "exp": now + 60}, claims(), key.sign),
        "JWE": lambda: f"{jwe_header}.{b64url(b'k')}.{b64url(b'iv')}.{b64url(b'ct')}.{b64url(b'tag')}",
        "100 KB token": lambda: token(key, claims(padding="x" * 100_000)),
        "not base64": lambda: "a.b.c!",
        "signature of another key": lambda: ".".join(
            [*token(key, claims()).split(".")[:2], token(cached_key("key-1b"), claims()).split(".")[2]]
        ),
    }


CASES = [
    "none",
    "garbage",
    "expired",
    "future nbf",
    "wrong aud",
    "wrong iss",
    "alg none",
    "HS256 with the public key",
    "unknown kid",
    "crit header",
    "JWE",
    "100 KB token",
    "not base64",
    "signature of another key",
]


async def test_a_valid_token_works(
    client: httpx.AsyncClient,
    key: SigningKey,
    claims_for: Callable[..., dict[str, Any]],
    development: Development,
) -> None:
    response = await client.post(
        "/graphql", json=ME, headers={"authorization": f"Bearer {token(key, claims_for())}"}
    )
    assert response.json() == {"data": {"me": {"number": development.customers[0].customer_number}}}


@pytest.mark.parametrize("case", CASES)
async def test_each_bad_token_gets_401_and_no_bc_request(
    case: str,
    client: httpx.AsyncClient,
    key: SigningKey,
    claims_for: Callable[..., dict[str, Any]],
    bc_log: Any,
) -> None:
    bad = catalogue(key, claims_for)[case]()
    headers = {"authorization": f"Bearer {bad}"} if bad is not None else {}
    bc_log.clear()
    response = await client.post("/graphql", json=ME, headers=headers)
    assert response.status_code == 401
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert bc_log.entries == []


async def test_clock_skew_within_the_leeway_is_accepted(
    client: httpx.AsyncClient, key: SigningKey, claims_for: Callable[..., dict[str, Any]]
) -> None:
    now = int(time.time())
    skewed = token(key, claims_for(nbf=now + 30, iat=now + 30))
    response = await client.post("/graphql", json=ME, headers={"authorization": f"Bearer {skewed}"})
    assert response.status_code == 200


@pytest.mark.parametrize("refresh_seconds", [0.0])
async def test_a_rotated_key_is_accepted_after_one_refresh(
    client: httpx.AsyncClient,
    endpoint: JwksEndpoint,
    key: SigningKey,
    claims_for: Callable[..., dict[str, Any]],
) -> None:
    await client.post("/graphql", json=ME, headers={"authorization": f"Bearer {token(key, claims_for())}"})
    fetched = endpoint.fetches
    rotated = cached_key("key-2")
    endpoint.keys.append(rotated)
    response = await client.post(
        "/graphql", json=ME, headers={"authorization": f"Bearer {token(rotated, claims_for())}"}
    )
    assert response.status_code == 200
    assert endpoint.fetches == fetched + 1


async def test_unknown_kids_refresh_the_keys_at_most_once_per_interval(
    client: httpx.AsyncClient,
    endpoint: JwksEndpoint,
    key: SigningKey,
    claims_for: Callable[..., dict[str, Any]],
) -> None:
    await client.post("/graphql", json=ME, headers={"authorization": f"Bearer {token(key, claims_for())}"})
    fetched = endpoint.fetches
    for index in range(5):
        stranger = token(cached_key(f"stranger-{index % 2}"), claims_for())
        response = await client.post("/graphql", json=ME, headers={"authorization": f"Bearer {stranger}"})
        assert response.status_code == 401
    assert endpoint.fetches == fetched  # the interval (300 s) has not passed since the first fetch


async def test_last_known_good_keys_are_kept_when_the_jwks_endpoint_fails(
    client: httpx.AsyncClient,
    endpoint: JwksEndpoint,
    key: SigningKey,
    claims_for: Callable[..., dict[str, Any]],
) -> None:
    await client.post("/graphql", json=ME, headers={"authorization": f"Bearer {token(key, claims_for())}"})
    endpoint.failing = True
    response = await client.post(
        "/graphql", json=ME, headers={"authorization": f"Bearer {token(key, claims_for())}"}
    )
    assert response.status_code == 200


def test_the_catalogue_covers_every_case(key: SigningKey, claims_for: Callable[..., dict[str, Any]]) -> None:
    assert sorted(catalogue(key, claims_for)) == sorted(CASES)
