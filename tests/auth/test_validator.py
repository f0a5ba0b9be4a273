"""The token catalogue: every way a token can be wrong, and what a good one turns into."""

from __future__ import annotations

import json
import time
import uuid

import pytest
import respx

from gateway.auth import (
    AuthSettings,
    ClaimNames,
    Identity,
    JwksCache,
    Membership,
    TokenRejected,
    TokenValidator,
)
from tests.auth.tokens import (
    COMPANY,
    OTHER_COMPANY,
    FakeClock,
    SigningKey,
    b64url,
    claims,
    encode,
    hmac_token,
    rsa_key,
    token,
)

pytestmark = pytest.mark.anyio


async def rejection(validator: TokenValidator, raw: str) -> str:
    with pytest.raises(TokenRejected) as caught:
        await validator.validate(raw)
    assert len(raw) < 8 or raw not in str(caught.value)  # the message never echoes the token
    return caught.value.reason


async def test_valid_rs256_token_maps_claims_to_identity(
    validator: TokenValidator, rsa_signing_key: SigningKey
) -> None:
    identity = await validator.validate(token(rsa_signing_key))

    assert identity == Identity(
        issuer="https://idp.test/",
        subject="user-42",
        memberships=(Membership(uuid.UUID(COMPANY), "10000"),),
        roles=frozenset({"buyer"}),
        scopes=frozenset({"orders:read", "orders:write"}),
        display_name="Ann Example",
    )


async def test_the_identity_knows_when_its_token_expires(
    validator: TokenValidator, rsa_signing_key: SigningKey
) -> None:
    # A subscription over WebSocket outlives its request: it ends when the token does.
    wanted = claims()

    identity = await validator.validate(token(rsa_signing_key, wanted))

    assert identity.expires_at == wanted["exp"]


async def test_valid_es256_token_is_accepted(validator: TokenValidator, ec_signing_key: SigningKey) -> None:
    identity = await validator.validate(token(ec_signing_key, claims(sub="user-7")))

    assert identity.subject == "user-7"
    assert identity.membership_for(None).customer_number == "10000"


async def test_multi_company_memberships_keep_their_order(
    validator: TokenValidator, rsa_signing_key: SigningKey
) -> None:
    memberships = [
        {"company": OTHER_COMPANY, "customer": "C-20/1"},
        {"company": COMPANY, "customer": "10000"},
    ]
    payload = claims(bc_memberships=memberships, bc_company=None, bc_customer=None)

    identity = await validator.validate(token(rsa_signing_key, payload))

    assert identity.memberships == (
        Membership(uuid.UUID(OTHER_COMPANY), "C-20/1"),
        Membership(uuid.UUID(COMPANY), "10000"),
    )
    assert identity.membership_for(uuid.UUID(COMPANY)).customer_number == "10000"


async def test_custom_claim_names_are_read(jwks_cache: JwksCache, rsa_signing_key: SigningKey) -> None:
    names = ClaimNames(customer="cust", company="tenant_company", roles="groups", scopes="scope", name="nick")
    settings = AuthSettings(
        issuer="https://idp.test/",
        audience="api://bc-gateway",
        jwks_url="https://idp.test/.well-known/jwks.json",
        claims=names,
    )
    payload = claims(
        cust="20000", tenant_company=COMPANY, groups=["admin"], scope=["orders:read"], nick="Bo",
        bc_company=None, bc_customer=None, roles=None, scp=None, name=None,
    )  # fmt: skip

    identity = await TokenValidator(settings, jwks_cache).validate(token(rsa_signing_key, payload))

    assert identity.membership_for(None) == Membership(uuid.UUID(COMPANY), "20000")
    assert identity.roles == {"admin"}
    assert identity.scopes == {"orders:read"}
    assert identity.display_name == "Bo"


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param("", id="empty"),
        pytest.param("garbage", id="garbage"),
        pytest.param("a.b", id="two-parts"),
        pytest.param("a.b.c.d", id="four-parts"),
        pytest.param("eyJ.eyJ.sig!", id="not-base64url"),
        pytest.param(f"{b64url(b'not json')}.{b64url(b'{}')}.c2ln", id="header-not-json"),
        pytest.param(f"{b64url(b'[1]')}.{b64url(b'{}')}.c2ln", id="header-not-object"),
        pytest.param("ü.ü.ü", id="non-ascii"),
    ],
)
async def test_malformed_tokens_are_rejected_without_fetching_keys(
    validator: TokenValidator, idp: respx.MockRouter, raw: str
) -> None:
    assert await rejection(validator, raw) == "malformed_token"
    assert not idp.routes["jwks"].called


