"""How many sockets and subscriptions a customer holds at once, on every replica together.

Each socket and each subscription takes a leased slot in the customer's pool in the shared store
(``Slots``: ``live:connections:<company>:<customer>``, ``live:operations:…``).  The lease is renewed
at every ping and released when the socket or the subscription ends, so the places of a replica
that died come back after one lease.  While the store cannot be reached, places are granted
without being counted (the limits protect the gateway, they are not a correctness rule): a
customer's socket still holds at most ``max_operations`` subscriptions.
"""

from __future__ import annotations

import contextlib
import logging
import uuid
from dataclasses import dataclass
from enum import Enum

from gateway.edge.live.settings import LiveSettings
from gateway.store import Slots, StoreUnavailable

log = logging.getLogger("gateway.edge.live")


class Pool(Enum):
    CONNECTIONS = "connections"
    OPERATIONS = "operations"


@dataclass(frozen=True)
class Place:
    """A held place: its pool and lease token (``None``: granted uncounted, store unreachable)."""

    pool: str
    token: str | None


class LiveQuota:
    def __init__(self, slots: Slots, settings: LiveSettings) -> None:
        self._slots = slots
        self._settings = settings

    async def take(self, pool: Pool, company_id: uuid.UUID, customer_number: str) -> Place | None:
        """A place in the customer's ``pool``, or ``None`` when they hold as many as allowed."""
        name = f"live:{pool.value}:{company_id}:{customer_number}"
        limit = self._settings.max_connections if pool is Pool.CONNECTIONS else self._settings.max_operations
        try:
            token = await self._slots.acquire(name, limit=limit, lease_seconds=self._settings.lease_seconds)
        except StoreUnavailable:
            log.warning("live_limit_uncounted", extra={"pool": pool.value})
            return Place(name, None)
        return Place(name, token) if token is not None else None

    async def renew(self, place: Place) -> None:
        if place.token is None:
            return
        # Unreachable: the lease may run out, and the limit then counts this place no more.
        with contextlib.suppress(StoreUnavailable):
            await self._slots.renew(place.pool, place.token, lease_seconds=self._settings.lease_seconds)

    async def release(self, place: Place) -> None:
        if place.token is None:
            return
        with contextlib.suppress(StoreUnavailable):  # the lease runs out on its own
            await self._slots.release(place.pool, place.token)
