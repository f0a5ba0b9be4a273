"""Every request without a valid token is refused before it can cost a BC request."""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import hmac
import json
import time
import uuid
from typing import Any
from uuid import UUID

import httpx
import pytest
from jose import jwk

from gateway.app import create_app
from gateway.auth import DevIdentityProvider
from gateway.edge.development import Development, mint_for
from gateway.settings import Settings

pytestmark = pytest.mark.anyio

QUERY = "{ orders(first: 5) { nodes { number } } }"


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


def _hs256(claims: dict[str, Any], secret: str, kid: str) -> str:
    """The classic key-confusion forgery: HMAC-signed with the RSA public key as the secret."""
    signing_input = f"{_b64({'alg': 'HS256', 'typ': 'JWT', 'kid': kid})}.{_b64(claims)}"
    signature = hmac.new(secret.encode(), signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{base64.urlsafe_b64encode(signature).decode().rstrip('=')}"


def _claims(development: Development, **overrides: Any) -> dict[str, Any]:
    customer = development.customers[0]
    now = int(time.time())
    claims = {
        "iss": development.identity.issuer,
        "aud": development.auth_settings.audience,
        "sub": "user-1",
        "iat": now,
        "exp": now + 600,
        "bc_company": str(customer.company_id),
        "bc_customer": customer.customer_number,
    }
    claims.update(overrides)
    return claims


def _forged_tokens(development: Development) -> dict[str, str | None]:
    valid = mint_for(development, development.customers[0])
    header = json.loads(base64.urlsafe_b64decode(valid.split(".")[0] + "=="))
    public_pem = jwk.construct(development.identity.jwks()["keys"][0], "RS256").to_pem().decode()
    return {
        "missing": None,
        "garbage": "not-a-token",
        "alg none": f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(_claims(development))}.",
        "HS256 with the public key": _hs256(_claims(development), public_pem, header["kid"]),
        "unknown kid": ".".join([_b64({**header, "kid": "someone-else"}), *valid.split(".")[1:]]),
        "tampered claims": ".".join(
            [valid.split(".")[0], _b64(_claims(development, bc_customer="99999")), valid.split(".")[2]]
        ),
    }


@pytest.mark.parametrize(
    "case", ["missing", "garbage", "alg none", "HS256 with the public key", "unknown kid", "tampered claims"]
)
async def test_a_bad_token_gets_401_and_no_bc_request(
    case: str, client: httpx.AsyncClient, development: Development, bc_log: Any
) -> None:
    token = _forged_tokens(development)[case]
    bc_log.clear()
    headers = {"authorization": f"Bearer {token}"} if token is not None else {}

    response = await client.post("/graphql", json={"query": QUERY}, headers=headers)

    assert response.status_code == 401
    body = response.json()
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert bc_log.entries == []


async def test_an_expired_token_gets_401_and_no_bc_request(development: Development, bc_log: Any) -> None:
    # The same gateway, but its development identity provider lives two hours in the past.
    issuer = DevIdentityProvider(
        development.identity.issuer, development.auth_settings.audience, clock=lambda: time.time() - 7200
    )
    stale = dataclasses.replace(
        development, identity=issuer, jwks_transport=httpx.ASGITransport(app=issuer.asgi_app())
    )
    app = create_app(Settings(), development=stale)
    customer = development.customers[0]
    token = issuer.mint(UUID(customer.company_id), customer.customer_number, ttl_seconds=600)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gateway.test") as client,
    ):
        bc_log.clear()  # start-up reads $metadata; only what the request causes counts
        response = await client.post(
            "/graphql", json={"query": QUERY}, headers={"authorization": f"Bearer {token}"}
        )
    assert response.status_code == 401
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert bc_log.entries == []


async def test_graphiql_page_is_served_without_a_token(client: httpx.AsyncClient) -> None:
    response = await client.get("/graphql", headers={"accept": "text/html"})
    assert response.status_code == 200
    assert "graphiql" in response.text.lower()


async def test_a_valid_token_for_an_unknown_company_is_refused(
    client: httpx.AsyncClient, development: Development, bc_log: Any
) -> None:
    customer = development.customers[0]
    token = mint_for(development, customer)
    bc_log.clear()
    response = await client.post(
        "/graphql",
        json={"query": QUERY},
        headers={"authorization": f"Bearer {token}", "x-bc-company": str(uuid.uuid4())},
    )
    assert response.status_code in (401, 403)
    assert bc_log.entries == []
