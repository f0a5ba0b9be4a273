"""The one exception tree of the authentication layer.

::

    AuthError                    .reason: a short machine code; str(): a message safe for clients
    ├── TokenRejected    (401)   the bearer token is missing or not acceptable
    ├── AccessDenied     (403)   a valid identity asked for a company it does not belong to
    ├── UnknownCustomer  (404)   the development identity provider has no such customer
    └── AuthUnavailable  (503)   the keys needed to check a token cannot be fetched right now

Messages come from a fixed table keyed by reason, so no exception raised here can ever echo a
token, a claim value or a library's internal message back to a client.  The underlying cause,
when there is one, is chained (``raise ... from exc``) for the server's logs only.
"""

from __future__ import annotations

from typing import ClassVar

_MESSAGES: dict[str, str] = {
    "missing_token": "An access token is required.",
    "malformed_token": "The access token is malformed.",
    "token_too_large": "The access token is too large.",
    "unsupported_header": "The access token uses an unsupported header.",
    "disallowed_algorithm": "The access token is signed with an algorithm that is not accepted.",
    "unknown_key": "The access token is signed with an unknown key.",
    "bad_signature": "The access token signature is invalid.",
    "expired": "The access token has expired.",
    "not_yet_valid": "The access token is not valid yet.",
    "wrong_issuer": "The access token was issued by an issuer that is not trusted.",
    "wrong_audience": "The access token was issued for another audience.",
    "invalid_claims": "The access token does not carry a valid customer identity.",
    "not_a_member": "The caller does not belong to the requested company.",
    "unknown_customer": "No such customer.",
    "jwks_unavailable": "The signing keys needed to check the access token are unavailable.",
}

_FALLBACK_MESSAGE = "Authentication failed."


class AuthError(Exception):
    """Base of every authentication failure.

    ``reason`` is a stable machine code (``"expired"``, ``"unknown_key"``, …) for logs, metrics and
    error extensions; ``str(error)`` is a short sentence that is safe to show to any client.
    ``status_code`` is the HTTP status the edge should answer with.
    """

    status_code: ClassVar[int] = 401

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(_MESSAGES.get(reason, _FALLBACK_MESSAGE))

    def __repr__(self) -> str:
        return f"{type(self).__name__}(reason={self.reason!r})"


class TokenRejected(AuthError):
    """The bearer token is missing, malformed, or fails a check (signature, time, issuer, claims)."""

    status_code: ClassVar[int] = 401


class AccessDenied(AuthError):
    """The token is valid, but the identity does not hold what it asked for."""

    status_code: ClassVar[int] = 403


class UnknownCustomer(AuthError):
    """The development identity provider was asked to sign in a customer it does not know."""

    status_code: ClassVar[int] = 404


class AuthUnavailable(AuthError):
    """Tokens cannot be checked right now (no signing keys could be fetched); retrying may help."""

    status_code: ClassVar[int] = 503
