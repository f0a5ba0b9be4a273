"""GraphQL over HTTP done right: negotiation, security headers, CORS, proxies and HTTPS."""

from __future__ import annotations

import re
from typing import Any

import pytest

from gateway.app import create_app
from gateway.edge.hygiene import EdgeHygiene
from gateway.edge.live import LiveSettings
from gateway.settings import Settings
from tests.conftest import TODAY
from tests.edge.conftest import GatewayFactory

pytestmark = pytest.mark.anyio

ME = {"query": "{ me { number } }"}


@pytest.fixture
def auth(development: Any, token_for: Any) -> dict[str, str]:
    customer = development.customers[0]
    return {"authorization": f"Bearer {token_for(customer.customer_number, customer.company_id)}"}


@pytest.mark.parametrize(
    ("accept", "media_type"),
    [
        (None, "application/json"),
        ("*/*", "application/json"),
        ("application/json", "application/json"),
        ("application/graphql-response+json", "application/graphql-response+json"),
        ("application/graphql-response+json, application/json;q=0.9", "application/graphql-response+json"),
        ("application/json, application/graphql-response+json;q=0.5", "application/json"),
    ],
)
async def test_the_response_media_type_is_negotiated(
    accept: str | None, media_type: str, gateway: GatewayFactory, auth: dict[str, str]
) -> None:
    headers = {**auth, **({"accept": accept} if accept else {})}
    async with gateway() as client:
        response = await client.post("/graphql", json=ME, headers=headers)
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == media_type


async def test_a_validation_failure_is_400_for_graphql_response_json_and_200_for_json(
    gateway: GatewayFactory, auth: dict[str, str], bc_log: Any
) -> None:
    bad = {"query": "{ me { nope } }"}
    async with gateway() as client:
        bc_log.clear()
        modern = await client.post(
            "/graphql", json=bad, headers={**auth, "accept": "application/graphql-response+json"}
        )
        legacy = await client.post("/graphql", json=bad, headers={**auth, "accept": "application/json"})
    assert modern.status_code == 400
    assert legacy.status_code == 200
    assert "data" not in modern.json()
    assert bc_log.entries == []


async def test_every_response_carries_the_security_headers(
    gateway: GatewayFactory, auth: dict[str, str]
) -> None:
    async with gateway() as client:
        answers = [
            await client.post("/graphql", json=ME, headers=auth),
            await client.post("/graphql", json=ME),
            await client.get("/healthz"),
            await client.get("/graphql", headers={"accept": "text/html"}),
        ]
    for response in answers:
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "no-referrer"
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
        assert "strict-transport-security" not in response.headers  # plain HTTP here


async def test_hsts_is_sent_when_serving_https(gateway: GatewayFactory, auth: dict[str, str]) -> None:
    async with gateway(base_url="https://gateway.test") as client:
        response = await client.post("/graphql", json=ME, headers=auth)
    assert response.headers["strict-transport-security"].startswith("max-age=")


async def test_production_mode_refuses_plain_http_but_not_health_probes(
    gateway: GatewayFactory, auth: dict[str, str], bc_log: Any
) -> None:
    async with gateway(production=True) as client:
        bc_log.clear()
        refused = await client.post("/graphql", json=ME, headers=auth)
        refused_requests = list(bc_log.entries)
        probe = await client.get("/healthz")
    assert refused.status_code == 403
    assert refused.json()["errors"][0]["extensions"]["code"] == "HTTPS_REQUIRED"
    assert refused_requests == []
    assert probe.status_code == 200


async def test_x_forwarded_proto_is_believed_only_from_a_trusted_proxy(
    gateway: GatewayFactory, auth: dict[str, str]
) -> None:
    forwarded = {**auth, "x-forwarded-proto": "https", "x-forwarded-for": "203.0.113.9"}
    async with gateway(production=True, trusted_proxies=("10.0.0.0/8",), client=("10.1.2.3", 5000)) as client:
        via_proxy = await client.post("/graphql", json=ME, headers=forwarded)
    async with gateway(
        production=True, trusted_proxies=("10.0.0.0/8",), client=("198.51.100.7", 5000)
    ) as client:
        spoofed = await client.post("/graphql", json=ME, headers=forwarded)
    assert via_proxy.status_code == 200
    assert via_proxy.headers["strict-transport-security"].startswith("max-age=")
    assert spoofed.status_code == 403


