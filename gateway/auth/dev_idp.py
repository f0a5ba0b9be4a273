"""The development identity provider: signs tokens for demo customers of the embedded sandbox.

It exists so that ``bc-gateway serve`` works with nothing configured.  It speaks OpenID Connect
like a production provider (discovery, ``/authorize`` with a sign-in page, authorization code +
PKCE, rotating refresh tokens: ``dev_idp_oauth``), and its tokens are ordinary RS256 JWTs checked
by the same ``JwksCache``/``TokenValidator`` path as production tokens, so the development set-up
exercises production code.  Its key is the one it is given (``dev_idp_keys`` keeps it in a file)
or, without one, a new key that dies with the process.
"""

from __future__ import annotations

import base64
import hashlib
import json
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from starlette.applications import Starlette

from gateway.auth import _jose
from gateway.auth.dev_idp_accounts import DemoAccount
from gateway.auth.dev_idp_app import DEFAULT_TTL_SECONDS, build_dev_idp_app
from gateway.auth.dev_idp_oauth import API_SCOPES, AuthorizationServer, PublicClient
from gateway.auth.errors import UnknownCustomer
from gateway.auth.identity import Membership
from gateway.auth.settings import ClaimNames

_ALGORITHM = "RS256"
ACCESS_TOKEN_TTL_SECONDS = 3600


class DevIdentityProvider:
    """Mints tokens for ``issuer``/``audience`` with ``signing_key_pem`` (default: a new RSA-2048 key).

    ``is_known_customer(company_id, customer_number)``, when given, makes ``mint`` refuse
    customers that do not exist; ``resolve_company(customer_number)``, when given, lets the token
    endpoint find the company of a customer number that exists in only one company.
    ``accounts`` are who the sign-in page offers, ``clients`` the apps that may use the code
    flow; the code flow's access tokens live ``access_ttl_seconds``.
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
        accounts: Sequence[DemoAccount] = (),
        clients: Sequence[PublicClient] = (),
        signing_key_pem: bytes | None = None,
        sessions_file: Path | None = None,
        access_ttl_seconds: int = ACCESS_TOKEN_TTL_SECONDS,
    ) -> None:
        if access_ttl_seconds <= 0:
            raise ValueError("access_ttl_seconds must be positive")
        self.issuer = issuer
        self.audience = audience
        self._is_known_customer = is_known_customer
        self._resolve_company = resolve_company
        self._claims = claims or ClaimNames()
        self._clock = clock
        self.accounts = {account.key: account for account in accounts}
        self.access_ttl_seconds = access_ttl_seconds
        self.oauth = AuthorizationServer(clients, clock=clock, sessions_file=sessions_file)
        self._private_key_pem = signing_key_pem or _jose.generate_rsa_private_key_pem(2048)
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
        subject = subject or f"dev|{company_id}|{customer_number}"
        claims = self._claims_for((membership,), subject, roles, scopes, ttl_seconds, display_name)
        return self._sign(claims)

    def mint_for_account(self, account: DemoAccount, scopes: Iterable[str]) -> str:
        """A code-flow access token for ``account`` with its API ``scopes``, ``access_ttl_seconds`` long."""
        memberships = tuple(
            Membership(company_id=member.company_id, customer_number=member.customer_number)
            for member in account.memberships
        )
        api_scopes = [scope for scope in scopes if scope in API_SCOPES]
        claims = self._claims_for(
            memberships, f"dev|{account.key}", (), api_scopes, self.access_ttl_seconds, account.name
        )
        return self._sign(claims)

    def id_token(self, account: DemoAccount, *, client_id: str, nonce: str | None) -> str:
        """An OpenID Connect ID token for ``client_id``: who signed in, with the request's ``nonce``."""
        now = int(self._clock())
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "aud": client_id,
            "sub": f"dev|{account.key}",
            "iat": now,
            "auth_time": now,
            "exp": now + self.access_ttl_seconds,
            "name": account.name,
        }
        if nonce is not None:
            claims["nonce"] = nonce
        return self._sign(claims)

    def _sign(self, claims: dict[str, Any]) -> str:
        return _jose.sign(claims, self._private_key_pem, algorithm=_ALGORITHM, kid=self.kid)

    def companies_of(self, customer_number: str) -> Sequence[uuid.UUID] | None:
        """The companies a customer number exists in, or ``None`` when that cannot be known."""
        return None if self._resolve_company is None else self._resolve_company(customer_number)

    def asgi_app(self) -> Starlette:
        """The provider's HTTP face: OpenID discovery, the JWKS, ``/authorize`` and ``/token``.

        Mount it at the path ``issuer`` names, so that the ``jwks_uri`` it advertises is right.
        """
        return build_dev_idp_app(self)

    def _claims_for(
        self,
        memberships: tuple[Membership, ...],
        subject: str,
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
            # Stable per person, so re-minting keeps the same identity key.
            "sub": subject,
            "iat": now,
            "nbf": now,
            "exp": now + ttl_seconds,
            "jti": uuid.uuid4().hex,
            names.roles: list(roles),
            names.scopes: " ".join(scopes),
        }
        if len(memberships) == 1:
            claims[names.company] = str(memberships[0].company_id)
            claims[names.customer] = memberships[0].customer_number
        else:
            claims[names.memberships] = [
                {"company": str(member.company_id), "customer": member.customer_number}
                for member in memberships
            ]
        if display_name:
            claims[names.name] = display_name
        return claims


def jwk_thumbprint(key: dict[str, str]) -> str:
    """The RFC 7638 SHA-256 thumbprint of a public RSA or EC JWK, base64url without padding."""
    members = ("e", "kty", "n") if key["kty"] == "RSA" else ("crv", "kty", "x", "y")
    canonical = json.dumps({name: key[name] for name in members}, separators=(",", ":"), sort_keys=True)
    digest = hashlib.sha256(canonical.encode("utf-8")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")
