"""Bearer token → ``Identity``: the one path every token takes, production or development."""

from __future__ import annotations

import hashlib
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from gateway.auth import _jose
from gateway.auth.algorithms import key_fits_algorithm
from gateway.auth.claims import identity_from_claims
from gateway.auth.errors import TokenRejected
from gateway.auth.identity import Identity
from gateway.auth.jwks import JwksCache
from gateway.auth.settings import AuthSettings
from gateway.auth.time_window import check_time_window
from gateway.auth.token_header import read_header

# Tokens whose signature and claims were verified, kept per validator: a portal sends one token
# for many requests, and its signature check is most of what a request answered from the
# response cache costs.
VERIFIED_TOKENS: Final = 10_000
_TIME_CLAIMS: Final = ("exp", "nbf", "iat")


@dataclass(frozen=True)
class _Verified:
    identity: Identity
    kid: str
    times: Mapping[str, Any]  # exp, nbf, iat: checked again at every use


class TokenValidator:
    """Checks bearer tokens against one trusted issuer and turns them into identities.

    A token is verified once: its identity is kept (at most ``VERIFIED_TOKENS``, least recently
    used out, keyed by the token's SHA-256) while its signing key is still published, and each
    use checks ``exp``/``nbf``/``iat`` again on ``clock``, so a kept token is refused the moment
    it expires (and forgotten).  ``verifications`` counts the signatures actually checked.
    """

    def __init__(
        self, settings: AuthSettings, jwks: JwksCache, *, clock: Callable[[], float] = time.time
    ) -> None:
        self._settings = settings
        self._jwks = jwks
        self._clock = clock
        self._verified: OrderedDict[bytes, _Verified] = OrderedDict()
        self.verifications = 0

    async def validate(self, token: str) -> Identity:
        """The identity ``token`` proves, or ``TokenRejected`` saying why it proves nothing.

        Size, shape, header, algorithm and key are checked before any signature work; then the
        signature, ``exp`` (required), ``nbf``, ``iat``, ``iss`` and ``aud`` (with the configured
        leeway), then the customer claims.  ``AuthUnavailable`` means the signing keys could not
        be fetched, not that the token is bad.
        """
        digest = hashlib.sha256(token.encode()).digest()
        known = self._verified.get(digest)
        if known is not None and self._jwks.knows(known.kid):
            try:
                check_time_window(
                    known.times, now=self._clock(), leeway_seconds=self._settings.leeway_seconds
                )
            except TokenRejected:
                del self._verified[digest]
                raise
            self._verified.move_to_end(digest)
            return known.identity
        verified = await self._verify(token)
        self._verified[digest] = verified
        while len(self._verified) > VERIFIED_TOKENS:
            self._verified.popitem(last=False)
        return verified.identity

    async def _verify(self, token: str) -> _Verified:
        settings = self._settings
        header = read_header(token, max_bytes=settings.max_token_bytes, algorithms=settings.algorithms)
        key = await self._jwks.key_for(header.kid)
        if key is None:
            raise TokenRejected("unknown_key")
        if not key_fits_algorithm(key, header.alg):
            raise TokenRejected("disallowed_algorithm")
        self.verifications += 1
        claims = _jose.verify(
            token,
            key,
            algorithm=header.alg,
            issuer=settings.issuer,
            audience=settings.audience,
            leeway_seconds=settings.leeway_seconds,
        )
        check_time_window(claims, now=self._clock(), leeway_seconds=settings.leeway_seconds)
        identity = identity_from_claims(claims, settings.claims)
        return _Verified(
            identity, header.kid, {name: claims[name] for name in _TIME_CLAIMS if name in claims}
        )
