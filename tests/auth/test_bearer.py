"""Reading the token from an Authorization header."""

from __future__ import annotations

import pytest

from gateway.auth import TokenRejected, bearer_token


@pytest.mark.parametrize("header", ["Bearer abc.def.ghi", "bearer abc.def.ghi", "BEARER  abc.def.ghi "])
def test_bearer_token_is_read_whatever_the_scheme_case(header: str) -> None:
    assert bearer_token(header) == "abc.def.ghi"


@pytest.mark.parametrize("header", [None, "", "   "])
def test_absent_header_is_a_missing_token(header: str | None) -> None:
    with pytest.raises(TokenRejected) as caught:
        bearer_token(header)

    assert caught.value.reason == "missing_token"


@pytest.mark.parametrize(
    "header", ["Basic dXNlcjpwYXNz", "Bearer", "Bearer   ", "Bearer a b", "Token abc", "abc.def.ghi"]
)
def test_other_schemes_and_malformed_values_are_rejected(header: str) -> None:
    with pytest.raises(TokenRejected) as caught:
        bearer_token(header)

    assert caught.value.reason == "malformed_token"
    assert "dXNlcjpwYXNz" not in str(caught.value)
