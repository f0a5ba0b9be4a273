"""Per-company facts that practically never change, read from BC once for the whole fleet."""

from __future__ import annotations

from uuid import UUID

from gateway.bc import BCProtocolError, BCSession, Query
from gateway.edge.shared_facts import SharedFacts

KEEP_SECONDS = 24 * 3600.0


class LocalCurrencies:
    """The local currency code of each company (``generalLedgerSetup.localCurrencyCode``).

    Only a code BC actually gave is kept.  A company whose setup cannot be read (BC failing, no
    row, a blank code) is an error for the operation that asked — never an empty currency — and
    is read again by the next operation that needs it.
    """

    def __init__(self, facts: SharedFacts) -> None:
        self._facts = facts

    async def of(self, session: BCSession) -> str:
        async def read() -> bytes:
            return (await _read(session)).encode()

        code = await self._facts.get(_name(session.scope.company_id), read)
        return code.decode()

    def known(self, company_id: UUID) -> str | None:
        """The company's local currency code if this process holds it fresh now (no I/O)."""
        code = self._facts.held(_name(company_id))
        return code.decode() if code is not None else None


def _name(company_id: UUID) -> str:
    return f"companies:{company_id}:currency"


async def _read(session: BCSession) -> str:
    rows = await session.fetch(Query("generalLedgerSetup", select=("localCurrencyCode",)))
    code = rows[0].get("localCurrencyCode") if rows else None
    if not isinstance(code, str) or not code.strip():
        raise BCProtocolError("the company's general ledger setup names no local currency")
    return code
