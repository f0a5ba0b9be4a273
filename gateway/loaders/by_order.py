"""Posted documents per order number: an order's shipments and invoices, many orders per request.

``salesShipments`` and ``salesInvoices`` carry ``orderNumber``, so the documents of a whole page
of orders are one scoped request per entity set (per chunk of 30 order numbers), lines expanded.
The loaders give BC's rows as they came (checked against the scope by the BC client), because an
order BC has deleted is rebuilt from exactly these rows (``gateway.resolvers.order_history``).
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from gateway.bc import BCSession, Field, any_of, scoped
from gateway.loaders.batching import chunked, unique
from gateway.loaders.documents import DocumentKind


async def load_by_order_number(
    session: BCSession, kind: DocumentKind[Any], numbers: Sequence[str], *, with_items: bool = False
) -> list[list[dict[str, Any]]]:
    """For each order number, its posted documents' rows (newest posting first); ``[]`` for none."""
    wanted = unique(numbers)
    asked = set(wanted)
    found: dict[str, list[dict[str, Any]]] = defaultdict(list)

    async def fetch(chunk: Sequence[str]) -> list[dict[str, Any]]:
        query = kind.query(
            filter=any_of(Field("orderNumber"), chunk),
            with_items=with_items,
            orderby=("postingDate desc", "number desc"),
        )
        return await session.fetch(scoped(query, session.scope))

    for rows in await asyncio.gather(*(fetch(chunk) for chunk in chunked(wanted))):
        for row in rows:
            # A row for an order nobody asked for means BC dropped the filter: ignore it.
            if row.get("orderNumber") in asked:
                found[row["orderNumber"]].append(row)
    return [list(found.get(number, ())) for number in numbers]
