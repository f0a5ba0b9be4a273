"""Authentication: bearer JWT → ``Identity``.

Public surface:

- ``bearer_token(header)`` — the token from an ``Authorization`` header.
- ``TokenValidator(settings, jwks).validate(token) -> Identity`` — every check, in one order.
- ``JwksCache`` — the identity provider's signing keys, fetched over HTTP and cached.
- ``AuthSettings``, ``ClaimNames`` — which issuer is trusted and how its claims are named.
- ``Identity``, ``Membership`` — who is calling and which customers it may act for.
- ``AuthError`` and its subclasses — every failure, with a machine ``reason`` and a safe message.
- ``DevIdentityProvider`` — the development identity provider for the embedded sandbox, with
  ``DemoAccount``/``DemoMembership`` (who it signs in), ``PublicClient`` (the apps that may use its
  code flow) and ``load_or_create_signing_key`` (its key, kept in a file).
- ``BearerAuthBackend``, ``auth_error_response`` — the validator as Starlette authentication.

This package imports nothing from the rest of ``gateway`` but the leaf ``gateway.customer_number``
(the customer number rule it shares with ``gateway.bc``); ``jose`` is imported in ``_jose`` only.
"""

from __future__ import annotations

from gateway.auth.bearer import bearer_token
from gateway.auth.dev_idp import DevIdentityProvider
from gateway.auth.dev_idp_accounts import DemoAccount, DemoMembership
from gateway.auth.dev_idp_keys import load_or_create_signing_key
from gateway.auth.dev_idp_oauth import PublicClient
from gateway.auth.errors import (
    AccessDenied,
    AuthError,
    AuthUnavailable,
    TokenRejected,
    UnknownCustomer,
)
from gateway.auth.identity import Identity, Membership
from gateway.auth.jwks import JwksCache
from gateway.auth.settings import AuthSettings, ClaimNames
from gateway.auth.starlette_backend import (
    BearerAuthBackend,
    BearerAuthenticationError,
    IdentityUser,
    auth_error_response,
)
from gateway.auth.validator import TokenValidator

__all__ = [
    "AccessDenied",
    "AuthError",
    "AuthSettings",
    "AuthUnavailable",
    "BearerAuthBackend",
    "BearerAuthenticationError",
    "ClaimNames",
    "DemoAccount",
    "DemoMembership",
    "DevIdentityProvider",
    "Identity",
    "IdentityUser",
    "JwksCache",
    "Membership",
    "PublicClient",
    "TokenRejected",
    "TokenValidator",
    "UnknownCustomer",
    "auth_error_response",
    "bearer_token",
    "load_or_create_signing_key",
]
