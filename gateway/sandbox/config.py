"""The sandbox's settings: who may sign in, which API routes it serves, how big its world is."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from gateway.sandbox.faults import Fault
from gateway.sandbox.limits import Limits
from gateway.sandbox.webhooks.config import WebhookConfig

METADATA_DIR = Path(__file__).parent / "metadata"

# API route (the part of the URL after ``api/``) → its EDMX file in ``metadata/``.
KNOWN_ROUTES: dict[str, str] = {
    "v2.0": "standard.xml",
    "microsoft/analytics/v1.0": "analytics.xml",
    "bcgateway/portal/v1.0": "portal.xml",
}
# Standard sets newer than BC's 2025 $metadata (standard.xml stays that real document, byte for
# byte): their types and sets, merged into it for the profiles that serve them.
NEWER_STANDARD_METADATA = "standard-newer.xml"

BC_MAX_PAGE_SIZE = 20000  # BC online's fixed server page size (REFERENCE §3.3)

Profile = Literal["full", "no-portal", "no-analytics", "bare"]
# API routes each BC version profile leaves out (docs/sandbox.md, "Profiles").
PROFILE_DROPS_ROUTES: dict[str, frozenset[str]] = {
    "full": frozenset(),
    "no-portal": frozenset({"bcgateway/portal/v1.0"}),
    "no-analytics": frozenset({"microsoft/analytics/v1.0"}),
    "bare": frozenset({"bcgateway/portal/v1.0", "microsoft/analytics/v1.0"}),
}
# Standard entity sets newer than the 2025 $metadata (REFERENCE §9): a "bare" tenant lacks them.
NEWER_THAN_2025 = frozenset(
    {
        "salesReturnOrders",
        "salesReturnOrderLines",
        "returnReceipts",
        "blanketSalesOrders",
        "blanketSalesOrderLines",
        "salesOrderArchives",
        "salesOrderArchiveLines",
        "salesQuoteArchives",
        "salesReturnOrderArchives",
        "transferOrders",
        "transferOrderLines",
        "transferShipments",
        "transferShipmentLines",
        "transferReceipts",
        "transferReceiptLines",
        "inventoryShipments",
        "inventoryReceipts",
    }
)


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True)
class ApiRoute:
    """One served API route and the EDMX that describes it."""

    route: str
    metadata_path: Path
    # EDMX documents merged into ``metadata_path`` (edm.load_tree): the standard sets newer than 2025.
    extensions: tuple[Path, ...] = ()


def default_routes() -> tuple[ApiRoute, ...]:
    """The standard route always; analytics and portal when their EDMX files are present."""
    newer = METADATA_DIR / NEWER_STANDARD_METADATA
    return tuple(
        ApiRoute(route, METADATA_DIR / filename, (newer,) if route == "v2.0" and newer.is_file() else ())
        for route, filename in KNOWN_ROUTES.items()
        if route == "v2.0" or (METADATA_DIR / filename).is_file()
    )


@dataclass(frozen=True)
class SandboxConfig:
    tenant: str = "sandbox"
    environment: str = "production"
    client_id: str = "sandbox-client"
    client_secret: str = "sandbox-secret"  # noqa: S105  (a fixed, public sandbox credential)
    # App registrations that may sign in: the one above, and `-2`, `-3`, … of both beyond one.
    # BC's limits are per registration, so each has its own (``limits``).
    clients: int = 1
    token_ttl_seconds: int = 3600
    max_page_size: int = BC_MAX_PAGE_SIZE
    default_page_size: int = BC_MAX_PAGE_SIZE
    seed: int = 42
    scale: float = 1.0
    today: dt.date | None = None
    # Customers with this many orders of their own in the last 12 months, added to the first
    # company (world/long_histories.py): off by default, for measuring what history costs.
    long_histories: tuple[int, ...] = ()
    routes: tuple[ApiRoute, ...] = field(default_factory=default_routes)
    # Which BC this is: "full", "no-portal", "no-analytics" or "bare" (docs/sandbox.md).
    profile: Profile = "full"
    limits: Limits = field(default_factory=Limits)
    faults: tuple[Fault, ...] = ()
    # Monotonic seconds for the limits' sliding window; tests pass a fake one.
    clock: Callable[[], float] = time.monotonic
    # The wall clock: lastModifiedDateTime of writes, webhook delays and subscription expiry.
    now: Callable[[], dt.datetime] = _utc_now
    webhooks: WebhookConfig = field(default_factory=WebhookConfig)
    # The staff simulator does one random action this often (seconds) while the sandbox runs; 0: never.
    staff_every_seconds: float = 0.0

    def __post_init__(self) -> None:
        if self.profile not in PROFILE_DROPS_ROUTES:
            raise ValueError(f"unknown profile {self.profile!r}; one of {sorted(PROFILE_DROPS_ROUTES)}")
        if not 1 <= self.clients <= 20:
            raise ValueError("clients must be between 1 and 20")

    @property
    def credentials(self) -> tuple[tuple[str, str], ...]:
        """(client id, client secret) of every app registration that may sign in."""
        suffixes = ["", *(f"-{number}" for number in range(2, self.clients + 1))]
        return tuple((self.client_id + suffix, self.client_secret + suffix) for suffix in suffixes)

    @property
    def served_routes(self) -> tuple[ApiRoute, ...]:
        """The routes this profile's BC has."""
        dropped = PROFILE_DROPS_ROUTES[self.profile]
        return tuple(r for r in self.routes if r.route not in dropped)

    def serves_set(self, route: str, entity_set: str) -> bool:
        return not (self.profile == "bare" and route == "v2.0" and entity_set in NEWER_THAN_2025)

    def route(self, name: str) -> ApiRoute | None:
        return next((r for r in self.served_routes if r.route == name), None)
