"""Batch functions for the portal custom API (docs/bc-extension.md): tracking, carriers, stock.

Where the tenant lacks the extension, the BC client raises ``CapabilityUnavailable`` before any
HTTP, and every key of the batch fails with it: the GraphQL fields that need it become null
with ``CAPABILITY_UNAVAILABLE``, and nothing else is affected.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from uuid import UUID

from gateway.bc import (
    PORTAL_API,
    BCSession,
    Field,
    ItemAvailability,
    Query,
    ShipmentTracking,
    ShippingAgent,
    any_of,
    scoped,
)
from gateway.loaders.batching import load_by_key
from gateway.loaders.recent_deliveries import RecentDeliveries, RecentReads


async def load_trackings(
    session: BCSession, recent: RecentReads, numbers: Sequence[str]
) -> list[ShipmentTracking | None]:
    """Tracking rows are customer-owned (they carry ``customerNumber``): scoped, never shared.
    Served from the customer's recent trackings kept where they prove a shipment's; the rest
    read by number, with the recent lists read along (``recent_deliveries``)."""

    async def fetch(chunk: Sequence[str]) -> list[ShipmentTracking]:
        query = Query(
            "shipmentTrackings", filter=any_of(Field("shipmentNumber"), chunk), select=ShipmentTracking.SELECT
        )
        return await session.fetch(scoped(query, session.scope), model=ShipmentTracking, route=PORTAL_API)

    async def read(rest: Sequence[str]) -> dict[str, ShipmentTracking | None]:
        trackings = await load_by_key(rest, fetch, lambda tracking: tracking.shipment_number)
        return dict(zip(rest, trackings, strict=True))

    found = await recent.serve(numbers, RecentDeliveries.tracking, read)
    return [found.get(number) for number in numbers]


async def load_shipping_agents(
    session: BCSession, companies: Sequence[UUID]
) -> list[Mapping[str, ShippingAgent]]:
    """The company's shipping agents by code: a handful, read all at once (shared across
    customers).  The one key is the session's company: the read needs no agent's code."""
    query = Query("shippingAgents", select=ShippingAgent.SELECT)
    agents = {
        agent.code: agent for agent in await session.fetch(query, model=ShippingAgent, route=PORTAL_API)
    }
    return [agents for _ in companies]


async def load_availabilities(session: BCSession, item_ids: Sequence[UUID]) -> list[ItemAvailability | None]:
    """Stock per item: not customer-owned, so an answer serves every customer of the company."""

    async def fetch(chunk: Sequence[UUID]) -> list[ItemAvailability]:
        query = Query(
            "itemAvailabilities", filter=any_of(Field("itemId"), chunk), select=ItemAvailability.SELECT
        )
        return await session.fetch(query, model=ItemAvailability, route=PORTAL_API)

    return await load_by_key(item_ids, fetch, _item_id)


def _item_id(row: ItemAvailability) -> UUID:
    return row.item_id
