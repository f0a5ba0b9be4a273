"""The development identity provider, validated through the production path."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from starlette.applications import Starlette
from starlette.routing import Mount

from gateway.auth import (
    AuthSettings,
    DevIdentityProvider,
    JwksCache,
    TokenRejected,
    TokenValidator,
    UnknownCustomer,
)
from gateway.auth.dev_idp import jwk_thumbprint

pytestmark = pytest.mark.anyio

ISSUER = "http://gateway.test/dev-idp"
AUDIENCE = "bc-gateway"
CRONUS = uuid.UUID("5d115c9c-44e3-ea11-bb43-000d3a2feca1")
FABRIKAM = uuid.UUID("7a2e1f3b-0c4d-4e5f-8a9b-1c2d3e4f5a6b")
CUSTOMERS = {(CRONUS, "10000"), (CRONUS, "20000"), (FABRIKAM, "20000")}


def is_known(company: uuid.UUID, customer: str) -> bool:
    return (company, customer) in CUSTOMERS


def companies_of(customer: str) -> list[uuid.UUID]:
    return sorted((company for company, number in CUSTOMERS if number == customer), key=str)


@pytest.fixture(scope="module")
def provider() -> DevIdentityProvider:
    return DevIdentityProvider(ISSUER, AUDIENCE, is_known_customer=is_known, resolve_company=companies_of)


@pytest.fixture
async def idp_http(provider: DevIdentityProvider) -> AsyncIterator[httpx.AsyncClient]:
    # Mounted at the issuer's path, as the edge mounts it, so the advertised jwks_uri is real.
    gateway = Starlette(routes=[Mount("/dev-idp", app=provider.asgi_app())])
    transport = httpx.ASGITransport(app=gateway)
    async with httpx.AsyncClient(transport=transport, base_url="http://gateway.test/dev-idp") as client:
        yield client


@pytest.fixture
def validator(idp_http: httpx.AsyncClient) -> TokenValidator:
    jwks_url = f"{ISSUER}/.well-known/jwks.json"
    settings = AuthSettings(issuer=ISSUER, audience=AUDIENCE, jwks_url=jwks_url)
    return TokenValidator(settings, JwksCache(jwks_url, idp_http, min_refresh_seconds=300))


async def test_minted_token_validates_through_the_production_path(
    provider: DevIdentityProvider, validator: TokenValidator
) -> None:
    raw = provider.mint(CRONUS, "10000", roles=("admin",), display_name="Ann")

    identity = await validator.validate(raw)

    assert identity.issuer == ISSUER
    assert identity.membership_for(None).company_id == CRONUS
    assert identity.membership_for(None).customer_number == "10000"
    assert identity.scopes == {"orders:read", "orders:write"}
    assert identity.roles == {"admin"}
    assert identity.display_name == "Ann"


async def test_re_minting_keeps_the_identity_key(
    provider: DevIdentityProvider, validator: TokenValidator
) -> None:
    first = await validator.validate(provider.mint(CRONUS, "10000"))
    second = await validator.validate(provider.mint(CRONUS, "10000"))
    other = await validator.validate(provider.mint(FABRIKAM, "20000"))

    assert first.key == second.key
    assert first.key != other.key


async def test_token_of_another_dev_provider_is_rejected(validator: TokenValidator) -> None:
    stranger = DevIdentityProvider(ISSUER, AUDIENCE)

    with pytest.raises(TokenRejected) as caught:
        await validator.validate(stranger.mint(CRONUS, "10000"))

    assert caught.value.reason == "unknown_key"


def test_mint_refuses_unknown_customers(provider: DevIdentityProvider) -> None:
    with pytest.raises(UnknownCustomer):
        provider.mint(FABRIKAM, "10000")


@pytest.mark.parametrize("customer", ["10000' or 1 eq 1", "A*", ""])
def test_mint_refuses_unsafe_customer_numbers(customer: str) -> None:
    with pytest.raises(ValueError, match="customer_number"):
        DevIdentityProvider(ISSUER, AUDIENCE).mint(CRONUS, customer)


def test_jwks_publishes_the_public_key_only(provider: DevIdentityProvider) -> None:
    (key,) = provider.jwks()["keys"]

    assert set(key) == {"kty", "n", "e", "alg", "use", "kid"}
    assert key["kid"] == jwk_thumbprint(key) == provider.kid


def test_jwk_thumbprint_matches_rfc_7638_example() -> None:
    # RFC 7638 §3.1
    key = {
        "kty": "RSA",
        "e": "AQAB",
        "n": (
            "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECP"
            "ebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY"
            "368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0f"
            "M4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw"
        ),
    }

    assert jwk_thumbprint(key) == "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"


async def test_discovery_names_issuer_and_jwks_uri(idp_http: httpx.AsyncClient) -> None:
    response = await idp_http.get("/.well-known/openid-configuration")

    assert response.status_code == 200
    assert response.json()["issuer"] == ISSUER
    assert response.json()["jwks_uri"] == f"{ISSUER}/.well-known/jwks.json"


async def test_token_endpoint_issues_a_valid_token(
    idp_http: httpx.AsyncClient, validator: TokenValidator
) -> None:
    response = await idp_http.post("/token", json={"customer": "10000", "company": str(CRONUS)})

    body = response.json()
    assert response.status_code == 200
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 8 * 3600
    identity = await validator.validate(body["access_token"])
    assert identity.membership_for(CRONUS).customer_number == "10000"


async def test_token_endpoint_finds_the_company_of_a_unique_customer(
    idp_http: httpx.AsyncClient, validator: TokenValidator
) -> None:
    response = await idp_http.post("/token", json={"customer": "10000"})

    identity = await validator.validate(response.json()["access_token"])
    assert identity.membership_for(None).company_id == CRONUS


async def test_token_endpoint_asks_for_the_company_of_an_ambiguous_customer(
    idp_http: httpx.AsyncClient,
) -> None:
    response = await idp_http.post("/token", json={"customer": "20000"})

    assert response.status_code == 400
    assert response.json()["error"] == "company_required"


@pytest.mark.parametrize(
    "body",
    [
        pytest.param({"customer": "99999"}, id="no-such-number"),
        pytest.param({"customer": "10000", "company": str(FABRIKAM)}, id="not-in-that-company"),
    ],
)
async def test_token_endpoint_answers_404_for_unknown_customers(
    idp_http: httpx.AsyncClient, body: dict[str, str]
) -> None:
    response = await idp_http.post("/token", json=body)

    assert response.status_code == 404
    assert response.json()["error"] == "unknown_customer"
    assert "access_token" not in response.json()


@pytest.mark.parametrize(
    "content",
    [
        b"not json",
        b"[]",
        b'{"company": "x"}',
        b'{"customer": "10000", "company": "not-a-guid"}',
        b'{"customer": "A*"}',
    ],
)
async def test_token_endpoint_rejects_bad_requests(idp_http: httpx.AsyncClient, content: bytes) -> None:
    response = await idp_http.post("/token", content=content)

    assert response.status_code in {400, 404}
    assert "access_token" not in response.json()


async def test_token_endpoint_without_a_resolver_requires_the_company() -> None:
    transport = httpx.ASGITransport(app=DevIdentityProvider(ISSUER, AUDIENCE).asgi_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://gateway.test") as client:
        response = await client.post("/token", json={"customer": "10000"})

    assert response.status_code == 400
    assert response.json()["error"] == "company_required"