async def test_the_forwarded_client_address_is_what_the_per_address_limit_counts(
    gateway: GatewayFactory,
) -> None:
    from gateway.edge.ratelimit import RateLimit

    async with gateway(
        trusted_proxies=("10.0.0.1",),
        client=("10.0.0.1", 5000),
        ip_rate_limit=RateLimit(per_minute=60, burst=1),
    ) as client:
        first = await client.post("/graphql", json=ME, headers={"x-forwarded-for": "203.0.113.1"})
        second = await client.post("/graphql", json=ME, headers={"x-forwarded-for": "203.0.113.1"})
        other = await client.post("/graphql", json=ME, headers={"x-forwarded-for": "203.0.113.2"})
    assert [first.status_code, second.status_code, other.status_code] == [401, 429, 401]


async def test_cors_allows_only_listed_origins(gateway: GatewayFactory) -> None:
    preflight = {
        "access-control-request-method": "POST",
        "access-control-request-headers": "authorization,content-type",
    }
    async with gateway(cors_origins=("https://portal.example.com",)) as client:
        allowed = await client.options(
            "/graphql", headers={**preflight, "origin": "https://portal.example.com"}
        )
        other = await client.options("/graphql", headers={**preflight, "origin": "https://evil.example.net"})
    assert allowed.headers["access-control-allow-origin"] == "https://portal.example.com"
    assert "access-control-allow-origin" not in other.headers


async def test_a_browser_may_send_every_header_the_docs_recommend(gateway: GatewayFactory) -> None:
    sent = "authorization, content-type, x-bc-company, idempotency-key, x-request-id"
    preflight = {
        "origin": "https://portal.example.com",
        "access-control-request-method": "POST",
        "access-control-request-headers": sent,
    }
    async with gateway(cors_origins=("https://portal.example.com",)) as client:
        response = await client.options("/graphql", headers=preflight)
    assert response.status_code == 200, response.text
    allowed = {name.strip().lower() for name in response.headers["access-control-allow-headers"].split(",")}
    assert {name.strip() for name in sent.split(",")} <= allowed


async def test_browser_code_may_read_retry_after_content_disposition_and_the_request_id(
    gateway: GatewayFactory, auth: dict[str, str]
) -> None:
    origin = {"origin": "https://portal.example.com", "x-request-id": "portal-7f3a"}
    async with gateway(cors_origins=("https://portal.example.com",)) as client:
        response = await client.post("/graphql", json=ME, headers={**auth, **origin})
    exposed = {name.strip().lower() for name in response.headers["access-control-expose-headers"].split(",")}
    assert {"retry-after", "content-disposition", "x-request-id"} <= exposed
    assert response.headers["x-request-id"] == "portal-7f3a"


@pytest.mark.parametrize("request_id", ["", "x" * 129, "bad id", "a,b", "<script>"])
async def test_a_request_id_that_is_not_a_plain_token_is_replaced_by_the_gateways_own(
    gateway: GatewayFactory, auth: dict[str, str], request_id: str
) -> None:
    async with gateway() as client:
        response = await client.post("/graphql", json=ME, headers={**auth, "x-request-id": request_id})
    assert response.status_code == 200
    assert re.fullmatch(r"[0-9a-f]{32}", response.headers["x-request-id"])


async def test_without_configured_origins_no_cors_headers_are_sent(
    gateway: GatewayFactory, auth: dict[str, str]
) -> None:
    async with gateway() as client:
        response = await client.post(
            "/graphql", json=ME, headers={**auth, "origin": "https://evil.example.net"}
        )
    assert "access-control-allow-origin" not in response.headers


