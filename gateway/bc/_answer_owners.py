"""Whose records the kept answers hold, learned from the rows the gateway reads.

BC's notification of a deleted record names its id and nothing else, and a deleted record has no
owner left to read: without more, the deletion would make every customer's answers of its kinds
stale (a sales order BC deletes once it is invoiced empties every customer's kept orders).  But a
record can be in a kept answer only if the gateway read it — under the scope of the customer who
owns it, since a customer-owned set is never read unscoped.  So before a scoped read of a set BC
notifies about (``OWNED_RECORDS``) is kept, its rows' ids are remembered with the customer number
each row carries (``answers:owner:{company}:{entity set}:{id}``): one store write per answer kept,
never per row and never on a hit; an answer whose owners could not be written is not kept.

That makes a missing entry proof that no kept answer holds the record, so its deletion makes
nobody's answers stale — as long as no entry was lost.  Entries outlive the answers they cover
(``OWNER_MEMORY_SECONDS``); a store that may have lost one (Redis evicted a key or restarted:
``KeyValue.losses``) is caught by the **owners generation**, which every customer's answer is read
under: it records the store's loss mark when it was made, and the first lookup that finds an
entry missing under another mark replaces it, so every answer read before is read from BC again.
A deletion racing a read in flight leaves a tombstone that the read finds before its answer is
kept.  ``docs/caching.md`` ("A deleted record's owner") gives the reasoning.
"""

from __future__ import annotations

import logging
import uuid
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final, Protocol
from uuid import UUID

from ._answer_policy import GENERATION_TTL_SECONDS, MAX_TTL_SECONDS
from ._owners import OWNED_RECORDS, OwnerFields, RecordOwner

__all__ = ["OWNERS_GENERATION", "OWNER_MEMORY_SECONDS", "AnswerOwners", "Recalled"]

LOGGER = logging.getLogger("gateway.bc.answers")

# Longer than any answer is kept (every time to live is at most MAX_TTL_SECONDS, and an entry is
# written before its answer is kept), with as much again for BC's notification to arrive late.
OWNER_MEMORY_SECONDS: Final = 2 * MAX_TTL_SECONDS
# A generation every answer of a customer-owned kind is read under (``ReadKey.generation_keys``):
# "<the store's loss mark>|<token>".  Replaced when the store may have lost an owner entry.
OWNERS_GENERATION: Final = "answers:gen:owners"
# Entity set → where its records name their owner (the sets BC notifies about; each set is on
# one route, and whichever route a kept answer read it through, its records are remembered).
_OWNED_SETS: Final[Mapping[str, OwnerFields]] = {
    entity_set: fields for (_, entity_set), fields in OWNED_RECORDS.items() if fields.customer is not None
}


class OwnerValues(Protocol):
    async def get(self, key: str) -> bytes | None: ...
    async def get_many(self, keys: Sequence[str]) -> list[bytes | None]: ...
    async def put(self, key: str, value: bytes, *, ttl_seconds: float) -> None: ...
    async def put_many(self, values: Mapping[str, bytes], *, ttl_seconds: float) -> None: ...
    async def claim(self, key: str, value: bytes, *, ttl_seconds: float) -> bytes | None: ...
    async def losses(self) -> str: ...


class OwnerStore(Protocol):
    @property
    def kv(self) -> OwnerValues: ...


@dataclass(frozen=True)
class Recalled:
    """The owners a lookup found (record id → owner) and whether the others are proven to be in
    no kept answer (``complete``): not when the store did not answer or may have lost entries."""

    owners: dict[str, RecordOwner]
    complete: bool


def owners_generation(losses: str) -> bytes:
    """A new value of ``OWNERS_GENERATION``, made while the store's loss mark is ``losses``."""
    return f"{losses}|{uuid.uuid4().hex}".encode()


