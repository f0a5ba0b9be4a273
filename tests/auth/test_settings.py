"""AuthSettings and ClaimNames: only asymmetric algorithms, sane limits."""

from __future__ import annotations

import pytest

from gateway.auth import AuthSettings, ClaimNames


def settings(**overrides: object) -> AuthSettings:
    values: dict[str, object] = {
        "issuer": "https://idp.test/",
        "audience": "api://bc-gateway",
        "jwks_url": "https://idp.test/.well-known/jwks.json",
    }
    return AuthSettings(**(values | overrides))  # type: ignore[arg-type]


def test_defaults_accept_rs256_and_es256_with_a_minute_of_leeway() -> None:
    defaults = settings()

    assert defaults.algorithms == ("RS256", "ES256")
    assert defaults.leeway_seconds == 60
    assert defaults.claims == ClaimNames()


@pytest.mark.parametrize("algorithms", [("HS256",), ("RS256", "none"), ("PS256",), (), ["RS256"]])
def test_symmetric_unknown_or_empty_algorithm_lists_are_refused(algorithms: object) -> None:
    with pytest.raises(ValueError, match="algorithms"):
        settings(algorithms=algorithms)


@pytest.mark.parametrize(
    "overrides",
    [
        {"issuer": ""},
        {"audience": ""},
        {"jwks_url": "file:///etc/keys.json"},
        {"leeway_seconds": -1},
        {"jwks_min_refresh_seconds": -1},
        {"max_token_bytes": 0},
    ],
)
def test_nonsensical_settings_are_refused(overrides: dict[str, object]) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - each case has its own message
        settings(**overrides)


def test_claim_names_default_to_the_gateway_conventions() -> None:
    names = ClaimNames()

    assert (names.customer, names.company, names.memberships) == (
        "bc_customer",
        "bc_company",
        "bc_memberships",
    )
    assert (names.roles, names.scopes, names.name) == ("roles", "scp", "name")


def test_claim_names_must_not_be_empty() -> None:
    with pytest.raises(ValueError, match="customer"):
        ClaimNames(customer="")
