"""Proof-of-delivery documents per shipment, from the portal custom API (docs/bc-extension.md)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from uuid import UUID

from gateway.bc import PORTAL_API, BCSession, DeliveryDocument, Field, Query, any_of, scoped
from gateway.loaders.batching import chunked, unique


async def load_delivery_documents(session: BCSession, keys: Sequence[UUID]) -> list[list[DeliveryDocument]]:
    """The caller's delivery documents of each shipment id, oldest first; one request per chunk."""
    found: dict[UUID, list[DeliveryDocument]] = defaultdict(list)
    wanted = unique(keys)
    asked = set(wanted)
    for chunk in chunked(wanted):
        query = Query(
            "deliveryDocuments",
            filter=any_of(Field("shipmentId"), chunk),
            select=DeliveryDocument.SELECT,
            orderby=("lastModifiedDateTime asc", "fileName asc"),
        )
        for document in await session.fetch(
            scoped(query, session.scope), model=DeliveryDocument, route=PORTAL_API
        ):
            if document.shipment_id in asked:
                found[document.shipment_id].append(document)
    return [found.get(key, []) for key in keys]
