"""The principals (app registrations) the client signs in as, and which one sends each request.

BC's limits — 5 requests at a time, 6,000 per 5 minutes — hold per principal, and Microsoft's
advice for more throughput is more app registrations.  Each principal here has its own token, its
own limiter and, with a replicated store, its own fleet slots and window (without one, its own
window in this process, ``_window.py``), so N principals carry N times the load while each stays
within BC's limits.

A write names an *affinity* (derived from its idempotency key): it always goes through the
principal that affinity hashes to, on every replica and every retry.  A read goes to the least
loaded principal of this replica (requests in flight and waiting), the next in turn on a tie.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from ._fleet import FleetLimiter, SharedLimits, principal_key
from ._limiter import ConcurrencyLimiter
from ._resilience import Clock
from ._settings import BCSettings
from ._token import EntraTokenAuth
from ._window import ProcessWindow

__all__ = ["Principal", "Principals"]


@dataclass(frozen=True)
class Principal:
    """One app registration: ``name`` is secret-free (a hash), for pools and logs."""

    name: str
    auth: EntraTokenAuth | None
    limiter: ConcurrencyLimiter
    fleet: FleetLimiter | None
    window: ProcessWindow | None  # BC's request window, when no fleet counts it

    @property
    def load(self) -> int:
        return self.limiter.in_flight + self.limiter.waiting


class Principals:
    def __init__(self, settings: BCSettings, clock: Clock, shared: SharedLimits | None) -> None:
        knobs = settings.resilience
        replicated = shared is not None and shared.replicated
        self.all: tuple[Principal, ...] = tuple(
            Principal(
                name=(name := principal_key(settings.environment_url, credentials)),
                auth=(
                    EntraTokenAuth(credentials, timeout_seconds=settings.timeout_seconds)
                    if credentials is not None
                    else None
                ),
                limiter=ConcurrencyLimiter(knobs.max_concurrency, knobs.queue_limit),
                fleet=FleetLimiter(shared, name, knobs, clock) if shared is not None and replicated else None,
                window=None
                if replicated
                else ProcessWindow(knobs.window_requests, knobs.window_seconds, clock),
            )
            for credentials in settings.principals or (None,)
        )
        self._turn = 0

    def pick(self, affinity: str | None = None) -> Principal:
        """The principal for a request: by ``affinity`` when given, else the least loaded."""
        count = len(self.all)
        if count == 1:
            return self.all[0]
        if affinity is not None:
            digest = hashlib.sha256(affinity.encode()).digest()
            return self.all[int.from_bytes(digest[:8], "big") % count]
        start = self._turn
        self._turn = (start + 1) % count
        order = [self.all[(start + offset) % count] for offset in range(count)]
        return min(order, key=lambda principal: principal.load)

    async def aclose(self) -> None:
        for principal in self.all:
            if principal.fleet is not None:
                await principal.fleet.aclose()
