"""Order archives per order number (``salesOrderArchives``, newer BC: REFERENCE.md §9).

With *Archive Orders* on, BC archives an order when posting deletes it; the archive keeps the
ORIGINAL ordered quantities, the requested delivery date and the order's Document Date.  Many
orders' archives are one scoped request per chunk of 30 order numbers, lines expanded.  A tenant
whose ``$metadata`` has not been read yet and that turns out not to have the set gives no rows.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from gateway.bc import (
    BCNotFound,
    BCSession,
    CapabilityUnavailable,
    Expand,
    Field,
    Filter,
    Query,
    any_of,
    scoped,
)
from gateway.loaders.batching import chunked, unique

ARCHIVES = "salesOrderArchives"
ARCHIVE_SELECT = (
    "id",
    "number",
    "docNoOccurrence",
    "versionNumber",
    "documentDate",
    "externalDocumentNumber",
    "requestedDeliveryDate",
)
ARCHIVE_LINES = Expand(
    "salesOrderArchiveLines",
    select=(
        "sequence",
        "lineType",
        "lineObjectNumber",
        "description",
        "unitOfMeasureCode",
        "quantity",
        "unitPrice",
        "lineDiscountPercent",
    ),
)


def archive_query(
    filter: Filter,
    *,
    select: tuple[str, ...] = ARCHIVE_SELECT,
    with_lines: bool = True,
    top: int | None = None,
) -> Query:
    """``salesOrderArchives`` newest first by (Document Date, number)."""
    return Query(
        ARCHIVES,
        filter=filter,
        select=select,
        expand=(ARCHIVE_LINES,) if with_lines else (),
        orderby=("documentDate desc", "number desc"),
        top=top,
    )


async def fetch_archives(session: BCSession, query: Query) -> list[dict[str, Any]]:
    """The caller's archive rows for ``query``; none where the tenant has no archives."""
    try:
        return await session.fetch(scoped(query, session.scope))
    except (BCNotFound, CapabilityUnavailable):
        return []


async def load_archives(session: BCSession, numbers: Sequence[str]) -> list[list[dict[str, Any]]]:
    """For each order number, its archive rows (every version, lines expanded); ``[]`` for none."""
    wanted = unique(numbers)
    asked = set(wanted)
    found: dict[str, list[dict[str, Any]]] = defaultdict(list)
    chunks = [archive_query(any_of(Field("number"), chunk)) for chunk in chunked(wanted)]
    for rows in await asyncio.gather(*(fetch_archives(session, query) for query in chunks)):
        for row in rows:
            # A row for an order nobody asked for means BC dropped the filter: ignore it.
            if row.get("number") in asked:
                found[row["number"]].append(row)
    return [list(found.get(number, ())) for number in numbers]
