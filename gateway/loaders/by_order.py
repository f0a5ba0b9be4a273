"""Posted documents per order number: an order's shipments and invoices, many orders per request.

``salesShipments`` and ``salesInvoices`` carry ``orderNumber``, so the documents of a whole page
of orders are one scoped request per entity set (per chunk of 30 order numbers), lines expanded,
decoded into the kind's model (checked against the scope by the BC client): an order BC has
deleted is rebuilt from exactly these documents (``gateway.resolvers.order_rebuild``).
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Sequence
from typing import TypeVar

from gateway.bc import BCSession, SalesInvoice, SalesShipment
from gateway.loaders.batching import chunked, unique
from gateway.loaders.documents import DocumentKind

D = TypeVar("D", SalesShipment, SalesInvoice)


async def load_by_order_number(
    session: BCSession, kind: DocumentKind[D], numbers: Sequence[str], *, with_items: bool = False
) -> list[list[D]]:
    """For each order number, its posted documents (newest posting first); ``[]`` for none."""
    wanted = unique(numbers)
    asked = set(wanted)
    found: dict[str, list[D]] = defaultdict(list)

    # One answer kept per order number: one order's documents are served from a page's read.
    query_for = kind.by_key(
        "orderNumber", session.scope, with_items=with_items, orderby=("postingDate desc", "number desc")
    )

    async def fetch(chunk: Sequence[str]) -> list[D]:
        return await session.fetch_by_key(query_for, "orderNumber", chunk, model=kind.model)

    for documents in await asyncio.gather(*(fetch(chunk) for chunk in chunked(wanted))):
        for document in documents:
            # A document of an order nobody asked for means BC dropped the filter: ignore it.
            number = document.order_number
            if number is not None and number in asked:
                found[number].append(document)
    return [list(found.get(number, ())) for number in numbers]
