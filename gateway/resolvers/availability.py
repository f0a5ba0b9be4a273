"""Stock of an item: on hand from the standard API, the rest from the portal custom API.

``items.inventory`` is all API v2.0 knows.  Committed quantity (outstanding on sales orders),
available quantity and the next expected receipt come from the extension's
``itemAvailabilities`` (docs/bc-extension.md); without it those raise ``CapabilityUnavailable``
and only they become null.  Both answers are kept for every customer of the company
(`GATEWAY_CACHE_TTL_CATALOGUE_SECONDS`, `GATEWAY_CACHE_TTL_AVAILABILITY_SECONDS`: a minute).
"""

from __future__ import annotations

from uuid import UUID

from gateway.bc import ItemAvailability
from gateway.resolvers.context import Context


async def availability_of(ctx: Context, item_id: UUID) -> ItemAvailability | None:
    found: ItemAvailability | None = await ctx.loaders.availability_by_item_id.load(item_id)
    return found
