"""Company names for the ``companies`` query: BC's top-level ``companies``, read at most once a
few minutes (companies are renamed rarely, and the set holds no customer data)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from uuid import UUID

from gateway.bc import BCClient

REFRESH_SECONDS = 300.0


class CompanyNames:
    def __init__(self, client: BCClient, clock: Callable[[], float]) -> None:
        self._client = client
        self._clock = clock
        self._names: dict[UUID, str] = {}
        self._read_at: float | None = None
        self._lock = asyncio.Lock()

    async def get(self) -> dict[UUID, str]:
        async with self._lock:
            if self._read_at is None or self._clock() - self._read_at >= REFRESH_SECONDS:
                self._names = _names(await self._client.fetch_companies())
                self._read_at = self._clock()
        return self._names


def _names(rows: list[dict[str, object]]) -> dict[UUID, str]:
    names: dict[UUID, str] = {}
    for row in rows:
        try:
            names[UUID(str(row.get("id")))] = str(row.get("displayName") or row.get("name") or "")
        except ValueError:
            continue
    return names
