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
    SalesOrderArchive,
    SalesOrderArchiveLine,
    ScopedQuery,
    any_of,
    scoped,
)
from gateway.loaders.batching import chunked, unique

ARCHIVES = "salesOrderArchives"
ARCHIVE_LINES = Expand("salesOrderArchiveLines", select=SalesOrderArchiveLine.SELECT)


def archive_query(
    filter: Filter,
    *,
    select: tuple[str, ...] = SalesOrderArchive.SELECT,
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
    """The caller's archive rows for ``query`` as plain rows (a projection: the history's hints);
    none where the tenant has no archives."""
    try:
        return await session.fetch(scoped(query, session.scope))
    except (BCNotFound, CapabilityUnavailable):
        return []


async def load_archives(session: BCSession, numbers: Sequence[str]) -> list[list[SalesOrderArchive]]:
    """For each order number, its archives (every version, lines expanded); ``[]`` for none."""
    wanted = unique(numbers)
    asked = set(wanted)
    found: dict[str, list[SalesOrderArchive]] = defaultdict(list)

    def query_for(keys: Sequence[str]) -> ScopedQuery:
        return scoped(archive_query(any_of(Field("number"), keys)), session.scope)

    async def fetch(chunk: Sequence[str]) -> list[SalesOrderArchive]:
        try:
            # One answer kept per order number, as for the order's other documents.
            return await session.fetch_by_key(query_for, "number", chunk, model=SalesOrderArchive)
        except (BCNotFound, CapabilityUnavailable):
            return []

    for archives in await asyncio.gather(*(fetch(chunk) for chunk in chunked(wanted))):
        for archive in archives:
            # An archive of an order nobody asked for means BC dropped the filter: ignore it.
            if archive.number in asked:
                found[archive.number].append(archive)
    return [list(found.get(number, ())) for number in numbers]
