"""Per-company facts that never change while the gateway runs, read from BC once."""

from __future__ import annotations

import asyncio
from uuid import UUID

from gateway.bc import BCSession, Query


class LocalCurrencies:
    """The local currency code of each company (``generalLedgerSetup.localCurrencyCode``)."""

    def __init__(self) -> None:
        self._codes: dict[UUID, str] = {}
        self._lock = asyncio.Lock()

    async def of(self, session: BCSession) -> str:
        company = session.scope.company_id
        if company in self._codes:
            return self._codes[company]
        async with self._lock:
            if company not in self._codes:
                rows = await session.fetch(Query("generalLedgerSetup", select=("localCurrencyCode",)))
                self._codes[company] = str(rows[0]["localCurrencyCode"]) if rows else ""
        return self._codes[company]