class AnswerOwners:
    """The owners of the records in kept answers, in the shared store (every replica's reads).

    ``stats`` counts ``learned`` (records remembered), ``recalled`` (owners found for a change),
    ``unread`` (records a lookup proved no kept answer holds), ``outdated`` (answers not kept: a
    record in them was deleted while they were read), ``unnamed`` (answers not kept: a row without
    an id), ``lost`` (lookups that found the store may have lost entries: every answer is read
    again) and ``unavailable`` (a write or lookup the store did not answer).
    """

    def __init__(self, store: OwnerStore) -> None:
        self._store = store
        self.stats: Counter[str] = Counter()

    async def learn(
        self, company: UUID, entity_set: str, customer: str, rows: Sequence[Mapping[str, Any]]
    ) -> bool:
        """Remember whose ``rows`` are — BC's rows of a read scoped to ``customer`` — before they
        are kept; ``False`` when the answer must not be kept: a row the gateway cannot name, the
        store not answering, or a record deleted since BC read it (its tombstone).

        The owner is the read's customer, and every row must carry that customer's number (the
        scope check has dropped any other row already)."""
        fields = _OWNED_SETS.get(entity_set)
        if fields is None or fields.customer is None:
            return True
        values: dict[str, bytes] = {}
        where = self.key(company, entity_set, "")  # each record's key is this and its id
        for row in rows:
            record_id = row.get("id")
            if record_id is None or row.get(fields.customer) != customer:
                self.stats["unnamed"] += 1
                return False  # kept, it would hold a record its deletion could not be traced to
            number = row.get("number")
            order = (row.get(fields.order) or None) if fields.order is not None else None
            owner = RecordOwner(
                str(record_id).lower(),
                str(number) if number is not None else None,
                customer,
                str(order) if order else None,
            )
            values[where + owner.record_id] = owner.encode()
        if not values:
            return True
        try:
            # The owners first, the tombstones after: a deletion writes its tombstone first and
            # reads the owners after, so one of the two sees the other (docs/caching.md).
            await self._store.kv.put_many(values, ttl_seconds=OWNER_MEMORY_SECONDS)
            gone = await self._store.kv.get_many([_tombstone(key) for key in values])
        except ConnectionError:
            self._unavailable("remember")
            return False
        if any(mark is not None for mark in gone):
            self.stats["outdated"] += 1
            return False
        self.stats["learned"] += len(values)
        return True

    async def recall(self, company: UUID, entity_set: str, record_ids: Sequence[str]) -> Recalled:
        """The owners of records BC can no longer tell the owner of (deleted, or gone before the
        owner read): record id → owner, for those a kept answer's read remembered."""
        ids = list(dict.fromkeys(record_id.lower() for record_id in record_ids))
        if not ids:
            return Recalled({}, complete=True)
        keys = [self.key(company, entity_set, i) for i in ids]
        kv = self._store.kv
        try:
            await kv.put_many({_tombstone(key): b"1" for key in keys}, ttl_seconds=OWNER_MEMORY_SECONDS)
            values = await kv.get_many(keys)
            found = {
                record_id: RecordOwner.decode(value)
                for record_id, value in zip(ids, values, strict=True)
                if value is not None
            }
            complete = len(found) == len(ids) or await self._nothing_lost(kv)
        except ConnectionError:
            self._unavailable("recall")
            return Recalled({}, complete=False)
        self.stats["recalled"] += len(found)
        if complete:
            self.stats["unread"] += len(ids) - len(found)
        return Recalled(found, complete)

    async def _nothing_lost(self, kv: OwnerValues) -> bool:
        """Whether the store has lost nothing since the owners generation was made; if it may
        have, a new one (every answer read under the old one is read again) and ``False``.

        The mark is read after the entries were: a loss before that read moves it."""
        losses = await kv.losses()
        current = await kv.get(OWNERS_GENERATION)
        if current is None:
            # Never made, or lost: no answer kept so far is read under the one made now.
            made = owners_generation(losses)
            current = await kv.claim(OWNERS_GENERATION, made, ttl_seconds=GENERATION_TTL_SECONDS) or made
        if current.decode().partition("|")[0] == losses:
            return True
        await kv.put(OWNERS_GENERATION, owners_generation(losses), ttl_seconds=GENERATION_TTL_SECONDS)
        self.stats["lost"] += 1
        LOGGER.warning(
            "answer_owners_lost: the shared store may have lost owner entries; every answer is read again"
        )
        return False

    @staticmethod
    def key(company: UUID, entity_set: str, record_id: str) -> str:
        """Where the owner of ``record_id`` is remembered in the shared store."""
        return f"answers:owner:{company}:{entity_set}:{record_id.lower()}"

    def _unavailable(self, doing: str) -> None:
        self.stats["unavailable"] += 1
        LOGGER.warning("answer_owners_unavailable", extra={"doing": doing})


def _tombstone(owner_key: str) -> str:
    """Where a deletion no kept answer was known to hold is marked, for reads still in flight."""
    return f"{owner_key}:gone"
