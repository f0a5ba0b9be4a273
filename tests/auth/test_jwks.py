"""The JWKS cache: fetched once, refreshed for unknown kids at most once per interval."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest
import respx

from gateway.auth import AuthUnavailable, JwksCache
from gateway.auth.jwks import InvalidJwks, parse_jwks
from tests.auth.tokens import JWKS_URL, FakeClock, SigningKey, jwks, rsa_key

pytestmark = pytest.mark.anyio

REFRESH = 300.0


@pytest.fixture
def router() -> respx.MockRouter:
    return respx.MockRouter(base_url="https://idp.test", assert_all_called=False)


@pytest.fixture
async def client(router: respx.MockRouter) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.MockTransport(router.async_handler)) as http:
        yield http


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def cache(client: httpx.AsyncClient, clock: FakeClock) -> JwksCache:
    return JwksCache(JWKS_URL, client, min_refresh_seconds=REFRESH, clock=clock)


def publish(router: respx.MockRouter, response: httpx.Response, *later: httpx.Response) -> respx.Route:
    """The JWKS endpoint answers ``response``, or ``response`` then ``later`` in turn."""
    route = router.get("/.well-known/jwks.json", name="jwks")
    return route.mock(side_effect=[response, *later]) if later else route.mock(return_value=response)


def ok(*keys: SigningKey) -> httpx.Response:
    return httpx.Response(200, json=jwks(*keys))


async def test_keys_are_fetched_on_first_use_and_then_cached(
    cache: JwksCache, router: respx.MockRouter, rsa_signing_key: SigningKey
) -> None:
    route = publish(router, ok(rsa_signing_key))

    first = await cache.key_for("rsa-1")
    second = await cache.key_for("rsa-1")

    assert first == rsa_signing_key.public_jwk
    assert second == first
    assert route.call_count == 1


async def test_unknown_kid_refetches_at_most_once_per_interval(
    cache: JwksCache, router: respx.MockRouter, clock: FakeClock, rsa_signing_key: SigningKey
) -> None:
    route = publish(router, ok(rsa_signing_key))
    await cache.key_for("rsa-1")

    clock.advance(REFRESH)
    assert await cache.key_for("unknown-1") is None
    assert await cache.key_for("unknown-2") is None
    clock.advance(REFRESH - 1)
    assert await cache.key_for("unknown-3") is None

    assert route.call_count == 2


async def test_unknown_kid_right_after_first_fetch_does_not_refetch(
    cache: JwksCache, router: respx.MockRouter, rsa_signing_key: SigningKey
) -> None:
    route = publish(router, ok(rsa_signing_key))

    assert await cache.key_for("unknown") is None
    assert await cache.key_for("unknown") is None

    assert route.call_count == 1


async def test_rotated_key_is_found_after_the_interval(
    cache: JwksCache, router: respx.MockRouter, clock: FakeClock, rsa_signing_key: SigningKey
) -> None:
    rotated = rsa_key("rsa-2")
    publish(router, ok(rsa_signing_key), ok(rotated))
    await cache.key_for("rsa-1")

    clock.advance(REFRESH)

    assert await cache.key_for("rsa-2") == rotated.public_jwk
    assert await cache.key_for("rsa-1") is None  # a rotated-out key is dropped


async def test_concurrent_lookups_share_one_fetch(
    cache: JwksCache, router: respx.MockRouter, rsa_signing_key: SigningKey
) -> None:
    release = asyncio.Event()

    async def slow_jwks(request: httpx.Request) -> httpx.Response:
        await release.wait()
        return ok(rsa_signing_key)

    route = router.get("/.well-known/jwks.json").mock(side_effect=slow_jwks)
    lookups = [asyncio.ensure_future(cache.key_for("rsa-1")) for _ in range(10)]
    await asyncio.sleep(0)
    release.set()

    keys = await asyncio.gather(*lookups)

    assert all(key == rsa_signing_key.public_jwk for key in keys)
    assert route.call_count == 1


@pytest.mark.parametrize(
    "failure",
    [
        pytest.param(httpx.Response(500), id="server-error"),
        pytest.param(httpx.ConnectError("refused"), id="connection-refused"),
        pytest.param(httpx.Response(200, text="<html>"), id="not-json"),
        pytest.param(httpx.Response(200, json={"keys": []}), id="empty-key-set"),
    ],
)
async def test_last_known_good_keys_survive_a_failing_refetch(
    cache: JwksCache,
    router: respx.MockRouter,
    clock: FakeClock,
    rsa_signing_key: SigningKey,
    failure: httpx.Response | Exception,
) -> None:
    route = router.get("/.well-known/jwks.json").mock(side_effect=[ok(rsa_signing_key), failure])
    await cache.key_for("rsa-1")
    clock.advance(REFRESH)

    assert await cache.key_for("rotated") is None
    assert await cache.key_for("rsa-1") == rsa_signing_key.public_jwk
    assert route.call_count == 2


async def test_first_fetch_failure_means_keys_are_unavailable(
    cache: JwksCache, router: respx.MockRouter
) -> None:
    router.get("/.well-known/jwks.json").respond(503)

    with pytest.raises(AuthUnavailable) as caught:
        await cache.key_for("rsa-1")

    assert caught.value.reason == "jwks_unavailable"
    assert caught.value.status_code == 503


async def test_lookup_after_a_failed_first_fetch_tries_again(
    cache: JwksCache, router: respx.MockRouter, rsa_signing_key: SigningKey
) -> None:
    router.get("/.well-known/jwks.json").mock(side_effect=[httpx.ConnectError("down"), ok(rsa_signing_key)])
    with pytest.raises(AuthUnavailable):
        await cache.key_for("rsa-1")

    assert await cache.key_for("rsa-1") == rsa_signing_key.public_jwk


async def test_returned_key_is_a_copy(
    cache: JwksCache, router: respx.MockRouter, rsa_signing_key: SigningKey
) -> None:
    publish(router, ok(rsa_signing_key))
    key = await cache.key_for("rsa-1")
    assert key is not None

    key["n"] = "tampered"

    assert await cache.key_for("rsa-1") == rsa_signing_key.public_jwk


def test_parse_jwks_skips_keys_without_kid_and_encryption_keys() -> None:
    document = {
        "keys": [
            {"kty": "RSA", "n": "x", "e": "AQAB"},
            {"kty": "RSA", "kid": "enc", "use": "enc", "n": "x", "e": "AQAB"},
            {"kty": "RSA", "kid": "sig", "n": "x", "e": "AQAB"},
            "not a key",
        ]
    }

    assert list(parse_jwks(document)) == ["sig"]


@pytest.mark.parametrize("document", [None, [], {"keys": "x"}, {"keys": [{"kty": "RSA"}]}])
def test_parse_jwks_rejects_documents_without_usable_keys(document: object) -> None:
    with pytest.raises(InvalidJwks):
        parse_jwks(document)
