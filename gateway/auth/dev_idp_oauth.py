"""The development identity provider's authorization server: codes with PKCE, rotating refresh tokens.

It follows the rules a production provider follows for a browser app (a public client):

- clients are registered with exact redirect URIs; an unknown client or an unregistered redirect
  URI is never redirected to (RFC 6749 §4.1.2.1);
- every code needs PKCE with ``S256``; ``plain`` is refused (RFC 7636, RFC 9700 §2.1.1);
- a code is good once, for ``code_ttl_seconds``, for the client and redirect URI it was issued to;
  presenting it again revokes the refresh tokens it produced (RFC 6749 §4.1.2);
- refresh tokens rotate: each use returns a new one, and presenting one that was already used
  revokes its whole family, so a stolen token dies as soon as either party uses it (RFC 9700 §4.14).

Codes and tokens are random; only their SHA-256 is kept.  Refresh-token families are written to
``sessions_file`` when one is given, so a browser session outlives a restart of the gateway.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import secrets
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from urllib.parse import urlsplit

from gateway.auth.dev_idp_keys import write_private_file

SUPPORTED_SCOPES = ("openid", "profile", "offline_access", "orders:read", "orders:write")
API_SCOPES = frozenset({"orders:read", "orders:write"})
_CHALLENGE = re.compile(r"[A-Za-z0-9_-]{43}")  # base64url(SHA-256), unpadded
_VERIFIER = re.compile(r"[A-Za-z0-9._~-]{43,128}")  # RFC 7636 §4.1
_STATE = re.compile(r"[\x20-\x7e]{1,512}")


class OAuthError(Exception):
    """A refused request, with its OAuth ``error`` code and a description for the developer."""

    def __init__(self, error: str, description: str, status: int = 400) -> None:
        super().__init__(description)
        self.error = error
        self.description = description
        self.status = status


class RedirectableError(OAuthError):
    """An authorization error to report at the client's redirect URI (it was validated)."""

    def __init__(self, request: AuthorizationRequest, error: str, description: str) -> None:
        super().__init__(error, description)
        self.request = request


@dataclass(frozen=True, slots=True)
class PublicClient:
    """A browser or mobile app: no secret, so PKCE proves it is the app that asked for the code."""

    client_id: str
    redirect_uris: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class AuthorizationRequest:
    client_id: str
    redirect_uri: str
    scope: tuple[str, ...]
    state: str | None
    nonce: str | None
    code_challenge: str


@dataclass(frozen=True, slots=True)
class Grant:
    """What a successful token request hands out: whose tokens, with which scopes."""

    account_key: str
    client_id: str
    scope: tuple[str, ...]
    nonce: str | None
    refresh_token: str | None


@dataclass(slots=True)
class _Code:
    request: AuthorizationRequest
    account_key: str
    expires_at: float
    used: bool = False
    family: str | None = None


@dataclass(slots=True)
class _Family:
    """One sign-in's chain of refresh tokens: ``current`` is the only usable one."""

    account_key: str
    client_id: str
    scope: list[str]
    expires_at: float
    current: str
    spent: list[str] = field(default_factory=list)
    revoked: bool = False