async def test_introspection_and_suggestions_are_off_in_production_and_on_in_development(
    gateway: GatewayFactory, auth: dict[str, str], bc_log: Any
) -> None:
    introspection = {"query": "{ __schema { queryType { name } } }"}
    typo = {"query": "{ me { numbr } }"}
    https = {"x-forwarded-proto": "https"}
    async with gateway(production=True, trusted_proxies=("127.0.0.1",)) as client:
        bc_log.clear()
        closed = await client.post("/graphql", json=introspection, headers={**auth, **https})
        hidden = await client.post("/graphql", json=typo, headers={**auth, **https})
        production_requests = list(bc_log.entries)
    async with gateway() as client:
        open_ = await client.post("/graphql", json=introspection, headers=auth)
        hinted = await client.post("/graphql", json=typo, headers=auth)

    assert "introspection" in closed.json()["errors"][0]["message"].lower()
    assert "Did you mean" not in hidden.text
    assert "numbr" in hidden.json()["errors"][0]["message"]
    assert production_requests == []
    assert open_.json()["data"]["__schema"]["queryType"]["name"] == "Query"
    assert "Did you mean" in hinted.text


@pytest.mark.parametrize("accept", ["application/graphql-response+json", "application/json"])
async def test_a_401_is_in_the_media_type_the_client_asked_for(gateway: GatewayFactory, accept: str) -> None:
    async with gateway() as client:
        response = await client.post("/graphql", json=ME, headers={"accept": accept})
    assert response.status_code == 401
    assert response.headers["content-type"].split(";")[0] == accept
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


WEBSOCKET_UPGRADE = {
    "connection": "Upgrade",
    "upgrade": "websocket",
    "sec-websocket-version": "13",
    "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==",
    "sec-websocket-protocol": "graphql-transport-ws",
}


async def test_a_websocket_upgrade_is_refused_as_subscriptions_are_not_available(
    gateway: GatewayFactory, auth: dict[str, str], bc_log: Any
) -> None:
    async with gateway() as client:
        bc_log.clear()
        response = await client.get("/graphql", headers={**auth, **WEBSOCKET_UPGRADE})
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "SUBSCRIPTIONS_NOT_AVAILABLE"
    assert "subscriptions" in error["message"].lower()
    assert bc_log.entries == []


async def test_with_subscriptions_off_a_websocket_is_closed_with_the_reason(development: Any) -> None:
    gateway_app = create_app(
        Settings(live=LiveSettings(enabled=False)), development=development, today=lambda: TODAY
    )
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "websocket.connect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "websocket",
        "asgi": {"version": "3.0"},
        "path": "/graphql",
        "raw_path": b"/graphql",
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"gateway.test"), (b"sec-websocket-protocol", b"graphql-transport-ws")],
        "subprotocols": ["graphql-transport-ws"],
        "client": ("127.0.0.1", 5000),
        "server": ("gateway.test", 80),
        "scheme": "ws",
    }
    async with gateway_app.router.lifespan_context(gateway_app):
        await gateway_app(scope, receive, send)
    assert [message["type"] for message in sent] == ["websocket.close"]
    assert "subscriptions" in sent[0]["reason"].lower()


async def test_a_websocket_over_plain_ws_is_refused_where_https_is_required() -> None:
    seen: list[str] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        seen.append(scope["scheme"])
        await send({"type": "websocket.accept"})

    guarded = EdgeHygiene(app, trusted_proxies=["10.0.0.0/8"], require_https=True)
    direct = await _websocket_through(guarded, client="203.0.113.9", headers=[])
    proxied = await _websocket_through(guarded, client="10.0.0.2", headers=[(b"x-forwarded-proto", b"https")])

    assert direct == {
        "type": "websocket.close",
        "code": 1008,
        "reason": "This gateway is served over HTTPS only.",
    }
    assert proxied == {"type": "websocket.accept"}
    assert seen == ["wss"]


async def _websocket_through(app: Any, *, client: str, headers: list[tuple[bytes, bytes]]) -> dict[str, Any]:
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "websocket.connect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "websocket",
        "scheme": "ws",
        "path": "/graphql",
        "headers": headers,
        "client": (client, 1),
    }
    await app(scope, receive, send)
    return sent[0]
