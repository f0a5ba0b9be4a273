"""The reference customer portal at ``/portal/``: static files, its sign-in configuration, headers.

The portal is plain HTML, CSS and ES modules in ``gateway/portal/static`` (no build step, so a
fresh clone serves it without Node.js).  It signs in with the authorization code flow + PKCE at
the identity provider named in ``/portal/config.json`` and uses nothing but ``/graphql`` and the
``/documents`` links it returns.

Headers: a Content-Security-Policy that allows scripts, styles and connections from this origin
only (plus the identity provider's origin for the token endpoint), and ``Cache-Control: no-cache``
with validators (ETag / Last-Modified), so a browser revalidates each file and never runs a stale
module after an upgrade; file names carry no content hash, so longer caching would be unsafe.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import Message, Receive, Scope, Send

DEVELOPMENT_CLIENT_ID = "bc-portal"
DEFAULT_SCOPES = "openid profile offline_access orders:read orders:write"


@dataclass(frozen=True)
class WebPortalSettings:
    """Whether ``/portal/`` is served, and how it signs in.

    ``enabled`` ``None`` means: in development mode only.  In production the portal needs the
    client id of its own app registration at the identity provider (``PORTAL_CLIENT_ID``).
    """

    enabled: bool | None = None
    client_id: str | None = None
    scopes: str = DEFAULT_SCOPES


@dataclass(frozen=True)
class PortalSignIn:
    """What the browser needs to start sign-in: the provider (discovery at
    ``{issuer}/.well-known/openid-configuration``), the client id and the scopes."""

    issuer: str
    client_id: str
    scopes: str


def static_directory() -> Path:
    return Path(str(files("gateway.portal") / "static"))


def portal_routes(sign_in: PortalSignIn) -> list[BaseRoute]:
    """``/portal`` (redirect), ``/portal/config.json`` and the static files."""
    config = {"issuer": sign_in.issuer, "clientId": sign_in.client_id, "scopes": sign_in.scopes}
    policy = content_security_policy(sign_in.issuer)

    async def to_slash(request: Request) -> Response:
        return RedirectResponse("/portal/", status_code=308)

    async def configuration(request: Request) -> Response:
        return JSONResponse(config, headers={"Cache-Control": "no-cache", "Content-Security-Policy": policy})

    files_app = StaticFiles(directory=static_directory(), html=True)
    return [
        Route("/portal", to_slash),
        Route("/portal/config.json", configuration, methods=["GET"]),
        Mount("/portal", app=_PortalHeaders(files_app, policy)),
    ]


def content_security_policy(issuer: str) -> str:
    """Everything from this origin only; the identity provider may be called (token endpoint)."""
    parts = urlsplit(issuer)
    provider = f"{parts.scheme}://{parts.netloc}"
    return "; ".join(
        [
            "default-src 'none'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' data: blob:",
            "font-src 'self'",
            "manifest-src 'self'",
            f"connect-src 'self' {provider}",
            "form-action 'self'",
            "base-uri 'none'",
            "frame-ancestors 'none'",
        ]
    )


class _PortalHeaders:
    """Adds the portal's CSP and caching headers to every static file response."""

    def __init__(self, app: StaticFiles, policy: str) -> None:
        self.app = app
        self.policy = policy

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers.append((b"content-security-policy", self.policy.encode("latin-1")))
                headers.append((b"cache-control", b"no-cache"))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_headers)
