"""The development identity provider's code flow, rule by rule, as a browser app would use it."""

from __future__ import annotations

import base64
import hashlib
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from starlette.applications import Starlette
from starlette.routing import Mount

from gateway.auth import (
    AuthSettings,
    DemoAccount,
    DemoMembership,
    DevIdentityProvider,
    JwksCache,
    PublicClient,
    TokenRejected,
    TokenValidator,
    load_or_create_signing_key,
)
from tests.auth.tokens import FakeClock

pytestmark = pytest.mark.anyio

ISSUER = "http://gateway.test/dev-idp"
AUDIENCE = "bc-gateway-dev"
CLIENT = "bc-portal"
REDIRECT = "http://gateway.test/portal/"
CRONUS = uuid.UUID("5d115c9c-44e3-ea11-bb43-000d3a2feca1")
FABRIKAM = uuid.UUID("7a2e1f3b-0c4d-4e5f-8a9b-1c2d3e4f5a6b")
ANN = DemoAccount(f"{CRONUS}|10000", "Ann's Shop", (DemoMembership(CRONUS, "CRONUS", "10000", "Ann's Shop"),))
GROUP = DemoAccount(
    "group|20000",
    "Two companies",
    (
        DemoMembership(CRONUS, "CRONUS", "20000", "Bob Ltd"),
        DemoMembership(FABRIKAM, "Fabrikam", "20000", "Bob GmbH"),
    ),
)
VERIFIER = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"  # RFC 7636 appendix B
CHALLENGE = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
SCOPES = "openid profile offline_access orders:read orders:write"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(time.time())


def make_provider(clock: FakeClock, **options: object) -> DevIdentityProvider:
    return DevIdentityProvider(
        ISSUER,
        AUDIENCE,
        clock=clock,
        accounts=(ANN, GROUP),
        clients=(PublicClient(CLIENT, (REDIRECT,)),),
        access_ttl_seconds=600,
        **options,  # type: ignore[arg-type]
    )


@pytest.fixture
def provider(clock: FakeClock) -> DevIdentityProvider:
    return make_provider(clock)


@pytest.fixture
async def idp(provider: DevIdentityProvider) -> AsyncIterator[httpx.AsyncClient]:
    app = Starlette(routes=[Mount("/dev-idp", app=provider.asgi_app())])
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://gateway.test/dev-idp"
    ) as client:
        yield client


@pytest.fixture
def validator(idp: httpx.AsyncClient, clock: FakeClock) -> TokenValidator:
    jwks_url = f"{ISSUER}/.well-known/jwks.json"
    settings = AuthSettings(issuer=ISSUER, audience=AUDIENCE, jwks_url=jwks_url, leeway_seconds=0)
    return TokenValidator(settings, JwksCache(jwks_url, idp, min_refresh_seconds=300), clock=clock)


def authorize_params(**overrides: str | None) -> dict[str, str]:
    params: dict[str, str | None] = {
        "response_type": "code",
        "client_id": CLIENT,
        "redirect_uri": REDIRECT,
        "scope": SCOPES,
        "state": "state-123",
        "nonce": "nonce-456",
        "code_challenge": CHALLENGE,
        "code_challenge_method": "S256",
    }
    params.update(overrides)
    return {key: value for key, value in params.items() if value is not None}


def redirect_query(response: httpx.Response) -> dict[str, str]:
    assert response.status_code == 303, response.text
    location = response.headers["location"]
    assert location.startswith(REDIRECT)
    return {key: values[0] for key, values in parse_qs(urlsplit(location).query).items()}


async def sign_in(idp: httpx.AsyncClient, account: DemoAccount = ANN, **overrides: str | None) -> str:
    response = await idp.post("/authorize", data={**authorize_params(**overrides), "account": account.key})
    query = redirect_query(response)
    assert query["state"] == overrides.get("state", "state-123")
    assert query["iss"] == ISSUER
    return query["code"]


async def redeem(idp: httpx.AsyncClient, code: str, **overrides: str | None) -> httpx.Response:
    form: dict[str, str | None] = {
        "grant_type": "authorization_code",
        "client_id": CLIENT,
        "code": code,
        "redirect_uri": REDIRECT,
        "code_verifier": VERIFIER,
    }
    form.update(overrides)
    return await idp.post("/token", data={key: value for key, value in form.items() if value is not None})


