"""An Entra-style token endpoint (client credentials) and the bearer tokens it issues."""

from __future__ import annotations

import datetime as dt
import json
import secrets
import time
import urllib.parse
import uuid
from dataclasses import dataclass, field

from starlette.requests import Request
from starlette.responses import Response

from gateway.sandbox.config import SandboxConfig

BC_SCOPE = "https://api.businesscentral.dynamics.com/.default"


@dataclass
class TokenIssuer:
    """Opaque random access tokens, each valid for ``ttl_seconds`` from issue."""

    ttl_seconds: int
    _tokens: dict[str, tuple[str, float]] = field(default_factory=dict)

    def issue(self, client_id: str) -> str:
        token = secrets.token_urlsafe(32)
        self._tokens[token] = (client_id, time.monotonic() + self.ttl_seconds)
        return token

    def principal(self, token: str) -> str | None:
        """The client id a live token was issued to, or None."""
        entry = self._tokens.get(token)
        if entry is None:
            return None
        client_id, expires = entry
        if time.monotonic() >= expires:
            del self._tokens[token]
            return None
        return client_id

    def expire_all(self) -> None:
        """Make every issued token stale (lets tests exercise re-authentication)."""
        self._tokens = {t: (c, 0.0) for t, (c, _) in self._tokens.items()}


async def token_response(request: Request, config: SandboxConfig, issuer: TokenIssuer) -> Response:
    if request.path_params["tenant"] != config.tenant:
        tenant = request.path_params["tenant"]
        return _entra_error(400, "invalid_request", 90002, f"Tenant '{tenant}' not found.")
    # Entra's body is always application/x-www-form-urlencoded; parsing it needs no multipart library.
    fields = dict(urllib.parse.parse_qsl((await request.body()).decode("utf-8", "replace")))
    for name in ("grant_type", "client_id", "client_secret", "scope"):
        if not fields.get(name):
            message = f"The request body must contain the following parameter: '{name}'."
            return _entra_error(400, "invalid_request", 900144, message)
    if fields["grant_type"] != "client_credentials":
        return _entra_error(
            400, "unsupported_grant_type", 70003, "The app requested an unsupported grant type."
        )
    if (fields["client_id"], fields["client_secret"]) not in config.credentials:
        message = f"Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '{fields['client_id']}'."  # noqa: E501
        return _entra_error(401, "invalid_client", 7000215, message)
    if fields["scope"] != BC_SCOPE:
        message = f"The provided value for the input parameter 'scope' is not valid. The scope {fields['scope']} is not valid."  # noqa: E501
        return _entra_error(400, "invalid_scope", 1002012, message)
    body = {
        "token_type": "Bearer",
        "expires_in": config.token_ttl_seconds,
        "ext_expires_in": config.token_ttl_seconds,
        "access_token": issuer.issue(fields["client_id"]),
    }
    return Response(json.dumps(body), media_type="application/json; charset=utf-8")


def _entra_error(status: int, error: str, code: int, message: str) -> Response:
    trace_id, correlation_id = uuid.uuid4(), uuid.uuid4()
    timestamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%SZ")
    body = {
        "error": error,
        "error_description": f"AADSTS{code}: {message} Trace ID: {trace_id} Correlation ID: {correlation_id} Timestamp: {timestamp}",  # noqa: E501
        "error_codes": [code],
        "timestamp": timestamp,
        "trace_id": str(trace_id),
        "correlation_id": str(correlation_id),
    }
    return Response(json.dumps(body), status_code=status, media_type="application/json; charset=utf-8")