async def test_jwe_shaped_five_part_token_is_rejected(
    validator: TokenValidator, idp: respx.MockRouter
) -> None:
    header = b64url(b'{"alg":"RSA-OAEP","enc":"A256GCM","kid":"rsa-1"}')

    assert await rejection(validator, f"{header}.a2V5.aXY.Y2lwaGVy.dGFn") == "malformed_token"
    assert not idp.routes["jwks"].called


async def test_oversize_token_is_rejected_before_parsing(
    validator: TokenValidator, rsa_signing_key: SigningKey, idp: respx.MockRouter
) -> None:
    huge = token(rsa_signing_key, claims(padding="x" * 100_000))

    assert await rejection(validator, huge) == "token_too_large"
    assert not idp.routes["jwks"].called


async def test_alg_none_is_rejected(validator: TokenValidator, idp: respx.MockRouter) -> None:
    unsigned = encode({"alg": "none", "typ": "JWT", "kid": "rsa-1"}, claims(), None)

    assert await rejection(validator, unsigned) == "disallowed_algorithm"
    assert not idp.routes["jwks"].called


async def test_hs256_signed_with_the_public_key_is_rejected(
    validator: TokenValidator, rsa_signing_key: SigningKey
) -> None:
    forged = hmac_token(rsa_signing_key.public_pem, kid=rsa_signing_key.kid)

    assert await rejection(validator, forged) == "disallowed_algorithm"


async def test_hs256_is_refused_even_if_a_key_of_that_kid_exists(
    jwks_cache: JwksCache, rsa_signing_key: SigningKey
) -> None:
    # Belt and braces: even a validator whose algorithm list were widened by accident checks
    # that the key's type fits the algorithm before any HMAC is computed.
    forged = hmac_token(rsa_signing_key.public_pem, kid=rsa_signing_key.kid)
    settings = AuthSettings(
        issuer="https://idp.test/",
        audience="api://bc-gateway",
        jwks_url="https://idp.test/.well-known/jwks.json",
    )
    object.__setattr__(settings, "algorithms", ("RS256", "HS256"))

    assert await rejection(TokenValidator(settings, jwks_cache), forged) == "disallowed_algorithm"


async def test_rs256_header_over_an_ec_key_is_rejected(
    validator: TokenValidator, rsa_signing_key: SigningKey, ec_signing_key: SigningKey
) -> None:
    confused = token(rsa_signing_key, kid=ec_signing_key.kid)

    assert await rejection(validator, confused) == "disallowed_algorithm"


async def test_crit_header_is_rejected(validator: TokenValidator, rsa_signing_key: SigningKey) -> None:
    raw = token(rsa_signing_key, crit=["exp"])

    assert await rejection(validator, raw) == "unsupported_header"


async def test_token_without_kid_is_rejected(validator: TokenValidator, rsa_signing_key: SigningKey) -> None:
    raw = token(rsa_signing_key, kid=None)

    assert await rejection(validator, raw) == "unknown_key"


async def test_unknown_kid_is_rejected(validator: TokenValidator) -> None:
    stranger = rsa_key("not-published")

    assert await rejection(validator, token(stranger)) == "unknown_key"


async def test_signature_by_another_key_is_rejected(
    validator: TokenValidator, rsa_signing_key: SigningKey
) -> None:
    impostor = rsa_key(rsa_signing_key.kid)

    assert await rejection(validator, token(impostor)) == "bad_signature"


async def test_tampered_payload_is_rejected(validator: TokenValidator, rsa_signing_key: SigningKey) -> None:
    header, _, signature = token(rsa_signing_key).split(".")
    tampered = f"{header}.{b64url(json.dumps(claims(bc_customer='20000')).encode())}.{signature}"

    assert await rejection(validator, tampered) == "bad_signature"


