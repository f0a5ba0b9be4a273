"""A customer's most recent tracking and proof of delivery, read along with a shipment's own and
kept, so that the customer's other order views read neither (docs/caching.md, "Recent tracking
and proof of delivery").

Tracking and proof of delivery are read by the shipments' numbers and ids (the portal API,
docs/bc-extension.md), and a customer views several of its recent orders: each shipped one was a
BC request.  So when they must be read from BC, the same portal-API ``$batch`` also reads the
customer's newest trackings, each with its shipment's delivery documents
(``$expand=deliveryDocuments``, the extension's contained navigation; ``riding_along``: never a
request of its own), kept as one answer under the customer's shipments, and later loads serve a
key from it where it proves the answer a read by that key would have given then:

- a shipment's tracking: its row is in the list (one row per posted shipment, by its number);
- a shipment's delivery documents: its row is in the list and came with every one of them
  (possibly none): a contained navigation is the parent's children, all of them, whatever the
  customer's other shipments hold.

A tenant whose extension lacks the navigation (its ``$metadata`` does not list it, or was not
read yet) gets the list without it: tracking proved, documents read by id.  Nothing is proved
absent by BC's order of codes: a tracking row missing from the list is read by key, as before.
Without kept answers (``GATEWAY_CACHE=off``, a write's reads) nothing is read along and nothing
proved.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar
from uuid import UUID

from gateway.bc import (
    PORTAL_API,
    ApiRoute,
    BCError,
    BCSession,
    DeliveryDocument,
    Expand,
    Query,
    ScopedQuery,
    ShipmentTracking,
    scoped,
)
from gateway.loaders.batching import unique

__all__ = ["RECENT_TRACKINGS", "RecentDeliveries", "RecentReads"]

K = TypeVar("K")
V = TypeVar("V")

# The newest shipments' tracking rows read along: a customer views its 5-10 newest orders, a few
# shipments each.  A few dozen small rows more in a read that is made anyway.
RECENT_TRACKINGS = 50
# In the order a read by shipment id asks for (loaders/delivery.py), so that each shipment's
# documents come out of the list exactly as that read returns them.
DOCUMENT_ORDER = ("lastModifiedDateTime asc", "fileName asc")
# shipmentTracking's contained navigation to its shipment's delivery documents (an AL part).
DOCUMENTS = "deliveryDocuments"


@dataclass(frozen=True)
class RecentDeliveries:
    """The kept list, as BC answered it (plain rows, checked against the customer's scope when
    read), and what it proves."""

    trackings: Mapping[str, Mapping[str, Any]]  # by shipment number, exactly as BC spells it
    documents: Mapping[UUID, Sequence[Mapping[str, Any]]]  # by shipment id: those proved complete

    @classmethod
    def from_rows(cls, rows: Sequence[Mapping[str, Any]], customer: str) -> RecentDeliveries:
        return cls(
            trackings={str(row["shipmentNumber"]): row for row in rows if row.get("shipmentNumber")},
            documents={
                shipment: found
                for row in rows
                if (shipment := _guid(row.get("shipmentId"))) is not None
                and (found := _complete_documents(row, shipment, customer)) is not None
            },
        )

    def tracking(self, number: str) -> ShipmentTracking | None:
        """The shipment's tracking when the list proves it; ``None``: read it by number."""
        row = self.trackings.get(number)
        return ShipmentTracking.from_row(row) if row is not None else None

    def documents_of(self, shipment: UUID) -> list[DeliveryDocument] | None:
        """The shipment's delivery documents when the list proves them (possibly none);
        ``None``: read them by id."""
        found = self.documents.get(shipment)
        return None if found is None else [DeliveryDocument.from_row(row) for row in found]


def _complete_documents(
    row: Mapping[str, Any], shipment: UUID, customer: str
) -> Sequence[Mapping[str, Any]] | None:
    """A tracking row's expanded delivery documents when they are all of its shipment's, or
    ``None``: not expanded (a tenant without the navigation), paged (a next link: not all of
    them), or one of them not the customer's or not the shipment's.  The read by id that follows
    then drops such a row and logs it, as every read checks its rows against the scope."""
    documents = row.get(DOCUMENTS)
    if not isinstance(documents, list) or f"{DOCUMENTS}@odata.nextLink" in row:
        return None
    for document in documents:
        if document.get("customerNumber") != customer or _guid(document.get("shipmentId")) != shipment:
            return None
    return documents


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
        return session.keeps_answers and session.offers("shipmentTrackings", PORTAL_API)

    async def kept(self) -> RecentDeliveries | None:
        """The kept list, or ``None`` when none is kept (never read from BC here)."""
        if self._kept is not None:
            return await asyncio.shield(self._kept)
        future = self._kept = asyncio.get_running_loop().create_future()
        found: RecentDeliveries | None = None
        try:
            if self._on:
                rows = await self._session.kept_together(self._reads())
                customer = self._session.scope.customer_number
                found = RecentDeliveries.from_rows(rows[0], customer) if rows is not None else None
        except BCError:
            found = None  # the tenant lacks the set, or the like: read by key, as before
        finally:
            future.set_result(found)
        return found

    async def serve(
        self,
        keys: Sequence[K],
        proved: Callable[[RecentDeliveries, K], V | None],
        read: Callable[[Sequence[K]], Awaitable[Mapping[K, V]]],
    ) -> dict[K, V]:
        """Each of ``keys``'s answer: from the kept list where it ``proved`` it, the rest by
        ``read``, with the list read along in the same round (``read_along``)."""
        found: dict[K, V] = {}
        kept = await self.kept()
        if kept is not None:
            found = {key: answer for key in unique(keys) if (answer := proved(kept, key)) is not None}
        rest = [key for key in unique(keys) if key not in found]
        if rest:
            by_read, _ = await asyncio.gather(read(rest), self.read_along())
            found |= by_read
        return found

    async def read_along(self) -> None:
        """Read the list in this round's portal-API ``$batch``, kept for the customer's later
        views: only with a read this request needs (``riding_along``), never in a request of its
        own; once per request.  Fails nothing: a list not read is simply not kept."""
        if self._along is not None or not self._on or await self.kept() is not None:
            return  # read along already, or nothing to keep, or kept: then its keys are read alone
        self._along = asyncio.get_running_loop().create_future()
        try:
            # ``wait``: the read by key this rides with asks the answer cache too, and with Redis
            # may reach the $batch first; the batch waits (briefly) for this one.
            with self._session.riding_along(wait=True):
                await self._session.fetch_together(self._reads())
        except BCError:
            pass
        finally:
            self._along.set_result(None)

    def _reads(self) -> list[tuple[Query | ScopedQuery, ApiRoute]]:
        # Kept as one answer (fetch_together), so that the list and its shipments' documents are
        # of one moment.  The documents only where the tenant's $metadata lists the navigation:
        # an $expand BC does not know fails the read.
        expand = (
            (Expand(DOCUMENTS, select=DeliveryDocument.SELECT, orderby=DOCUMENT_ORDER),)
            if self._session.lists_navigation("shipmentTrackings", DOCUMENTS, PORTAL_API)
            else ()
        )
        trackings = Query(
            "shipmentTrackings",
            select=ShipmentTracking.SELECT,
            orderby=("shipmentNumber desc",),
            top=RECENT_TRACKINGS,
            expand=expand,
        )
        return [(scoped(trackings, self._session.scope), PORTAL_API)]


def _guid(value: object) -> UUID | None:
    try:
        return UUID(str(value)) if value else None
    except ValueError:
        return None
