"""Company names for the ``companies`` query: BC's top-level ``companies``, read at most once a
few minutes for the whole fleet (companies are renamed rarely, and the set holds no customer
data)."""

from __future__ import annotations

import json
from uuid import UUID

from gateway.bc import BCClient
from gateway.edge.shared_facts import SharedFacts

REFRESH_SECONDS = 300.0
FACT = "companies:names"


class CompanyNames:
    def __init__(self, client: BCClient, facts: SharedFacts) -> None:
        self._client = client
        self._facts = facts

    async def get(self) -> dict[UUID, str]:
        stored = json.loads(await self._facts.get(FACT, self._read))
        return {UUID(company): name for company, name in stored.items()}

    async def _read(self) -> bytes:
        names = _names(await self._client.fetch_companies())
        return json.dumps({str(company): name for company, name in names.items()}).encode()


def _names(rows: list[dict[str, object]]) -> dict[UUID, str]:
    names: dict[UUID, str] = {}
    for row in rows:
        try:
            names[UUID(str(row.get("id")))] = str(row.get("displayName") or row.get("name") or "")
        except ValueError:
            continue
    return names
