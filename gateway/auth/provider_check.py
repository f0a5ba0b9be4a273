"""Checks an identity provider's configuration before the gateway goes live with it.

``check_provider`` reads the OpenID discovery document at ``{issuer}/.well-known/openid-configuration``
and the JWKS it names, checks what the gateway and a browser portal need (the exact issuer, usable
signing keys with accepted algorithms, the code flow, PKCE S256), and, given a sample access
token, validates it exactly as the gateway would and shows the identity it maps to — or which
claims are missing, by name, never by value.
"""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpx

from gateway.auth.algorithms import ASYMMETRIC_ALGORITHMS
from gateway.auth.errors import AuthError
from gateway.auth.identity import Identity
from gateway.auth.jwks import InvalidJwks, JwksCache, parse_jwks
from gateway.auth.settings import AuthSettings, ClaimNames
from gateway.auth.validator import TokenValidator


@dataclass(frozen=True, slots=True)
class Finding:
    """One check: ``ok``, or a ``warning`` that does not stop going live, or a failure."""

    ok: bool
    what: str
    detail: str = ""
    warning: bool = False


@dataclass
class ProviderReport:
    findings: list[Finding] = field(default_factory=list)
    jwks_uri: str | None = None
    identity: Identity | None = None

    @property
    def passed(self) -> bool:
        return all(finding.ok or finding.warning for finding in self.findings)

    def add(self, ok: bool, what: str, detail: str = "", *, warning: bool = False) -> bool:
        self.findings.append(Finding(ok, what, detail, warning=warning and not ok))
        return ok


async def check_provider(
    issuer: str,
    http: httpx.AsyncClient,
    *,
    audience: str | None = None,
    token: str | None = None,
    claims: ClaimNames | None = None,
    clock: Callable[[], float] = time.time,
) -> ProviderReport:
    report = ProviderReport()
    discovery = await _discovery(issuer, http, report)
    if discovery is None:
        return report
    report.add(
        discovery.get("issuer") == issuer,
        "the discovery document names this issuer exactly",
        f"it says {discovery.get('issuer')!r}; AUTH_ISSUER must be the tokens' `iss` exactly",
    )
    _check_code_flow(discovery, report)
    jwks_uri = discovery.get("jwks_uri")
    if not isinstance(jwks_uri, str) or not _is_web_url(jwks_uri):
        report.add(False, "the discovery document names a JWKS URL (jwks_uri)")
        return report
    report.jwks_uri = jwks_uri
    if not await _check_jwks(jwks_uri, http, report):
        return report
    if token is not None:
        if audience is None:
            report.add(False, "a sample token can be checked", "--audience is required with --token")
        else:
            settings = AuthSettings(
                issuer=issuer, audience=audience, jwks_url=jwks_uri, claims=claims or ClaimNames()
            )
            await _check_token(token, settings, http, report, clock)
    return report


async def _discovery(issuer: str, http: httpx.AsyncClient, report: ProviderReport) -> dict[str, Any] | None:
    url = f"{issuer.rstrip('/')}/.well-known/openid-configuration"
    try:
        response = await http.get(url, headers={"Accept": "application/json"})
    except httpx.HTTPError as exc:
        report.add(False, f"the discovery document answers at {url}", type(exc).__name__)
        return None
    document = _json_object(response)
    if response.status_code != 200 or document is None:
        report.add(False, f"the discovery document answers at {url}", f"HTTP {response.status_code}")
        return None
    report.add(True, f"the discovery document answers at {url}")
    return document


def _check_code_flow(discovery: dict[str, Any], report: ProviderReport) -> None:
    for name in ("authorization_endpoint", "token_endpoint"):
        value = discovery.get(name)
        report.add(
            isinstance(value, str) and _is_web_url(value), f"it names the {name} a portal signs in with"
        )
    report.add(
        "code" in (discovery.get("response_types_supported") or []),
        "it offers the authorization code flow (response_types_supported has `code`)",
    )
    methods = discovery.get("code_challenge_methods_supported")
    if methods is None:
        report.add(
            False,
            "it advertises PKCE S256",
            "code_challenge_methods_supported is absent (Entra ID supports S256 without advertising it)",
            warning=True,
        )
    else:
        report.add("S256" in methods, "it offers PKCE with S256 (code_challenge_methods_supported)")


async def _check_jwks(jwks_uri: str, http: httpx.AsyncClient, report: ProviderReport) -> bool:
    try:
        response = await http.get(jwks_uri, headers={"Accept": "application/json"})
        keys = parse_jwks(_json_object(response) if response.status_code == 200 else None)
    except (httpx.HTTPError, InvalidJwks) as exc:
        return report.add(False, f"the JWKS at {jwks_uri} holds signing keys", str(exc) or type(exc).__name__)
    usable = [key for key in keys.values() if key.get("alg", _default_alg(key)) in ASYMMETRIC_ALGORITHMS]
    return report.add(
        bool(usable),
        f"the JWKS at {jwks_uri} holds {len(usable)} signing key(s) with an accepted algorithm",
        f"accepted: {', '.join(ASYMMETRIC_ALGORITHMS)}",
    )


async def _check_token(
    token: str,
    settings: AuthSettings,
    http: httpx.AsyncClient,
    report: ProviderReport,
    clock: Callable[[], float],
) -> None:
    validator = TokenValidator(
        settings, JwksCache(settings.jwks_url, http, min_refresh_seconds=0), clock=clock
    )
    try:
        identity = await validator.validate(token)
    except AuthError as error:
        detail = f"{error.reason}: {error}"
        if error.reason == "invalid_claims":
            names = settings.claims
            detail += (
                f" The gateway reads {names.memberships!r}, or {names.company!r} with {names.customer!r}"
                f" (AUTH_CLAIM_*); the token has the claims {', '.join(sorted(_claim_names(token)))}."
            )
        report.add(False, "the sample token validates and maps to a customer", detail)
        return
    report.identity = identity
    memberships = ", ".join(
        f"customer {m.customer_number} in company {m.company_id}" for m in identity.memberships
    )
    report.add(True, "the sample token validates and maps to a customer", memberships)
    report.add(
        bool(identity.scopes or identity.roles),
        "the token carries scopes or roles (PORTAL_ORDER_SCOPE needs one to place orders)",
        warning=True,
    )


def _claim_names(token: str) -> list[str]:
    try:
        payload = token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (IndexError, ValueError):
        return ["(unreadable)"]
    return [str(name) for name in claims] if isinstance(claims, dict) else ["(unreadable)"]


def _json_object(response: httpx.Response) -> dict[str, Any] | None:
    try:
        document = response.json()
    except ValueError:
        return None
    return document if isinstance(document, dict) else None


def _default_alg(key: dict[str, Any]) -> str:
    # Entra's keys carry no `alg`; an RSA key then signs RS256, an EC P-256 key ES256.
    return "RS256" if key.get("kty") == "RSA" else "ES256"


def _is_web_url(value: str) -> bool:
    parts = urlsplit(value)
    return parts.scheme in ("https", "http") and bool(parts.netloc)
