"""Plugging the validator into Starlette's ``AuthenticationMiddleware``.

As in Starlette's own authentication: a request without an ``Authorization`` header is anonymous
(the schema decides what anonymous callers may do); a request with a bad one fails outright.
"""

from __future__ import annotations

from starlette.authentication import AuthCredentials, AuthenticationBackend, AuthenticationError, BaseUser
from starlette.requests import HTTPConnection
from starlette.responses import JSONResponse, Response

from gateway.auth.bearer import bearer_token
from gateway.auth.errors import AuthError, AuthUnavailable
from gateway.auth.identity import Identity
from gateway.auth.validator import TokenValidator


class IdentityUser(BaseUser):
    """The Starlette user for a verified caller: ``request.user.caller`` is its ``Identity``.

    Starlette's ``identity`` (a string) is the identity key, issuer plus subject.
    """

    def __init__(self, caller: Identity) -> None:
        self.caller = caller

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def display_name(self) -> str:
        return self.caller.display_name or self.caller.subject

    @property
    def identity(self) -> str:
        return self.caller.key


class BearerAuthenticationError(AuthenticationError):
    """Starlette's authentication failure, carrying the ``AuthError`` that caused it."""

    def __init__(self, error: AuthError) -> None:
        super().__init__(str(error))
        self.error = error


class BearerAuthBackend(AuthenticationBackend):
    """Authenticates ``Authorization: Bearer`` requests with a ``TokenValidator``.

    Credentials are ``"authenticated"`` plus the token's scopes, so Starlette's ``requires()``
    works with OAuth scopes.  Pair it with ``on_error=auth_error_response``.
    """

    def __init__(self, validator: TokenValidator) -> None:
        self._validator = validator

    async def authenticate(self, conn: HTTPConnection) -> tuple[AuthCredentials, BaseUser] | None:
        header = conn.headers.get("Authorization")
        if header is None:
            return None
        try:
            identity = await self._validator.validate(bearer_token(header))
        except AuthError as exc:
            raise BearerAuthenticationError(exc) from exc
        return AuthCredentials(["authenticated", *sorted(identity.scopes)]), IdentityUser(identity)


def auth_error_response(conn: HTTPConnection, exc: AuthenticationError) -> Response:
    """The HTTP answer to a failed authentication: 401 with an RFC 6750 challenge, or 503.

    The body is ``{"error": <reason>, "message": <safe message>}``; nothing from the token.
    """
    error = exc.error if isinstance(exc, BearerAuthenticationError) else AuthError("malformed_token")
    headers = {}
    if not isinstance(error, AuthUnavailable):
        # RFC 6750 §3: a request that presented no token gets a challenge without an error code.
        challenge = 'Bearer error="invalid_token"' if error.reason != "missing_token" else "Bearer"
        headers["WWW-Authenticate"] = challenge
    return JSONResponse(
        {"error": error.reason, "message": str(error)}, status_code=error.status_code, headers=headers
    )
