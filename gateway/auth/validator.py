"""Bearer token → ``Identity``: the one path every token takes, production or development."""

from __future__ import annotations

import time
from collections.abc import Callable

from gateway.auth import _jose
from gateway.auth.algorithms import key_fits_algorithm
from gateway.auth.claims import identity_from_claims
from gateway.auth.errors import TokenRejected
from gateway.auth.identity import Identity
from gateway.auth.jwks import JwksCache
from gateway.auth.settings import AuthSettings
from gateway.auth.time_window import check_time_window
from gateway.auth.token_header import read_header


class TokenValidator:
    """Checks bearer tokens against one trusted issuer and turns them into identities."""

    def __init__(
        self, settings: AuthSettings, jwks: JwksCache, *, clock: Callable[[], float] = time.time
    ) -> None:
        self._settings = settings
        self._jwks = jwks
        self._clock = clock

    async def validate(self, token: str) -> Identity:
        """The identity ``token`` proves, or ``TokenRejected`` saying why it proves nothing.

        Size, shape, header, algorithm and key are checked before any signature work; then the
        signature, ``exp`` (required), ``nbf``, ``iat``, ``iss`` and ``aud`` (with the configured
        leeway), then the customer claims.  ``AuthUnavailable`` means the signing keys could not
        be fetched, not that the token is bad.
        """
        settings = self._settings
        header = read_header(token, max_bytes=settings.max_token_bytes, algorithms=settings.algorithms)
        key = await self._jwks.key_for(header.kid)
        if key is None:
            raise TokenRejected("unknown_key")
        if not key_fits_algorithm(key, header.alg):
            raise TokenRejected("disallowed_algorithm")
        claims = _jose.verify(
            token,
            key,
            algorithm=header.alg,
            issuer=settings.issuer,
            audience=settings.audience,
            leeway_seconds=settings.leeway_seconds,
        )
        check_time_window(claims, now=self._clock(), leeway_seconds=settings.leeway_seconds)
        return identity_from_claims(claims, settings.claims)
