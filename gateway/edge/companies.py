"""Per-company facts that never change while the gateway runs, read from BC once they are known."""

from __future__ import annotations

import asyncio
from uuid import UUID

from gateway.bc import BCProtocolError, BCSession, Query


class LocalCurrencies:
    """The local currency code of each company (``generalLedgerSetup.localCurrencyCode``).

    Only a code BC actually gave is kept.  A company whose setup cannot be read (BC failing, no
    row, a blank code) is an error for the operation that asked — never an empty currency — and
    is read again by the next operation that needs it.
    """

    def __init__(self) -> None:
        self._codes: dict[UUID, str] = {}
        self._lock = asyncio.Lock()

    async def of(self, session: BCSession) -> str:
        company = session.scope.company_id
        if company in self._codes:
            return self._codes[company]
        async with self._lock:
            if company not in self._codes:
                self._codes[company] = await _read(session)
        return self._codes[company]


async def _read(session: BCSession) -> str:
    rows = await session.fetch(Query("generalLedgerSetup", select=("localCurrencyCode",)))
    code = rows[0].get("localCurrencyCode") if rows else None
    if not isinstance(code, str) or not code.strip():
        raise BCProtocolError("the company's general ledger setup names no local currency")
    return code
