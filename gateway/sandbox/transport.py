"""The in-process way to reach the sandbox: the gateway talks to it over httpx like to a real BC."""

from __future__ import annotations

import httpx
from starlette.types import ASGIApp


def sandbox_transport(app: ASGIApp) -> httpx.AsyncBaseTransport:
    return httpx.ASGITransport(app=app)
