"""Where Business Central is and how to sign in to it."""

from __future__ import annotations

import functools
import ipaddress
import re
from dataclasses import dataclass, field
from typing import Final
from urllib.parse import urlsplit

from ._resilience import ResilienceSettings

__all__ = [
    "ANALYTICS_API",
    "PORTAL_API",
    "STANDARD_API",
    "ApiRoute",
    "BCSettings",
    "ClientCredentials",
]

DEFAULT_SCOPE: Final = "https://api.businesscentral.dynamics.com/.default"
_ONLINE_BASE: Final = "https://api.businesscentral.dynamics.com/v2.0"
_TOKEN_URL: Final = "https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token"  # noqa: S105 - a URL
# BC's own naming rule for API publishers and groups (REFERENCE §1): letters and digits only.
_ROUTE_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9]*$")
_ROUTE_VERSION = re.compile(r"^(v[0-9]+\.[0-9]+|beta)$")
# Tenant ids, domains and environment names become URL path segments: nothing that ends one.
_PATH_SEGMENT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
_MAX_PAGE_SIZE: Final = 20_000  # BC online refuses larger pages (REFERENCE §3.3)


@dataclass(frozen=True)
class ApiRoute:
    """An API route: the standard API (no publisher/group) or ``api/{publisher}/{group}/{version}``."""

    publisher: str | None
    group: str | None
    version: str

    def __post_init__(self) -> None:
        if (self.publisher is None) != (self.group is None):
            raise ValueError("an API route has both a publisher and a group, or neither")
        for name in (self.publisher, self.group):
            if name is not None and not _ROUTE_NAME.match(name):
                raise ValueError(f"invalid API publisher or group: {name!r}")
        if not _ROUTE_VERSION.match(self.version):
            raise ValueError(f"invalid API version: {self.version!r}")

    @functools.cached_property
    def path(self) -> str:
        # Asked for by every request (its URL, its answer key): written once per route.
        if self.publisher is None:
            return f"api/{self.version}"
        return f"api/{self.publisher}/{self.group}/{self.version}"


STANDARD_API: Final = ApiRoute(None, None, "v2.0")
ANALYTICS_API: Final = ApiRoute("microsoft", "analytics", "v1.0")
PORTAL_API: Final = ApiRoute("bcgateway", "portal", "v1.0")


def is_secure_token_url(url: str) -> bool:
    """Whether the client secret may be sent to ``url``: over HTTPS, or over plain HTTP only to a
    loopback host (``localhost``, ``127.0.0.0/8``, ``::1``), where it never leaves the machine —
    as with ``bc-gateway sandbox``, which serves its token endpoint over http on this machine."""
    parts = urlsplit(url)
    if parts.scheme == "https":
        return bool(parts.hostname)
    if parts.scheme != "http" or not parts.hostname:
        return False
    if parts.hostname == "localhost":
        return True
    try:
        return ipaddress.ip_address(parts.hostname).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class ClientCredentials:
    """An Entra app registration for the client-credentials flow.  ``repr`` hides the secret."""

    token_url: str
    client_id: str
    client_secret: str = field(repr=False)
    scope: str = DEFAULT_SCOPE

    @classmethod
    def entra(cls, tenant_id: str, client_id: str, client_secret: str) -> ClientCredentials:
        """An app registration of BC online's Entra tenant ``tenant_id``."""
        if not _PATH_SEGMENT.match(tenant_id):
            raise ValueError(f"invalid tenant id: {tenant_id!r}")
        return cls(_TOKEN_URL.format(tenant=tenant_id), client_id, client_secret)

    def __post_init__(self) -> None:
        if not is_secure_token_url(self.token_url):
            raise ValueError("must use https (plain http only to this machine: localhost, 127.0.0.1, ::1)")
        if not self.client_id or not self.client_secret:
            raise ValueError("client id and client secret must not be empty")


@dataclass(frozen=True)
class BCSettings:
    """One BC environment.  ``environment_url`` has no trailing slash; API routes hang below it.

    BC's limits are per principal (app registration), so more registrations carry more load:
    ``additional_credentials`` are more principals beside ``credentials`` on the same environment,
    each with its own token and its own share of BC's limits (``principals``).
    """

    environment_url: str
    credentials: ClientCredentials | None
    timeout_seconds: float = 30.0
    page_size: int = 1000
    resilience: ResilienceSettings = field(default_factory=ResilienceSettings)
    additional_credentials: tuple[ClientCredentials, ...] = ()

    def __post_init__(self) -> None:
        if not self.environment_url.startswith(("https://", "http://")):
            raise ValueError("environment_url must be an http(s) URL")
        if self.additional_credentials and self.credentials is None:
            raise ValueError("additional credentials need a first one")
        if len({c.client_id for c in self.principals}) != len(self.principals):
            raise ValueError("each principal needs a client id of its own")
        if self.environment_url.endswith("/") or any(c in self.environment_url for c in "?#"):
            raise ValueError("environment_url has no trailing slash, query or fragment")
        if not self.timeout_seconds > 0:
            raise ValueError("timeout_seconds must be positive")
        if not 1 <= self.page_size <= _MAX_PAGE_SIZE:
            raise ValueError(f"page_size must be between 1 and {_MAX_PAGE_SIZE}")

    @classmethod
    def online(
        cls,
        tenant_id: str,
        environment: str,
        client_id: str,
        client_secret: str,
        *,
        timeout_seconds: float = 30.0,
        page_size: int = 1000,
    ) -> BCSettings:
        """BC online: ``https://api.businesscentral.dynamics.com/v2.0/{tenant}/{environment}``."""
        for segment in (tenant_id, environment):
            if not _PATH_SEGMENT.match(segment):
                raise ValueError(f"invalid tenant id or environment name: {segment!r}")
        credentials = ClientCredentials.entra(tenant_id, client_id, client_secret)
        return cls(
            environment_url=f"{_ONLINE_BASE}/{tenant_id}/{environment}",
            credentials=credentials,
            timeout_seconds=timeout_seconds,
            page_size=page_size,
        )

    @classmethod
    def on_premises(
        cls,
        base_url: str,
        credentials: ClientCredentials | None,
        *,
        timeout_seconds: float = 30.0,
        page_size: int = 1000,
    ) -> BCSettings:
        """BC on-premises, e.g. ``https://host:7048/bc`` (a trailing slash is dropped)."""
        return cls(
            environment_url=base_url.rstrip("/"),
            credentials=credentials,
            timeout_seconds=timeout_seconds,
            page_size=page_size,
        )

    @property
    def principals(self) -> tuple[ClientCredentials, ...]:
        """Every app registration the gateway signs in as (none without credentials)."""
        if self.credentials is None:
            return ()
        return (self.credentials, *self.additional_credentials)

    def route_url(self, route: ApiRoute) -> str:
        return f"{self.environment_url}/{route.path}"
