"""What the BC client keeps of httpx's client without its per-request layer (``_exchange.py``):
default headers, cookies, credentials in the URL, no redirects; BC faked with respx."""

from __future__ import annotations

import base64

import httpx
import pytest
import respx

from gateway.bc import BCClient, BCProtocolError, BCSettings, ResilienceSettings
from tests.bc.conftest import BASE_URL

pytestmark = pytest.mark.anyio
METADATA = "/bc/api/v2.0/$metadata"


def client_on(router: respx.MockRouter, environment_url: str = f"{BASE_URL}/bc") -> BCClient:
    settings = BCSettings(environment_url, None, resilience=ResilienceSettings(retry_max_attempts=1))
    return BCClient(settings, transport=httpx.MockTransport(router.async_handler))


async def test_requests_ask_for_json_and_a_compressed_answer() -> None:
    router = respx.MockRouter(base_url=BASE_URL)
    route = router.get(METADATA).respond(text="<edmx/>")
    async with client_on(router) as bc:
        await bc.fetch_metadata()
    sent = route.calls.last.request.headers
    assert sent["accept"] == "application/xml"  # the call's own header wins over the default
    assert "gzip" in sent["accept-encoding"]


async def test_a_cookie_bc_sets_goes_back_to_bc_with_the_next_request() -> None:
    router = respx.MockRouter(base_url=BASE_URL)
    route = router.get(METADATA)
    route.side_effect = [
        httpx.Response(200, text="<edmx/>", headers={"Set-Cookie": "ARRAffinity=node7; Path=/"}),
        httpx.Response(200, text="<edmx/>"),
    ]
    async with client_on(router) as bc:
        await bc.fetch_metadata()
        await bc.fetch_metadata()
    assert "cookie" not in route.calls[0].request.headers
    assert route.calls[1].request.headers["cookie"] == "ARRAffinity=node7"


async def test_credentials_in_bc_s_url_sign_in_with_basic_auth() -> None:
    router = respx.MockRouter(base_url=BASE_URL)
    route = router.get(METADATA).respond(text="<edmx/>")
    async with client_on(router, "https://portal:pa55@bc.test/bc") as bc:
        await bc.fetch_metadata()
    expected = base64.b64encode(b"portal:pa55").decode()
    assert route.calls.last.request.headers["authorization"] == f"Basic {expected}"


async def test_a_redirect_from_bc_is_not_followed() -> None:
    router = respx.MockRouter(base_url=BASE_URL, assert_all_called=False)
    router.get(METADATA).respond(302, headers={"Location": "https://elsewhere.example/steal"})
    elsewhere = router.get("https://elsewhere.example/steal").respond(text="<edmx/>")
    async with client_on(router) as bc:
        with pytest.raises(BCProtocolError):
            await bc.fetch_metadata()
    assert not elsewhere.called