async def test_expired_token_is_rejected(validator: TokenValidator, rsa_signing_key: SigningKey) -> None:
    now = int(time.time())
    raw = token(rsa_signing_key, claims(iat=now - 7200, nbf=now - 7200, exp=now - 120))

    assert await rejection(validator, raw) == "expired"


async def test_expiry_within_leeway_is_tolerated(
    validator: TokenValidator, rsa_signing_key: SigningKey
) -> None:
    raw = token(rsa_signing_key, claims(exp=int(time.time()) - 30))

    assert (await validator.validate(raw)).subject == "user-42"


async def test_token_without_exp_is_rejected(validator: TokenValidator, rsa_signing_key: SigningKey) -> None:
    raw = token(rsa_signing_key, claims(exp=None))

    assert await rejection(validator, raw) == "invalid_claims"


@pytest.mark.parametrize("exp", ["9999999999", [1], True])
async def test_non_numeric_exp_is_rejected(
    validator: TokenValidator, rsa_signing_key: SigningKey, exp: object
) -> None:
    raw = token(rsa_signing_key, claims(exp=exp))

    assert await rejection(validator, raw) in {"invalid_claims", "expired"}


async def test_future_nbf_is_rejected(validator: TokenValidator, rsa_signing_key: SigningKey) -> None:
    raw = token(rsa_signing_key, claims(nbf=int(time.time()) + 600))

    assert await rejection(validator, raw) == "not_yet_valid"


async def test_iat_in_the_future_is_rejected(validator: TokenValidator, rsa_signing_key: SigningKey) -> None:
    raw = token(rsa_signing_key, claims(iat=int(time.time()) + 600, nbf=None))

    assert await rejection(validator, raw) == "not_yet_valid"


async def test_unknown_kids_trigger_at_most_one_refetch_per_interval(
    validator: TokenValidator, idp: respx.MockRouter, monotonic: FakeClock, rsa_signing_key: SigningKey
) -> None:
    await validator.validate(token(rsa_signing_key))
    monotonic.advance(300)

    for attempt in range(5):
        assert await rejection(validator, token(rsa_key(f"forged-{attempt}"))) == "unknown_key"

    assert idp.routes["jwks"].call_count == 2


async def test_validator_clock_decides_expiry(
    settings: AuthSettings, jwks_cache: JwksCache, rsa_signing_key: SigningKey
) -> None:
    later = FakeClock(time.time() + 2 * 3600)

    raw = token(rsa_signing_key)

    with pytest.raises(TokenRejected) as caught:
        await TokenValidator(settings, jwks_cache, clock=later).validate(raw)
    assert caught.value.reason == "expired"


async def test_validator_clock_alone_decides_validity(
    settings: AuthSettings, jwks_cache: JwksCache, rsa_signing_key: SigningKey
) -> None:
    # A token issued two hours ahead of the wall clock is valid on a validator whose clock is
    # there too: no library may judge time by a clock the gateway was not given.
    later = time.time() + 2 * 3600
    issued = int(later)
    raw = token(rsa_signing_key, claims(iat=issued, nbf=issued, exp=issued + 600))

    identity = await TokenValidator(settings, jwks_cache, clock=FakeClock(later)).validate(raw)

    assert identity.subject == "user-42"


async def test_wrong_issuer_is_rejected(validator: TokenValidator, rsa_signing_key: SigningKey) -> None:
    raw = token(rsa_signing_key, claims(iss="https://evil.test/"))

    assert await rejection(validator, raw) == "wrong_issuer"


async def test_wrong_audience_is_rejected(validator: TokenValidator, rsa_signing_key: SigningKey) -> None:
    raw = token(rsa_signing_key, claims(aud="api://someone-else"))

    assert await rejection(validator, raw) == "wrong_audience"


async def test_missing_audience_is_rejected(validator: TokenValidator, rsa_signing_key: SigningKey) -> None:
    raw = token(rsa_signing_key, claims(aud=None))

    assert await rejection(validator, raw) == "invalid_claims"


