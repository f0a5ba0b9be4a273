"""A customer's most recent tracking and proof of delivery, read along with a shipment's own and
kept, so that the customer's other order views read neither (docs/caching.md, "Recent tracking
and proof of delivery").

Tracking and proof of delivery are read by the shipments' numbers and ids (the portal API,
docs/bc-extension.md), and a customer views several of its recent orders: each shipped one was a
BC request.  So when they must be read from BC, the same portal-API ``$batch`` also reads the
customer's newest trackings and their delivery documents (``riding_along``: never a request of
its own), kept together as one answer under the customer's shipments, and later loads serve a
key from it where it proves the answer a read by that key would have given then:

- a shipment's tracking: its row is in the list (one row per posted shipment, by its number);
- a shipment's delivery documents: the documents list holds every document of the customer
  (fewer rows than asked for), and either names the shipment or the shipment is in the tracking
  list read before it in the same ``$batch`` (it existed when its documents were read).

Nothing is proved absent by BC's order of codes: a tracking row missing from the list, and a
shipment's documents when the list was cut off, are read by key, as before.  Without kept
answers (``GATEWAY_CACHE=off``, a write's reads) nothing is read along and nothing proved.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from gateway.bc import (
    PORTAL_API,
    ApiRoute,
    BCError,
    BCSession,
    DeliveryDocument,
    Query,
    ScopedQuery,
    ShipmentTracking,
    scoped,
)

__all__ = ["RECENT_DOCUMENTS", "RECENT_TRACKINGS", "RecentDeliveries", "RecentReads"]

# The newest shipments' tracking rows read along: a customer views its 5-10 newest orders, a few
# shipments each.  A few dozen small rows more in a read that is made anyway.
RECENT_TRACKINGS = 50
# The customer's delivery documents read along; proof only while they are all of them (fewer
# rows than this).  A customer with more reads its shipments' documents by id, as before.
RECENT_DOCUMENTS = 100
# In the order a read by shipment id asks for (loaders/delivery.py), so that each shipment's
# documents come out of the list exactly as that read returns them.
DOCUMENT_ORDER = ("lastModifiedDateTime asc", "fileName asc")
_SETS = ("shipmentTrackings", "deliveryDocuments")


@dataclass(frozen=True)
class RecentDeliveries:
    """The kept lists, as BC answered them in one ``$batch`` (plain rows, checked against the
    customer's scope when read), and what they prove."""

    trackings: Mapping[str, Mapping[str, Any]]  # by shipment number, exactly as BC spells it
    shipments: frozenset[UUID]  # the ids of the shipments in the tracking list
    documents: Mapping[UUID, Sequence[Mapping[str, Any]]] | None  # by shipment id; None: cut off

    @classmethod
    def from_rows(
        cls, trackings: Sequence[Mapping[str, Any]], documents: Sequence[Mapping[str, Any]]
    ) -> RecentDeliveries:
        by_shipment: dict[UUID, list[Mapping[str, Any]]] = {}
        for row in documents:
            shipment = _guid(row.get("shipmentId"))
            if shipment is not None:
                by_shipment.setdefault(shipment, []).append(row)
        return cls(
            trackings={str(row["shipmentNumber"]): row for row in trackings if row.get("shipmentNumber")},
            shipments=frozenset(filter(None, (_guid(row.get("shipmentId")) for row in trackings))),
            documents=by_shipment if len(documents) < RECENT_DOCUMENTS else None,
        )

    def tracking(self, number: str) -> ShipmentTracking | None:
        """The shipment's tracking when the list proves it; ``None``: read it by number."""
        row = self.trackings.get(number)
        return ShipmentTracking.from_row(row) if row is not None else None

    def documents_of(self, shipment: UUID) -> list[DeliveryDocument] | None:
        """The shipment's delivery documents when the lists prove them (possibly none);
        ``None``: read them by id."""
        if self.documents is None:
            return None
        found = self.documents.get(shipment)
        if found is None:
            return [] if shipment in self.shipments else None
        return [DeliveryDocument.from_row(row) for row in found]


class RecentReads:
    """One GraphQL request's access to the customer's recent tracking and proof of delivery: the
    kept answer, looked up once, and the read along, made once (both shared by the tracking and
    the proof-of-delivery loaders of the request)."""

    def __init__(self, session: BCSession) -> None:
        self._session = session
        self._kept: asyncio.Future[RecentDeliveries | None] | None = None
        self._along: asyncio.Future[None] | None = None

    @property
    def _on(self) -> bool:
        session = self._session
        return session.keeps_answers and all(session.offers(name, PORTAL_API) for name in _SETS)

    async def kept(self) -> RecentDeliveries | None:
        """The kept lists, or ``None`` when none are kept (never read from BC here)."""
        if self._kept is not None:
            return await asyncio.shield(self._kept)
        future = self._kept = asyncio.get_running_loop().create_future()
        found: RecentDeliveries | None = None
        try:
            if self._on:
                rows = await self._session.kept_together(self._reads())
                found = RecentDeliveries.from_rows(*rows) if rows is not None else None
        except BCError:
            found = None  # the tenant lacks a set, or the like: read by key, as before
        finally:
            future.set_result(found)
        return found

    async def read_along(self) -> None:
        """Read the lists in this round's portal-API ``$batch``, kept for the customer's later
        views: only with a read this request needs (``riding_along``), never in a request of its
        own; once per request.  Fails nothing: a list not read is simply not kept."""
        if self._along is not None or not self._on or await self.kept() is not None:
            return  # read along already, or nothing to keep, or kept: then its keys are read alone
        self._along = asyncio.get_running_loop().create_future()
        try:
            with self._session.riding_along():
                await self._session.fetch_together(self._reads())
        except BCError:
            pass
        finally:
            self._along.set_result(None)

    def _reads(self) -> list[tuple[Query | ScopedQuery, ApiRoute]]:
        scope = self._session.scope
        trackings = Query(
            "shipmentTrackings",
            select=ShipmentTracking.SELECT,
            orderby=("shipmentNumber desc",),
            top=RECENT_TRACKINGS,
        )
        documents = Query(
            "deliveryDocuments", select=DeliveryDocument.SELECT, orderby=DOCUMENT_ORDER, top=RECENT_DOCUMENTS
        )
        # The tracking list first in the $batch: a shipment in it existed before its documents
        # were read (what proves that it has none, above).
        return [(scoped(trackings, scope), PORTAL_API), (scoped(documents, scope), PORTAL_API)]


def _guid(value: object) -> UUID | None:
    try:
        return UUID(str(value)) if value else None
    except ValueError:
        return None