class AuthorizationServer:
    def __init__(
        self,
        clients: Iterable[PublicClient],
        *,
        clock: Callable[[], float],
        code_ttl_seconds: int = 60,
        refresh_ttl_seconds: int = 24 * 3600,
        sessions_file: Path | None = None,
        new_secret: Callable[[], str] = lambda: secrets.token_urlsafe(32),
    ) -> None:
        self._clients = {client.client_id: client for client in clients}
        self._clock = clock
        self._code_ttl = code_ttl_seconds
        self._refresh_ttl = refresh_ttl_seconds
        self._sessions_file = sessions_file
        self._new_secret = new_secret
        self._codes: dict[str, _Code] = {}
        self._families: dict[str, _Family] = _load_families(sessions_file)

    def redirect_origins(self) -> frozenset[str]:
        """The origins of every registered redirect URI: the browser apps that may call us."""
        return frozenset(_origin(uri) for client in self._clients.values() for uri in client.redirect_uris)

    def authorization_request(self, params: Mapping[str, str]) -> AuthorizationRequest:
        """The validated ``/authorize`` request, or ``OAuthError`` (show it, never redirect) or
        ``RedirectableError`` (send it to the client's redirect URI)."""
        client = self._clients.get(params.get("client_id", ""))
        if client is None:
            raise OAuthError("invalid_client", "Unknown client_id.")
        redirect_uri = params.get("redirect_uri", "")
        if redirect_uri not in client.redirect_uris:
            raise OAuthError("invalid_request", "redirect_uri is not registered for this client.")
        state = params.get("state")
        request = AuthorizationRequest(
            client_id=client.client_id,
            redirect_uri=redirect_uri,
            scope=tuple(params.get("scope", "").split()),
            state=state if state and _STATE.fullmatch(state) else None,
            nonce=params.get("nonce") or None,
            code_challenge=params.get("code_challenge", ""),
        )
        if state is not None and request.state is None:
            raise RedirectableError(request, "invalid_request", "state must be 1-512 printable characters.")
        if params.get("response_type") != "code":
            raise RedirectableError(request, "unsupported_response_type", "Only response_type=code.")
        if params.get("code_challenge_method") != "S256":
            raise RedirectableError(
                request,
                "invalid_request",
                "PKCE is required with code_challenge_method=S256 (plain is refused).",
            )
        if not _CHALLENGE.fullmatch(request.code_challenge):
            raise RedirectableError(request, "invalid_request", "code_challenge must be a base64url SHA-256.")
        unknown = sorted(set(request.scope) - set(SUPPORTED_SCOPES))
        if unknown or not request.scope:
            raise RedirectableError(
                request, "invalid_scope", f"Unsupported scope: {' '.join(unknown) or '(none)'}."
            )
        if request.nonce is not None and len(request.nonce) > 512:
            raise RedirectableError(request, "invalid_request", "nonce is too long.")
        return request

    def issue_code(self, request: AuthorizationRequest, account_key: str) -> str:
        now = self._clock()
        # Used codes are kept a while past their expiry, so their reuse is still recognised.
        self._codes = {key: code for key, code in self._codes.items() if code.expires_at + 600 > now}
        code = self._new_secret()
        self._codes[_digest(code)] = _Code(request, account_key, expires_at=now + self._code_ttl)
        return code

    def redeem_code(self, form: Mapping[str, str]) -> Grant:
        """``grant_type=authorization_code``: the grant, once, for the right client, redirect URI
        and PKCE verifier."""
        client_id = self._client_id(form)
        record = self._codes.get(_digest(_required(form, "code")))
        if record is None:
            raise OAuthError("invalid_grant", "Unknown authorization code.")
        if record.used:
            if record.family is not None:
                self._revoke_family(record.family)
            raise OAuthError(
                "invalid_grant", "The authorization code was already used; its tokens are revoked."
            )
        record.used = True  # any attempt spends the code: a wrong verifier cannot be retried
        request = record.request
        if self._clock() >= record.expires_at:
            raise OAuthError("invalid_grant", "The authorization code has expired.")
        if client_id != request.client_id or form.get("redirect_uri") != request.redirect_uri:
            raise OAuthError("invalid_grant", "The code was issued to another client or redirect_uri.")
        verifier = _required(form, "code_verifier")
        if not _VERIFIER.fullmatch(verifier):
            raise OAuthError("invalid_grant", "code_verifier must be 43-128 unreserved characters.")
        if not hmac.compare_digest(_s256(verifier), request.code_challenge):
            raise OAuthError("invalid_grant", "code_verifier does not match the code_challenge.")
        refresh_token = None
        if "offline_access" in request.scope:
            refresh_token = self._new_secret()
            record.family = self._start_family(record.account_key, request, refresh_token)
        return Grant(record.account_key, client_id, request.scope, request.nonce, refresh_token)

    def refresh(self, form: Mapping[str, str]) -> Grant:
        """``grant_type=refresh_token``: a new refresh token for the current one; a spent one
        revokes its family."""
        client_id = self._client_id(form)
        token_hash = _digest(_required(form, "refresh_token"))
        found = self._family_of(token_hash)
        if found is None:
            raise OAuthError("invalid_grant", "Unknown refresh token.")
        family_id, family = found
        if family.revoked:
            raise OAuthError("invalid_grant", "The refresh token was revoked.")
        if token_hash != family.current:
            self._revoke_family(family_id)
            raise OAuthError("invalid_grant", "The refresh token was already used; the session is revoked.")
        if client_id != family.client_id:
            raise OAuthError("invalid_grant", "The refresh token was issued to another client.")
        if self._clock() >= family.expires_at:
            raise OAuthError("invalid_grant", "The session has expired; sign in again.")
        new_token = self._new_secret()
        family.spent.append(family.current)
        family.current = _digest(new_token)
        self._save()
        return Grant(family.account_key, client_id, tuple(family.scope), None, new_token)

    def revoke(self, token: str) -> None:
        """RFC 7009: revoke the family of a refresh token; unknown tokens are ignored."""
        found = self._family_of(_digest(token))
        if found is not None:
            self._revoke_family(found[0])

    def _client_id(self, form: Mapping[str, str]) -> str:
        client_id = form.get("client_id", "")
        if client_id not in self._clients:
            raise OAuthError("invalid_client", "Unknown client_id.", status=401)
        return client_id

    def _start_family(self, account_key: str, request: AuthorizationRequest, token: str) -> str:
        family_id = self._new_secret()
        self._families[family_id] = _Family(
            account_key=account_key,
            client_id=request.client_id,
            scope=list(request.scope),
            expires_at=self._clock() + self._refresh_ttl,
            current=_digest(token),
        )
        self._save()
        return family_id

    def _family_of(self, token_hash: str) -> tuple[str, _Family] | None:
        for family_id, family in self._families.items():
            if family.current == token_hash or token_hash in family.spent:
                return family_id, family
        return None

    def _revoke_family(self, family_id: str) -> None:
        family = self._families.get(family_id)
        if family is not None and not family.revoked:
            self._families[family_id] = replace(family, revoked=True)
            self._save()

    def _save(self) -> None:
        if self._sessions_file is None:
            return
        now = self._clock()
        live = {key: asdict(family) for key, family in self._families.items() if family.expires_at > now}
        write_private_file(self._sessions_file, json.dumps(live).encode("utf-8"))


def _load_families(path: Path | None) -> dict[str, _Family]:
    if path is None or not path.exists():
        return {}
    try:
        stored = json.loads(path.read_text(encoding="utf-8"))
        return {key: _Family(**value) for key, value in stored.items()}
    except (ValueError, TypeError, AttributeError):
        # A damaged sessions file only signs people out; it must not stop the gateway.
        return {}


def _required(form: Mapping[str, str], name: str) -> str:
    value = form.get(name)
    if not value:
        raise OAuthError("invalid_request", f"{name} is required.")
    return value


def _s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _origin(uri: str) -> str:
    parts = urlsplit(uri)
    return f"{parts.scheme}://{parts.netloc}"
