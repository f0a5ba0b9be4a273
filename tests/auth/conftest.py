"""Fixtures: signing keys, a faked JWKS endpoint (a respx router behind httpx.MockTransport)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
import respx

from gateway.auth import AuthSettings, JwksCache, TokenValidator
from tests.auth.tokens import AUDIENCE, ISSUER, JWKS_URL, FakeClock, SigningKey, ec_key, jwks, rsa_key


@pytest.fixture(scope="session")
def rsa_signing_key() -> SigningKey:
    return rsa_key("rsa-1")


@pytest.fixture(scope="session")
def ec_signing_key() -> SigningKey:
    return ec_key("ec-1")


@pytest.fixture
def idp(rsa_signing_key: SigningKey, ec_signing_key: SigningKey) -> respx.MockRouter:
    """The identity provider's JWKS endpoint, publishing the RSA and the EC key."""
    router = respx.MockRouter(base_url="https://idp.test", assert_all_called=False)
    router.get("/.well-known/jwks.json", name="jwks").respond(json=jwks(rsa_signing_key, ec_signing_key))
    return router


@pytest.fixture
async def http(idp: respx.MockRouter) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.MockTransport(idp.async_handler)) as client:
        yield client


@pytest.fixture
def settings() -> AuthSettings:
    return AuthSettings(issuer=ISSUER, audience=AUDIENCE, jwks_url=JWKS_URL)


@pytest.fixture
def monotonic() -> FakeClock:
    return FakeClock()


@pytest.fixture
def jwks_cache(http: httpx.AsyncClient, settings: AuthSettings, monotonic: FakeClock) -> JwksCache:
    return JwksCache(
        settings.jwks_url, http, min_refresh_seconds=settings.jwks_min_refresh_seconds, clock=monotonic
    )


@pytest.fixture
def validator(settings: AuthSettings, jwks_cache: JwksCache) -> TokenValidator:
    return TokenValidator(settings, jwks_cache)
