"""`bc-gateway check-identity`: a provider's configuration checked before going live."""

from __future__ import annotations

import time
import uuid

import httpx
import pytest
import respx
from starlette.applications import Starlette
from starlette.routing import Mount

from gateway.auth import ClaimNames, DemoAccount, DemoMembership, DevIdentityProvider
from gateway.auth.provider_check import check_provider
from gateway.cli import main as cli
from tests.auth.tokens import SigningKey, claims, jwks, rsa_key, token

pytestmark = pytest.mark.anyio

ENTRA = "https://login.microsoftonline.com/11111111-2222-3333-4444-555555555555/v2.0"
KEYS = "https://login.microsoftonline.com/11111111-2222-3333-4444-555555555555/discovery/v2.0/keys"
COMPANY = uuid.UUID("5d115c9c-44e3-ea11-bb43-000d3a2feca1")


def entra_like(
    key: SigningKey, router: respx.MockRouter | None = None, **overrides: object
) -> respx.MockRouter:
    """A provider shaped like Entra ID's v2.0 endpoint (no code_challenge_methods_supported)."""
    document: dict[str, object] = {
        "issuer": ENTRA,
        "authorization_endpoint": f"{ENTRA.removesuffix('/v2.0')}/oauth2/v2.0/authorize",
        "token_endpoint": f"{ENTRA.removesuffix('/v2.0')}/oauth2/v2.0/token",
        "jwks_uri": KEYS,
        "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
    }
    document.update(overrides)
    router = router if router is not None else respx.MockRouter(assert_all_called=False)
    router.get(f"{ENTRA}/.well-known/openid-configuration").respond(json=document)
    public = jwks(key)
    for entry in public["keys"]:
        entry.pop("alg", None)  # Entra's keys name no algorithm
    router.get(KEYS).respond(json=public)
    return router


def client_for(router: respx.MockRouter) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.MockTransport(router.async_handler))


async def test_an_entra_like_provider_passes_with_a_warning_about_pkce() -> None:
    async with client_for(entra_like(rsa_key("entra"))) as http:
        report = await check_provider(ENTRA, http)

    assert report.passed
    assert report.jwks_uri == KEYS
    (warning,) = [finding for finding in report.findings if not finding.ok]
    assert warning.warning
    assert "S256" in warning.what


async def test_a_sample_token_is_validated_and_mapped_to_a_customer() -> None:
    key = rsa_key("entra")
    sample = token(key, claims(iss=ENTRA, aud="api://gateway", bc_company=str(COMPANY), bc_customer="10000"))
    async with client_for(entra_like(key)) as http:
        report = await check_provider(ENTRA, http, audience="api://gateway", token=sample)

    assert report.passed
    assert report.identity is not None
    assert report.identity.membership_for(None).customer_number == "10000"


async def test_unmapped_claims_are_named_without_their_values() -> None:
    key = rsa_key("entra")
    payload = claims(
        iss=ENTRA, aud="api://gateway", bc_company=None, bc_customer=None, oid="secret-oid-value"
    )
    async with client_for(entra_like(key)) as http:
        report = await check_provider(ENTRA, http, audience="api://gateway", token=token(key, payload))

    assert not report.passed
    failure = next(finding for finding in report.findings if not finding.ok and not finding.warning)
    assert "'bc_customer'" in failure.detail
    assert "oid" in failure.detail
    assert "secret-oid-value" not in failure.detail


async def test_renamed_claims_are_read_as_configured() -> None:
    key = rsa_key("entra")
    payload = claims(iss=ENTRA, aud="api://gateway", bc_company=None, bc_customer=None)
    payload.update({"extn.bcCompany": str(COMPANY), "extn.bcCustomer": "C-20/1"})
    names = ClaimNames(customer="extn.bcCustomer", company="extn.bcCompany")
    async with client_for(entra_like(key)) as http:
        report = await check_provider(
            ENTRA, http, audience="api://gateway", token=token(key, payload), claims=names
        )

    assert report.identity is not None
    assert report.identity.membership_for(None).customer_number == "C-20/1"


@pytest.mark.parametrize(
    ("overrides", "failing"),
    [
        pytest.param({"issuer": f"{ENTRA}/"}, "names this issuer exactly", id="issuer-differs"),
        pytest.param(
            {"response_types_supported": ["id_token"]}, "authorization code flow", id="no-code-flow"
        ),
        pytest.param({"code_challenge_methods_supported": ["plain"]}, "PKCE with S256", id="plain-only"),
        pytest.param({"token_endpoint": None}, "token_endpoint", id="no-token-endpoint"),
    ],
)
async def test_what_a_portal_needs_is_checked(overrides: dict[str, object], failing: str) -> None:
    async with client_for(entra_like(rsa_key("entra"), **overrides)) as http:
        report = await check_provider(ENTRA, http)

    assert not report.passed
    assert any(
        failing in finding.what for finding in report.findings if not finding.ok and not finding.warning
    )


async def test_a_jwks_without_usable_keys_fails() -> None:
    router = entra_like(rsa_key("entra"))
    router.get(KEYS).respond(
        json={"keys": [{"kty": "RSA", "use": "enc", "kid": "x", "n": "AQAB", "e": "AQAB"}]}
    )
    async with client_for(router) as http:
        report = await check_provider(ENTRA, http)

    assert not report.passed
    assert report.identity is None


async def test_an_unreachable_provider_fails_in_one_line() -> None:
    router = respx.MockRouter()
    router.get(f"{ENTRA}/.well-known/openid-configuration").mock(side_effect=httpx.ConnectError("refused"))
    async with client_for(router) as http:
        report = await check_provider(ENTRA, http)

    assert [finding.detail for finding in report.findings] == ["ConnectError"]


async def test_the_development_identity_provider_passes_every_check() -> None:
    issuer = "http://gateway.test/dev-idp"
    account = DemoAccount("a", "Ann", (DemoMembership(COMPANY, "CRONUS", "10000", "Ann"),))
    provider = DevIdentityProvider(issuer, "bc-gateway-dev", accounts=(account,))
    app = Starlette(routes=[Mount("/dev-idp", app=provider.asgi_app())])
    sample = provider.mint_for_account(account, ("orders:read",))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app)) as http:
        report = await check_provider(issuer, http, audience="bc-gateway-dev", token=sample, clock=time.time)

    assert report.passed
    assert all(finding.ok for finding in report.findings)


def test_the_command_prints_each_check_and_the_settings_to_use(capsys: pytest.CaptureFixture[str]) -> None:
    with respx.mock(assert_all_called=False) as mock:
        entra_like(rsa_key("entra"), mock)
        code = cli(["check-identity", "--issuer", ENTRA])

    printed = capsys.readouterr().out
    assert code == 0
    assert "[warn] it advertises PKCE S256" in printed
    assert f"AUTH_JWKS_URL={KEYS}" in printed


def test_the_command_fails_when_the_provider_is_not_ready(capsys: pytest.CaptureFixture[str]) -> None:
    with respx.mock(assert_all_called=False) as mock:
        mock.get(f"{ENTRA}/.well-known/openid-configuration").respond(404)
        code = cli(["check-identity", "--issuer", ENTRA])

    assert code == 1
    assert "[FAIL]" in capsys.readouterr().out
