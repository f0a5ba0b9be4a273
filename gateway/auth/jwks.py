"""The identity provider's public signing keys, fetched over HTTP and cached."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Any

import httpx

from gateway.auth.errors import AuthUnavailable

logger = logging.getLogger(__name__)


class InvalidJwks(ValueError):
    """The JWKS endpoint answered, but not with a usable key set."""


class JwksCache:
    """Signing keys by ``kid``, fetched from ``jwks_url`` on first use and refreshed on demand.

    - The first lookup fetches the key set; if that fails, ``AuthUnavailable``
      (reason ``"jwks_unavailable"``) is raised, and the next lookup tries again.
    - A ``kid`` that is not cached triggers a refetch (the provider may have rotated its keys),
      but at most one per ``min_refresh_seconds``, so unknown kids cannot be used to flood the
      provider.  Concurrent lookups wait for, and share, one fetch.
    - A failed refetch keeps the last keys that were fetched successfully.
    """

    def __init__(
        self,
        jwks_url: str,
        http: httpx.AsyncClient,
        *,
        min_refresh_seconds: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._jwks_url = jwks_url
        self._http = http
        self._min_refresh_seconds = min_refresh_seconds
        self._clock = clock
        self._keys: dict[str, dict[str, Any]] | None = None
        self._last_attempt: float | None = None
        self._attempts = 0
        self._lock = asyncio.Lock()

    async def key_for(self, kid: str) -> dict[str, Any] | None:
        """The JWK with this ``kid`` (a copy), or ``None`` when the provider does not have it."""
        if self._keys is not None:
            if kid in self._keys:
                return dict(self._keys[kid])
            if not self._refresh_is_due():
                return None
        await self._refresh(attempts_seen=self._attempts)
        if self._keys is None:
            raise AuthUnavailable("jwks_unavailable")
        key = self._keys.get(kid)
        return dict(key) if key is not None else None

    def knows(self, kid: str) -> bool:
        """Whether ``kid`` is among the keys fetched last (never fetches)."""
        return self._keys is not None and kid in self._keys

    def _refresh_is_due(self) -> bool:
        return self._last_attempt is None or self._clock() - self._last_attempt >= self._min_refresh_seconds

    async def _refresh(self, *, attempts_seen: int) -> None:
        async with self._lock:
            if self._attempts != attempts_seen:
                return  # another caller fetched while this one waited; share its result
            self._last_attempt = self._clock()
            try:
                self._keys = await self._fetch()
            except (httpx.HTTPError, InvalidJwks) as exc:
                # Only the exception type: its text may carry a response body.
                logger.warning("JWKS fetch from %s failed: %s", self._jwks_url, type(exc).__name__)
            # Not in a `finally`: a cancelled fetch must not count, so its waiters try again.
            self._attempts += 1

    async def _fetch(self) -> dict[str, dict[str, Any]]:
        response = await self._http.get(self._jwks_url, headers={"Accept": "application/json"})
        if response.status_code != httpx.codes.OK:
            raise InvalidJwks(f"status {response.status_code}")
        try:
            document = response.json()
        except ValueError as exc:
            raise InvalidJwks("not JSON") from exc
        return parse_jwks(document)


def parse_jwks(document: object) -> dict[str, dict[str, Any]]:
    """The signing keys of a JWKS document by ``kid``.

    Keys without a ``kid`` are skipped (tokens must name their key), as are keys meant for
    encryption; of two keys with one ``kid`` the first wins.  A document without any usable
    key raises ``InvalidJwks``, so an empty answer never replaces good keys.
    """
    keys = document.get("keys") if isinstance(document, dict) else None
    if not isinstance(keys, list):
        raise InvalidJwks("no 'keys' list")
    by_kid: dict[str, dict[str, Any]] = {}
    for key in keys:
        if _is_signing_key(key):
            by_kid.setdefault(key["kid"], dict(key))
    if not by_kid:
        raise InvalidJwks("no usable signing key")
    return by_kid


def _is_signing_key(key: object) -> bool:
    return (
        isinstance(key, dict)
        and isinstance(key.get("kid"), str)
        and bool(key["kid"])
        and isinstance(key.get("kty"), str)
        and key.get("use", "sig") == "sig"
    )
