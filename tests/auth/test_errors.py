"""AuthError: a machine reason, a safe message, one tree."""

from __future__ import annotations

import pytest

from gateway.auth import AccessDenied, AuthError, AuthUnavailable, TokenRejected, UnknownCustomer


@pytest.mark.parametrize(
    ("error_type", "status_code"),
    [(TokenRejected, 401), (AccessDenied, 403), (UnknownCustomer, 404), (AuthUnavailable, 503)],
)
def test_every_auth_failure_is_an_auth_error_with_a_status(
    error_type: type[AuthError], status_code: int
) -> None:
    error = error_type("expired")

    assert isinstance(error, AuthError)
    assert error.status_code == status_code


def test_message_comes_from_the_reason_only() -> None:
    error = TokenRejected("expired")

    assert error.reason == "expired"
    assert str(error) == "The access token has expired."
    assert repr(error) == "TokenRejected(reason='expired')"


def test_unknown_reason_gets_a_generic_message() -> None:
    error = AuthError("eyJhbGciOiJSUzI1NiJ9.secret")

    assert str(error) == "Authentication failed."