async def refresh(idp: httpx.AsyncClient, token: str) -> httpx.Response:
    return await idp.post(
        "/token", data={"grant_type": "refresh_token", "client_id": CLIENT, "refresh_token": token}
    )


def claims_of(jwt: str) -> dict[str, object]:
    import json

    payload = jwt.split(".")[1]
    return dict(json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))))


async def test_discovery_advertises_the_code_flow_with_s256_only(idp: httpx.AsyncClient) -> None:
    document = (await idp.get("/.well-known/openid-configuration")).json()

    assert document["issuer"] == ISSUER
    assert document["authorization_endpoint"] == f"{ISSUER}/authorize"
    assert document["token_endpoint"] == f"{ISSUER}/token"
    assert document["response_types_supported"] == ["code"]
    assert document["code_challenge_methods_supported"] == ["S256"]
    assert set(document["grant_types_supported"]) == {"authorization_code", "refresh_token"}


async def test_the_sign_in_page_lists_the_demo_customers_and_their_companies(idp: httpx.AsyncClient) -> None:
    response = await idp.get("/authorize", params=authorize_params())

    assert response.status_code == 200
    page = response.text
    assert "Ann&#x27;s Shop" in page
    assert "CRONUS" in page
    assert "Bob Ltd (CRONUS)" in page
    assert "Bob GmbH (Fabrikam)" in page
    assert "script" not in page  # works under a CSP without scripts
    assert "default-src 'none'" in response.headers["content-security-policy"]


async def test_code_flow_gives_tokens_the_gateway_accepts(
    idp: httpx.AsyncClient, validator: TokenValidator
) -> None:
    response = await redeem(idp, await sign_in(idp))

    body = response.json()
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 600
    identity = await validator.validate(body["access_token"])
    assert identity.membership_for(None).customer_number == "10000"
    assert identity.scopes == {"orders:read", "orders:write"}
    assert identity.display_name == "Ann's Shop"
    id_token = claims_of(body["id_token"])
    assert id_token["nonce"] == "nonce-456"
    assert id_token["aud"] == CLIENT
    assert id_token["iss"] == ISSUER


async def test_a_buyer_for_several_companies_gets_every_membership(
    idp: httpx.AsyncClient, validator: TokenValidator
) -> None:
    body = (await redeem(idp, await sign_in(idp, GROUP))).json()

    identity = await validator.validate(body["access_token"])
    assert [(m.company_id, m.customer_number) for m in identity.memberships] == [
        (CRONUS, "20000"),
        (FABRIKAM, "20000"),
    ]


async def test_access_tokens_expire_after_their_ttl(
    idp: httpx.AsyncClient, validator: TokenValidator, clock: FakeClock
) -> None:
    access_token = (await redeem(idp, await sign_in(idp))).json()["access_token"]
    clock.advance(601)

    with pytest.raises(TokenRejected) as caught:
        await validator.validate(access_token)
    assert caught.value.reason == "expired"


def test_access_tokens_last_an_hour_by_default(clock: FakeClock) -> None:
    assert DevIdentityProvider(ISSUER, AUDIENCE).access_ttl_seconds == 3600


async def test_a_wrong_code_verifier_is_refused_and_spends_the_code(idp: httpx.AsyncClient) -> None:
    code = await sign_in(idp)

    wrong = await redeem(idp, code, code_verifier="x" * 43)
    right_too_late = await redeem(idp, code)

    assert wrong.status_code == 400
    assert wrong.json()["error"] == "invalid_grant"
    assert right_too_late.json()["error"] == "invalid_grant"


async def test_a_missing_code_verifier_is_refused(idp: httpx.AsyncClient) -> None:
    response = await redeem(idp, await sign_in(idp), code_verifier=None)

    assert response.json()["error"] == "invalid_request"
    assert "access_token" not in response.json()


@pytest.mark.parametrize("method", ["plain", None, "S512"])
async def test_pkce_other_than_s256_is_refused(idp: httpx.AsyncClient, method: str | None) -> None:
    response = await idp.get("/authorize", params=authorize_params(code_challenge_method=method))

    query = redirect_query(response)
    assert query["error"] == "invalid_request"
    assert "code" not in query
    assert query["state"] == "state-123"


