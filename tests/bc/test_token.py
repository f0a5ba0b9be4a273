"""EntraTokenAuth: client-credentials tokens, cached, refreshed early, one refresh at a time."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from urllib.parse import parse_qs

import httpx
import pytest
import respx

from gateway.bc import (
    BCAuthenticationFailed,
    BCClient,
    BCSettings,
    ClientCredentials,
    CustomerScope,
    EntraTokenAuth,
    Query,
)
from tests.bc.conftest import BASE_URL, COMPANY_PATH, SECRET, TOKEN, TOKEN_PATH

ITEMS_PATH = f"{COMPANY_PATH}/items"


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def tokens(router: respx.MockRouter, *, expires_in: int = 3600) -> respx.Route:
    """Each token request gets a new token: token-1, token-2, ..."""
    issued = 0

    def issue(request: httpx.Request) -> httpx.Response:
        nonlocal issued
        issued += 1
        return httpx.Response(200, json={"access_token": f"token-{issued}", "expires_in": expires_in})

    return router.post(TOKEN_PATH, name="token").mock(side_effect=issue)


def http_client(router: respx.MockRouter, auth: EntraTokenAuth) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        auth=auth, transport=httpx.MockTransport(router.async_handler), base_url=BASE_URL
    )


@pytest.mark.anyio
async def test_token_request_is_a_client_credentials_form(
    client: BCClient, router: respx.MockRouter, scope: CustomerScope
) -> None:
    router.get(ITEMS_PATH).respond(json={"value": []})
    await client.session(scope).fetch(Query("items"))
    form = parse_qs(router.routes["token"].calls.last.request.content.decode())
    assert form == {
        "grant_type": ["client_credentials"],
        "client_id": ["portal-app"],
        "client_secret": [SECRET],
        "scope": ["https://api.businesscentral.dynamics.com/.default"],
    }


@pytest.mark.anyio
async def test_token_is_cached_across_requests(
    client: BCClient, router: respx.MockRouter, scope: CustomerScope
) -> None:
    bc = router.get(ITEMS_PATH).respond(json={"value": []})
    session = client.session(scope)
    for _ in range(3):
        await session.fetch(Query("items"))
    assert router.routes["token"].call_count == 1
    assert all(call.request.headers["Authorization"] == f"Bearer {TOKEN}" for call in bc.calls)


@pytest.mark.anyio
async def test_token_is_refreshed_five_minutes_before_expiry(
    credentials: ClientCredentials, router: respx.MockRouter
) -> None:
    token_route = tokens(router, expires_in=3600)
    bc = router.get("/data").respond(200)
    clock = FakeClock()
    async with http_client(router, EntraTokenAuth(credentials, clock=clock)) as http:
        await http.get("/data")
        clock.now += 3600 - 301
        await http.get("/data")
        assert token_route.call_count == 1
        clock.now += 2  # now inside the last five minutes
        await http.get("/data")
    assert token_route.call_count == 2
    assert bc.calls.last.request.headers["Authorization"] == "Bearer token-2"


@pytest.mark.anyio
async def test_short_lived_token_is_refreshed_at_half_life(
    credentials: ClientCredentials, router: respx.MockRouter
) -> None:
    token_route = tokens(router, expires_in=120)
    router.get("/data").respond(200)
    clock = FakeClock()
    async with http_client(router, EntraTokenAuth(credentials, clock=clock)) as http:
        await http.get("/data")
        clock.now += 59
        await http.get("/data")
        assert token_route.call_count == 1
        clock.now += 2
        await http.get("/data")
    assert token_route.call_count == 2


@pytest.mark.anyio
async def test_concurrent_requests_share_one_token_refresh(
    credentials: ClientCredentials, router: respx.MockRouter
) -> None:
    issued = 0

    async def slow_issue(request: httpx.Request) -> httpx.Response:
        nonlocal issued
        issued += 1
        await asyncio.sleep(0.01)  # give the other requests time to pile up behind the refresh
        return httpx.Response(200, json={"access_token": "shared", "expires_in": 3600})

    router.post(TOKEN_PATH).mock(side_effect=slow_issue)
    bc = router.get("/data").respond(200)
    async with http_client(router, EntraTokenAuth(credentials)) as http:
        await asyncio.gather(*(http.get("/data") for _ in range(20)))
    assert issued == 1
    assert bc.call_count == 20
    assert {call.request.headers["Authorization"] for call in bc.calls} == {"Bearer shared"}


@pytest.mark.anyio
async def test_401_from_bc_refreshes_once_and_retries(
    credentials: ClientCredentials, router: respx.MockRouter
) -> None:
    token_route = tokens(router)
    seen: list[str] = []  # recorded on arrival: the retry reuses (and re-signs) the request object

    def first_refuse(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers["Authorization"])
        return httpx.Response(401) if len(seen) == 1 else httpx.Response(200, text="ok")

    router.get("/data").mock(side_effect=first_refuse)
    async with http_client(router, EntraTokenAuth(credentials)) as http:
        response = await http.get("/data")
    assert response.text == "ok"
    assert token_route.call_count == 2
    assert seen == ["Bearer token-1", "Bearer token-2"]


@pytest.mark.anyio
async def test_persistent_401_is_authentication_failure(
    client: BCClient, router: respx.MockRouter, scope: CustomerScope
) -> None:
    bc = router.get(ITEMS_PATH).respond(401)
    with pytest.raises(BCAuthenticationFailed):
        await client.session(scope).fetch(Query("items"))
    assert bc.call_count == 2  # one retry, not a loop


@pytest.mark.anyio
async def test_token_endpoint_refusal_is_authentication_failure_without_secret(
    settings: BCSettings, scope: CustomerScope
) -> None:
    router = respx.MockRouter(base_url=BASE_URL, assert_all_called=False)
    router.post(TOKEN_PATH).respond(
        401,
        json={
            "error": "invalid_client",
            "error_description": "AADSTS7000215: Invalid client secret provided.",
            "correlation_id": "c0ffee",
        },
    )
    bc = router.get(ITEMS_PATH).respond(json={"value": []})
    async with BCClient(settings, transport=httpx.MockTransport(router.async_handler)) as client:
        with pytest.raises(BCAuthenticationFailed) as caught:
            await client.session(scope).fetch(Query("items"))
    assert caught.value.code == "invalid_client"
    assert caught.value.correlation_id == "c0ffee"
    assert SECRET not in str(caught.value)
    assert SECRET not in repr(caught.value)
    assert not bc.called


def test_secret_is_not_in_reprs(credentials: ClientCredentials, settings: BCSettings) -> None:
    for thing in (credentials, settings, EntraTokenAuth(credentials)):
        assert SECRET not in repr(thing)
        assert SECRET not in str(thing)


@pytest.mark.anyio
async def test_secret_and_token_are_not_logged(
    client: BCClient, router: respx.MockRouter, scope: CustomerScope, caplog: pytest.LogCaptureFixture
) -> None:
    router.get(ITEMS_PATH).respond(json={"value": []})
    with caplog.at_level(logging.DEBUG):
        await client.session(scope).fetch(Query("items"))
    assert caplog.records
    for record in caplog.records:
        text = f"{record.getMessage()} {record.__dict__}"
        assert SECRET not in text
        assert TOKEN not in text


@pytest.mark.anyio
async def test_streamed_token_response_is_read(credentials: ClientCredentials) -> None:
    # ASGI and network transports stream bodies; respx pre-reads them, which hid this once.
    async def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == TOKEN_PATH:
            chunks = [b'{"access_token": "streamed", ', b'"expires_in": 3600}']
            return httpx.Response(200, stream=StreamedBody(chunks))
        return httpx.Response(200, text=request.headers["Authorization"])

    transport = httpx.MockTransport(handler)
    async with httpx.AsyncClient(
        auth=EntraTokenAuth(credentials), transport=transport, base_url=BASE_URL
    ) as http:
        response = await http.get("/data")
    assert response.text == "Bearer streamed"


class StreamedBody(httpx.AsyncByteStream):
    def __init__(self, chunks: list[bytes]) -> None:
        self._chunks = chunks

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for chunk in self._chunks:
            yield chunk
