"""Reading the bearer token out of an ``Authorization`` header."""

from __future__ import annotations

from gateway.auth.errors import TokenRejected


def bearer_token(authorization: str | None) -> str:
    """The token from an ``Authorization: Bearer <token>`` header value (scheme case-insensitive).

    Raises ``TokenRejected`` with reason ``"missing_token"`` when the header is absent or blank,
    and ``"malformed_token"`` for any other scheme or a value that is not exactly one token.
    """
    if authorization is None or not authorization.strip():
        raise TokenRejected("missing_token")
    scheme, _, token = authorization.strip().partition(" ")
    token = token.strip()
    # `split()` breaks at exactly the characters `str.isspace` calls white space, in C: one pass
    # over a token of ~900 characters, not a Python call per character.
    if scheme.lower() != "bearer" or not token or token.split() != [token]:
        raise TokenRejected("malformed_token")
    return token
