"""The development identity provider: signs tokens for demo customers of the embedded sandbox.

It exists so that ``bc-gateway serve`` works with nothing configured.  Its tokens are ordinary
RS256 JWTs checked by the same ``JwksCache``/``TokenValidator`` path as production tokens (the
gateway fetches this provider's JWKS over HTTP or an in-process transport), so the development
set-up exercises production code.  Its key lives in memory only and dies with the process.
"""

from __future__ import annotations

import base64
import hashlib
import json
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from starlette.applications import Starlette

from gateway.auth import _jose
from gateway.auth.dev_idp_app import DEFAULT_TTL_SECONDS, build_dev_idp_app
from gateway.auth.errors import UnknownCustomer
from gateway.auth.identity import Membership
from gateway.auth.settings import ClaimNames

_ALGORITHM = "RS256"


class DevIdentityProvider:
    """Mints tokens for ``issuer``/``audience`` with an RSA-2048 key generated at construction.

    ``is_known_customer(company_id, customer_number)``, when given, makes ``mint`` refuse
    customers that do not exist; ``resolve_company(customer_number)``, when given, lets the token
    endpoint find the company of a customer number that exists in only one company.
    """

    def __init__(
        self,
        issuer: str,
        audience: str,
        *,
        is_known_customer: Callable[[uuid.UUID, str], bool] | None = None,
        resolve_company: Callable[[str], Sequence[uuid.UUID]] | None = None,
        claims: ClaimNames | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.issuer = issuer
        self.audience = audience
        self._is_known_customer = is_known_customer
        self._resolve_company = resolve_company
        self._claims = claims or ClaimNames()
        self._clock = clock
        self._private_key_pem = _jose.generate_rsa_private_key_pem(2048)
        public = _jose.public_jwk(self._private_key_pem, algorithm=_ALGORITHM)
        self.kid = jwk_thumbprint(public)
        self._public_jwk = {**public, "alg": _ALGORITHM, "use": "sig", "kid": self.kid}

    def jwks(self) -> dict[str, Any]:
        """The JWKS document for this provider: its public key only."""
        return {"keys": [dict(self._public_jwk)]}

    def mint(
        self,
        company_id: uuid.UUID,
        customer_number: str,
        *,
        subject: str | None = None,
        roles: Iterable[str] = (),
        scopes: Iterable[str] = ("orders:read", "orders:write"),
        ttl_seconds: int = DEFAULT_TTL_SECONDS,
        display_name: str | None = None,
    ) -> str:
        """A signed access token for one customer of one company.

        Raises ``ValueError`` for an invalid customer number, company id or ``ttl_seconds``, and
        ``UnknownCustomer`` when ``is_known_customer`` says the customer does not exist.
        """
        membership = Membership(company_id=company_id, customer_number=customer_number)
        if ttl_seconds <= 0:
            raise ValueError("ttl_seconds must be positive")
        if self._is_known_customer is not None and not self._is_known_customer(company_id, customer_number):
            raise UnknownCustomer("unknown_customer")
        claims = self._claims_for(membership, subject, roles, scopes, ttl_seconds, display_name)
        return _jose.sign(claims, self._private_key_pem, algorithm=_ALGORITHM, kid=self.kid)

    def companies_of(self, customer_number: str) -> Sequence[uuid.UUID] | None:
        """The companies a customer number exists in, or ``None`` when that cannot be known."""
        return None if self._resolve_company is None else self._resolve_company(customer_number)

    def asgi_app(self) -> Starlette:
        """The provider's HTTP face: OpenID discovery, the JWKS and a token endpoint.

        Mount it at the path ``issuer`` names, so that the ``jwks_uri`` it advertises is right.
        """
        return build_dev_idp_app(self)

    def _claims_for(
        self,
        membership: Membership,
        subject: str | None,
        roles: Iterable[str],
        scopes: Iterable[str],
        ttl_seconds: int,
        display_name: str | None,
    ) -> dict[str, Any]:
        now = int(self._clock())
        names = self._claims
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "aud": self.audience,
            # Stable per customer, so re-minting keeps the same identity key.
            "sub": subject or f"dev|{membership.company_id}|{membership.customer_number}",
            "iat": now,
            "nbf": now,
            "exp": now + ttl_seconds,
            "jti": uuid.uuid4().hex,
            names.company: str(membership.company_id),
            names.customer: membership.customer_number,
            names.roles: list(roles),
            names.scopes: " ".join(scopes),
        }
        if display_name:
            claims[names.name] = display_name
        return claims


def jwk_thumbprint(key: dict[str, str]) -> str:
    """The RFC 7638 SHA-256 thumbprint of a public RSA or EC JWK, base64url without padding."""
    members = ("e", "kty", "n") if key["kty"] == "RSA" else ("crv", "kty", "x", "y")
    canonical = json.dumps({name: key[name] for name in members}, separators=(",", ":"), sort_keys=True)
    digest = hashlib.sha256(canonical.encode("utf-8")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")
