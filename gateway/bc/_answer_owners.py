"""Whose records the kept answers hold, learned from the rows the gateway reads.

BC's notification of a deleted record names its id and nothing else, and a deleted record has no
owner left to read: without more, the deletion would make every customer's answers of its kinds
stale (a sales order BC deletes once it is invoiced empties every customer's kept orders).  But a
record can be in a kept answer only if the gateway read it — under the scope of the customer who
owns it, since a customer-owned set is never read unscoped.  So when a scoped read of a set BC
notifies about (``OWNED_RECORDS``) is kept, its rows' ids are remembered with the customer number
each row carries (``answers:owner:{company}:{entity set}:{id}``): one store write per answer kept,
never per row and never on a hit.  ``docs/caching.md`` ("A deleted record's owner") gives the
reasoning, and why a record not found here still makes the change company-wide.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any, Final, Protocol
from uuid import UUID

from ._answer_policy import MAX_TTL_SECONDS
from ._owners import OWNED_RECORDS, RecordOwner

__all__ = ["OWNER_MEMORY_SECONDS", "AnswerOwners"]

LOGGER = logging.getLogger("gateway.bc.answers")

# Longer than any answer is kept (every time to live is at most MAX_TTL_SECONDS, and an entry is
# written after its answer was kept), with as much again for BC's notification to arrive late.
OWNER_MEMORY_SECONDS: Final = 2 * MAX_TTL_SECONDS


class OwnerValues(Protocol):
    async def get_many(self, keys: Sequence[str]) -> list[bytes | None]: ...
    async def put_many(self, values: Mapping[str, bytes], *, ttl_seconds: float) -> None: ...


class OwnerStore(Protocol):
    @property
    def kv(self) -> OwnerValues: ...


class AnswerOwners:
    """The owners of the records in kept answers, in the shared store (every replica's reads).

    ``stats`` counts ``learned`` (records remembered), ``recalled`` (owners found for a change),
    ``unavailable`` (a write or lookup the store did not answer: the change then goes company-wide).
    """

    def __init__(self, store: OwnerStore) -> None:
        self._store = store
        self.stats: Counter[str] = Counter()

    async def learn(
        self, company: UUID, route: str, entity_set: str, customer: str, rows: Sequence[Mapping[str, Any]]
    ) -> None:
        """Remember whose ``rows`` are: BC's rows of a read scoped to ``customer`` (a kept answer).

        The owner is the customer number BC wrote in each row, and only a row whose number is the
        read's own customer is remembered (the scope check dropped any other already)."""
        fields = OWNED_RECORDS.get((route, entity_set))
        if fields is None or fields.customer is None:
            return
        values: dict[str, bytes] = {}
        for row in rows:
            record_id, number = row.get("id"), row.get("number")
            if record_id is None or number is None or row.get(fields.customer) != customer:
                continue
            order = (row.get(fields.order) or None) if fields.order is not None else None
            owner = RecordOwner(str(record_id).lower(), str(number), customer, str(order) if order else None)
            values[self.key(company, entity_set, owner.record_id)] = owner.encode()
        if not values:
            return
        try:
            await self._store.kv.put_many(values, ttl_seconds=OWNER_MEMORY_SECONDS)
        except ConnectionError:
            # Not remembered: a later deletion of these records is company-wide, as without this.
            self._unavailable("remember")
            return
        self.stats["learned"] += len(values)

    async def recall(
        self, company: UUID, entity_set: str, record_ids: Sequence[str]
    ) -> dict[str, RecordOwner]:
        """record id → its owner, for the ids a kept answer's read remembered."""
        ids = list(dict.fromkeys(record_id.lower() for record_id in record_ids))
        if not ids:
            return {}
        try:
            values = await self._store.kv.get_many([self.key(company, entity_set, i) for i in ids])
        except ConnectionError:
            self._unavailable("recall")
            return {}
        found = {
            record_id: RecordOwner.decode(value)
            for record_id, value in zip(ids, values, strict=True)
            if value is not None
        }
        self.stats["recalled"] += len(found)
        return found

    @staticmethod
    def key(company: UUID, entity_set: str, record_id: str) -> str:
        """Where the owner of ``record_id`` is remembered in the shared store."""
        return f"answers:owner:{company}:{entity_set}:{record_id.lower()}"

    def _unavailable(self, doing: str) -> None:
        self.stats["unavailable"] += 1
        LOGGER.warning("answer_owners_unavailable", extra={"doing": doing})
