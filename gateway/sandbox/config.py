"""The sandbox's settings: who may sign in, which API routes it serves, how big its world is."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

METADATA_DIR = Path(__file__).parent / "metadata"

# API route (the part of the URL after ``api/``) → its EDMX file in ``metadata/``.
KNOWN_ROUTES: dict[str, str] = {
    "v2.0": "standard.xml",
    "microsoft/analytics/v1.0": "analytics.xml",
    "bcgateway/portal/v1.0": "portal.xml",
}

BC_MAX_PAGE_SIZE = 20000  # BC online's fixed server page size (REFERENCE §3.3)


@dataclass(frozen=True)
class ApiRoute:
    """One served API route and the EDMX that describes it."""

    route: str
    metadata_path: Path


def default_routes() -> tuple[ApiRoute, ...]:
    """The standard route always; analytics and portal when their EDMX files are present."""
    return tuple(
        ApiRoute(route, METADATA_DIR / filename)
        for route, filename in KNOWN_ROUTES.items()
        if route == "v2.0" or (METADATA_DIR / filename).is_file()
    )


@dataclass(frozen=True)
class SandboxConfig:
    tenant: str = "sandbox"
    environment: str = "production"
    client_id: str = "sandbox-client"
    client_secret: str = "sandbox-secret"  # noqa: S105  (a fixed, public sandbox credential)
    token_ttl_seconds: int = 3600
    max_page_size: int = BC_MAX_PAGE_SIZE
    default_page_size: int = BC_MAX_PAGE_SIZE
    seed: int = 42
    scale: float = 1.0
    today: dt.date | None = None
    routes: tuple[ApiRoute, ...] = field(default_factory=default_routes)

    def route(self, name: str) -> ApiRoute | None:
        return next((r for r in self.routes if r.route == name), None)
