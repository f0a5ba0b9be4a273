"""Entra ID client-credentials tokens as an ``httpx.Auth``.

The token request is yielded from the auth flow, so it travels through the same ``AsyncClient``
and transport as the BC calls (one connection pool, one place to fake in tests).
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import AsyncGenerator, Callable
from dataclasses import dataclass

import httpx

from ._errors import BCAuthenticationFailed, BCProtocolError
from ._settings import ClientCredentials

__all__ = ["EntraTokenAuth"]

_EARLY_REFRESH_SECONDS = 300.0
_SAFE_ERROR_CODE = re.compile(r"^[a-z_]{1,64}$")


@dataclass(frozen=True)
class _Token:
    value: str
    refresh_at: float


class EntraTokenAuth(httpx.Auth):
    """Bearer tokens for BC from the client-credentials flow.

    Promises: a token is fetched once and reused; it is refreshed 5 minutes before expiry (at
    half-life for tokens shorter than 10 minutes); concurrent requests share one refresh; a 401
    from BC causes one refresh and one retry; the secret and the token never appear in a repr,
    a log record or an exception.
    """

    def __init__(
        self,
        credentials: ClientCredentials,
        *,
        timeout_seconds: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._credentials = credentials
        self._timeout = httpx.Timeout(timeout_seconds)
        self._clock = clock
        self._token: _Token | None = None
        self._lock = asyncio.Lock()

    def __repr__(self) -> str:
        return f"EntraTokenAuth(client_id={self._credentials.client_id!r})"

    def _valid_token(self) -> str | None:
        if self._token is not None and self._clock() < self._token.refresh_at:
            return self._token.value
        return None

    def _token_request(self) -> httpx.Request:
        form = {
            "grant_type": "client_credentials",
            "client_id": self._credentials.client_id,
            "client_secret": self._credentials.client_secret,
            "scope": self._credentials.scope,
        }
        return httpx.Request(
            "POST",
            self._credentials.token_url,
            data=form,
            headers={"Accept": "application/json"},
            extensions={"timeout": self._timeout.as_dict()},
        )

    def _store(self, response: httpx.Response, requested_at: float) -> str:
        if response.status_code != 200:
            raise _token_refused(response)
        try:
            body = json.loads(response.content)
            value, lifetime = body["access_token"], float(body["expires_in"])
        except (ValueError, TypeError, KeyError) as exc:
            raise BCProtocolError("token endpoint sent an unreadable token response") from exc
        if not isinstance(value, str) or not value or lifetime <= 0:
            raise BCProtocolError("token endpoint sent an unreadable token response")
        margin = min(_EARLY_REFRESH_SECONDS, lifetime / 2)
        self._token = _Token(value, requested_at + lifetime - margin)
        return value

    async def async_auth_flow(self, request: httpx.Request) -> AsyncGenerator[httpx.Request, httpx.Response]:
        token = self._valid_token()
        if token is None:
            # Holding the lock across the yield makes concurrent requests wait for this refresh
            # and reuse its token instead of each asking Entra.
            async with self._lock:
                token = self._valid_token()
                if token is None:
                    requested_at = self._clock()
                    token_response = yield self._token_request()
                    # This flow overrides async_auth_flow, so httpx does not read bodies for us.
                    await token_response.aread()
                    token = self._store(token_response, requested_at)
        request.headers["Authorization"] = f"Bearer {token}"
        response = yield request
        if response.status_code != 401:
            return
        # BC refused a token we thought valid (revoked, clock skew): refresh once, retry once.
        async with self._lock:
            current = self._valid_token()
            if current is None or current == token:
                requested_at = self._clock()
                token_response = yield self._token_request()
                await token_response.aread()
                current = self._store(token_response, requested_at)
        request.headers["Authorization"] = f"Bearer {current}"
        yield request


def _token_refused(response: httpx.Response) -> BCAuthenticationFailed:
    code: str | None = None
    correlation_id: str | None = None
    try:
        body = json.loads(response.content)
    except ValueError:
        body = None
    if isinstance(body, dict):
        error = body.get("error")
        code = error if isinstance(error, str) and _SAFE_ERROR_CODE.match(error) else None
        trace = body.get("correlation_id")
        correlation_id = trace[:64] if isinstance(trace, str) else None
    return BCAuthenticationFailed(
        f"token endpoint refused the client credentials (HTTP {response.status_code})",
        code=code,
        status=response.status_code,
        correlation_id=correlation_id,
    )