@pytest.mark.parametrize(
    "customer",
    [
        "10000' or 1 eq 1",
        "A*",
        "..",
        "X" * 21,
        "",
        " 10000",
        "10000)",
        "a?b",
        "A|B",
        "A&B",
        "<x>",
        "c=1",
        "@me",
    ],
)
async def test_unsafe_customer_numbers_are_rejected(
    validator: TokenValidator, rsa_signing_key: SigningKey, customer: str
) -> None:
    raw = token(rsa_signing_key, claims(bc_customer=customer))

    assert await rejection(validator, raw) == "invalid_claims"


@pytest.mark.parametrize(
    "company",
    [
        None,
        "not-a-guid",
        "{5d115c9c-44e3-ea11-bb43-000d3a2feca1}",
        "00000000-0000-0000-0000-000000000000",
        42,
    ],
)
async def test_company_must_be_a_guid(
    validator: TokenValidator, rsa_signing_key: SigningKey, company: object
) -> None:
    raw = token(rsa_signing_key, claims(bc_company=company))

    assert await rejection(validator, raw) == "invalid_claims"


async def test_missing_customer_is_rejected(validator: TokenValidator, rsa_signing_key: SigningKey) -> None:
    raw = token(rsa_signing_key, claims(bc_customer=None))

    assert await rejection(validator, raw) == "invalid_claims"


@pytest.mark.parametrize(
    "memberships",
    [[], "10000", [{"company": COMPANY}], [{"company": COMPANY, "customer": "A*"}], [COMPANY]],
)
async def test_invalid_memberships_are_rejected(
    validator: TokenValidator, rsa_signing_key: SigningKey, memberships: object
) -> None:
    raw = token(rsa_signing_key, claims(bc_memberships=memberships))

    assert await rejection(validator, raw) == "invalid_claims"


async def test_missing_subject_is_rejected(validator: TokenValidator, rsa_signing_key: SigningKey) -> None:
    raw = token(rsa_signing_key, claims(sub=None))

    assert await rejection(validator, raw) == "invalid_claims"


# A token is verified once and then only its time window is checked, on the validator's clock.


async def test_a_token_is_verified_once_for_many_requests(
    validator: TokenValidator, rsa_signing_key: SigningKey
) -> None:
    raw = token(rsa_signing_key)

    identities = [await validator.validate(raw) for _ in range(3)]

    assert identities[0] == identities[1] == identities[2]
    assert validator.verifications == 1
    await validator.validate(token(rsa_signing_key, claims(sub="user-43")))
    assert validator.verifications == 2  # another token is verified on its own


async def verified_now(
    settings: AuthSettings, jwks_cache: JwksCache, key: SigningKey
) -> tuple[TokenValidator, FakeClock, str]:
    """A validator on a clock of its own, and a token valid for 10 minutes it has verified."""
    issued = int(time.time())
    clock = FakeClock(issued)
    validator = TokenValidator(settings, jwks_cache, clock=clock)
    raw = token(key, claims(iat=issued, nbf=issued, exp=issued + 600))
    await validator.validate(raw)
    return validator, clock, raw


async def test_a_verified_token_is_refused_once_it_expires_and_forgotten(
    settings: AuthSettings, jwks_cache: JwksCache, rsa_signing_key: SigningKey
) -> None:
    validator, clock, raw = await verified_now(settings, jwks_cache, rsa_signing_key)
    issued = clock.now

    clock.advance(600 + settings.leeway_seconds + 1)
    assert await rejection(validator, raw) == "expired"
    clock.now = issued  # a clock moved back finds nothing kept: the token is verified again
    await validator.validate(raw)
    assert validator.verifications == 2


async def test_a_verified_token_is_refused_before_its_nbf(
    settings: AuthSettings, jwks_cache: JwksCache, rsa_signing_key: SigningKey
) -> None:
    validator, clock, raw = await verified_now(settings, jwks_cache, rsa_signing_key)

    clock.advance(-(settings.leeway_seconds + 60))

    assert await rejection(validator, raw) == "not_yet_valid"