async def test_a_missing_code_challenge_is_refused(idp: httpx.AsyncClient) -> None:
    query = redirect_query(await idp.get("/authorize", params=authorize_params(code_challenge=None)))

    assert query["error"] == "invalid_request"


@pytest.mark.parametrize(
    "redirect_uri",
    ["http://evil.test/portal/", "http://gateway.test/portal/?next=evil", "http://gateway.test/portal", None],
)
async def test_an_unregistered_redirect_uri_is_never_redirected_to(
    idp: httpx.AsyncClient, redirect_uri: str | None
) -> None:
    for response in (
        await idp.get("/authorize", params=authorize_params(redirect_uri=redirect_uri)),
        await idp.post(
            "/authorize", data={**authorize_params(redirect_uri=redirect_uri), "account": ANN.key}
        ),
    ):
        assert response.status_code == 400
        assert "location" not in response.headers
        assert "not registered" in response.text


async def test_an_unknown_client_is_never_redirected_to(idp: httpx.AsyncClient) -> None:
    response = await idp.get("/authorize", params=authorize_params(client_id="someone-else"))

    assert response.status_code == 400
    assert "location" not in response.headers


async def test_the_redirect_uri_must_match_at_the_token_endpoint(idp: httpx.AsyncClient) -> None:
    response = await redeem(idp, await sign_in(idp), redirect_uri="http://gateway.test/other/")

    assert response.json()["error"] == "invalid_grant"


async def test_only_response_type_code_is_offered(idp: httpx.AsyncClient) -> None:
    query = redirect_query(await idp.get("/authorize", params=authorize_params(response_type="token")))

    assert query["error"] == "unsupported_response_type"


async def test_unknown_scopes_are_refused(idp: httpx.AsyncClient) -> None:
    query = redirect_query(await idp.get("/authorize", params=authorize_params(scope="openid admin:all")))

    assert query["error"] == "invalid_scope"


async def test_cancel_returns_access_denied_with_the_state(idp: httpx.AsyncClient) -> None:
    response = await idp.post("/authorize", data={**authorize_params(), "cancel": "1"})

    query = redirect_query(response)
    assert query == {
        "error": "access_denied",
        "error_description": "Sign-in cancelled.",
        "state": "state-123",
        "iss": ISSUER,
    }


async def test_an_unknown_account_gets_the_page_again_and_no_code(idp: httpx.AsyncClient) -> None:
    response = await idp.post("/authorize", data={**authorize_params(), "account": "nobody"})

    assert response.status_code == 400
    assert "location" not in response.headers


async def test_a_code_works_once_and_its_reuse_revokes_what_it_gave(idp: httpx.AsyncClient) -> None:
    code = await sign_in(idp)
    first = (await redeem(idp, code)).json()

    replay = await redeem(idp, code)

    assert replay.status_code == 400
    assert replay.json()["error"] == "invalid_grant"
    assert (await refresh(idp, first["refresh_token"])).json()["error"] == "invalid_grant"


async def test_an_expired_code_is_refused(idp: httpx.AsyncClient, clock: FakeClock) -> None:
    code = await sign_in(idp)
    clock.advance(61)

    response = await redeem(idp, code)

    assert response.json()["error"] == "invalid_grant"
    assert "expired" in response.json()["error_description"]


async def test_a_code_is_bound_to_its_client(idp: httpx.AsyncClient) -> None:
    response = await redeem(idp, await sign_in(idp), client_id="someone-else")

    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


async def test_refresh_rotates_the_refresh_token(idp: httpx.AsyncClient, validator: TokenValidator) -> None:
    first = (await redeem(idp, await sign_in(idp))).json()

    second = (await refresh(idp, first["refresh_token"])).json()
    third = (await refresh(idp, second["refresh_token"])).json()

    assert second["refresh_token"] != first["refresh_token"]
    assert third["refresh_token"] not in (first["refresh_token"], second["refresh_token"])
    identity = await validator.validate(third["access_token"])
    assert identity.membership_for(None).customer_number == "10000"


async def test_a_reused_refresh_token_revokes_the_whole_family(idp: httpx.AsyncClient) -> None:
    first = (await redeem(idp, await sign_in(idp))).json()
    second = (await refresh(idp, first["refresh_token"])).json()

    stolen = await refresh(idp, first["refresh_token"])

    assert stolen.json()["error"] == "invalid_grant"
    assert (await refresh(idp, second["refresh_token"])).json()["error"] == "invalid_grant"


