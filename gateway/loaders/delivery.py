"""Proof-of-delivery documents per shipment, from the portal custom API (docs/bc-extension.md)."""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from uuid import UUID

from gateway.bc import PORTAL_API, BCSession, DeliveryDocument, Field, Query, any_of, scoped
from gateway.loaders.batching import chunked
from gateway.loaders.recent_deliveries import DOCUMENT_ORDER, RecentDeliveries, RecentReads


async def load_delivery_documents(
    session: BCSession, recent: RecentReads, keys: Sequence[UUID]
) -> list[list[DeliveryDocument]]:
    """The caller's delivery documents of each shipment id, oldest first: from the customer's
    recent documents kept where they prove a shipment's (``recent_deliveries``), the rest read
    by id, one request per chunk, with the recent lists read along."""
    found = await recent.serve(keys, RecentDeliveries.documents_of, partial(_read_by_id, session))
    return [found[key] for key in keys]


async def _read_by_id(session: BCSession, wanted: Sequence[UUID]) -> dict[UUID, list[DeliveryDocument]]:
    found: dict[UUID, list[DeliveryDocument]] = {key: [] for key in wanted}
    for chunk in chunked(wanted):
        query = Query(
            "deliveryDocuments",
            filter=any_of(Field("shipmentId"), chunk),
            select=DeliveryDocument.SELECT,
            orderby=DOCUMENT_ORDER,
        )
        for document in await session.fetch(
            scoped(query, session.scope), model=DeliveryDocument, route=PORTAL_API
        ):
            if document.shipment_id in found:
                found[document.shipment_id].append(document)
    return found