async def test_other_sign_ins_survive_a_revoked_family(idp: httpx.AsyncClient) -> None:
    mine = (await redeem(idp, await sign_in(idp))).json()
    other = (await redeem(idp, await sign_in(idp, GROUP))).json()
    await refresh(idp, mine["refresh_token"])
    await refresh(idp, mine["refresh_token"])  # reuse: revokes my family only

    assert (await refresh(idp, other["refresh_token"])).status_code == 200


async def test_revocation_ends_the_session(idp: httpx.AsyncClient) -> None:
    tokens = (await redeem(idp, await sign_in(idp))).json()

    revoked = await idp.post("/revoke", data={"token": tokens["refresh_token"], "client_id": CLIENT})

    assert revoked.status_code == 200
    assert (await refresh(idp, tokens["refresh_token"])).json()["error"] == "invalid_grant"


async def test_refresh_tokens_need_offline_access(idp: httpx.AsyncClient) -> None:
    body = (await redeem(idp, await sign_in(idp, scope="openid orders:read"))).json()

    assert "refresh_token" not in body
    assert body["scope"] == "openid orders:read"


async def test_sessions_expire(idp: httpx.AsyncClient, clock: FakeClock) -> None:
    tokens = (await redeem(idp, await sign_in(idp))).json()
    clock.advance(24 * 3600 + 1)

    assert (await refresh(idp, tokens["refresh_token"])).json()["error"] == "invalid_grant"


async def test_unknown_grant_types_are_refused(idp: httpx.AsyncClient) -> None:
    response = await idp.post("/token", data={"grant_type": "password", "client_id": CLIENT})

    assert response.json()["error"] == "unsupported_grant_type"


async def test_registered_origins_may_call_the_token_endpoint_cross_origin(idp: httpx.AsyncClient) -> None:
    allowed = await idp.post(
        "/token", data={"grant_type": "x", "client_id": CLIENT}, headers={"Origin": "http://gateway.test"}
    )
    other = await idp.post(
        "/token", data={"grant_type": "x", "client_id": CLIENT}, headers={"Origin": "http://evil.test"}
    )

    assert allowed.headers["access-control-allow-origin"] == "http://gateway.test"
    assert "access-control-allow-origin" not in other.headers


async def test_a_sign_in_outlives_a_restart(tmp_path: Path, clock: FakeClock) -> None:
    key = load_or_create_signing_key(tmp_path)
    before = make_provider(clock, signing_key_pem=key, sessions_file=tmp_path / "sessions.json")
    async with _client(before) as idp:
        tokens = (await redeem(idp, await sign_in(idp))).json()

    after = make_provider(
        clock, signing_key_pem=load_or_create_signing_key(tmp_path), sessions_file=tmp_path / "sessions.json"
    )
    async with _client(after) as idp:
        jwks_url = f"{ISSUER}/.well-known/jwks.json"
        settings = AuthSettings(issuer=ISSUER, audience=AUDIENCE, jwks_url=jwks_url)
        validator = TokenValidator(settings, JwksCache(jwks_url, idp, min_refresh_seconds=300), clock=clock)
        identity = await validator.validate(tokens["access_token"])
        refreshed = await refresh(idp, tokens["refresh_token"])

    assert identity.membership_for(None).customer_number == "10000"
    assert refreshed.status_code == 200
    assert (tmp_path / "dev-idp-signing-key.pem").stat().st_mode & 0o077 == 0


def test_a_damaged_key_file_is_named(tmp_path: Path) -> None:
    (tmp_path / "dev-idp-signing-key.pem").write_text("not a key")

    with pytest.raises(ValueError, match=r"dev-idp-signing-key\.pem"):
        load_or_create_signing_key(tmp_path)


def test_rfc_7636_example_challenge() -> None:
    digest = hashlib.sha256(VERIFIER.encode()).digest()
    assert base64.urlsafe_b64encode(digest).rstrip(b"=").decode() == CHALLENGE


def _client(provider: DevIdentityProvider) -> httpx.AsyncClient:
    app = Starlette(routes=[Mount("/dev-idp", app=provider.asgi_app())])
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gateway.test/dev-idp")
