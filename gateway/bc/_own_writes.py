"""Records the gateway wrote itself, remembered until BC's notification of them has come.

A customer's own write (``placeOrder``, ``reorder``, ``submitQuery``) makes that customer's
answers of what it changed stale at once (read-your-writes, ``BCSession.create``).  About 30 s
later BC notifies the very same change, and without more that notification would make the
answers the customer read since stale again although nothing changed after the write.  So when
the write's invalidation has reached the shared store, the record is remembered there with the
``lastModifiedDateTime`` BC answered the write with
(``answers:written:{company}:{entity set}:{id}``, ``WRITTEN_MEMORY_SECONDS``); a ``created`` or
``updated`` notification of that record whose ``lastModifiedDateTime`` is not later reports
nothing the write's invalidation did not cover: its **echo** (``OwnWrites.echoes``).  Anything
else — a later time, a record not remembered, a store that does not answer — is not an echo.
``docs/webhooks.md`` ("The gateway's own writes") has the reasoning, and why "not later" rather
than "equal": BC stamps a notification with the moment it registered the change, just before it
stamps the record.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from collections.abc import Mapping
from typing import Any, Final, Protocol
from uuid import UUID

from ._answer_policy import invalidated_by_change, invalidated_by_write

__all__ = ["WRITTEN_MEMORY_SECONDS", "OwnWrites", "echo_covered"]

LOGGER = logging.getLogger("gateway.bc.answers")

# BC sends a change 30 s after it (REFERENCE §3.8; later when its job queue is busy) and sends
# again 1 and 1 more minute after a delivery the gateway could not take (408, 429, 5xx): ten
# minutes cover those with room to spare.  Longer would buy nothing by default: an answer read
# after the write is kept at most 10 minutes (GATEWAY_CACHE_TTL_WITH_WEBHOOKS_SECONDS).  A
# notification that comes later still is not recognised and invalidates, as any other does.
WRITTEN_MEMORY_SECONDS: Final = 600.0


class WrittenValues(Protocol):
    async def get(self, key: str) -> bytes | None: ...
    async def put(self, key: str, value: bytes, *, ttl_seconds: float) -> None: ...


class WrittenStore(Protocol):
    """What remembering needs of the shared store (``gateway.store.Store`` is one)."""

    @property
    def kv(self) -> WrittenValues: ...


def echo_covered(entity_set: str) -> bool:
    """Whether the gateway's own write to ``entity_set`` makes stale at least what BC's
    notification of the record would (for its owner): only then may that notification be its
    echo.  Derived from the two tables of ``_answer_policy``, so they cannot drift apart.  Compared
    kind by kind (no record named): a write names its new record by the number BC answered it
    with, and the record's notification names the same record by the same number."""
    written = set(invalidated_by_write(entity_set))
    notified = set(invalidated_by_change(entity_set, owner_known=True))
    return bool(notified) and notified <= written


class OwnWrites:
    """The records this gateway (any replica) wrote in the last ``WRITTEN_MEMORY_SECONDS``, with
    the ``lastModifiedDateTime`` BC answered each write with.  ``stats``: ``remembered``,
    ``unremembered`` (the store did not answer, or BC's answer had no time), ``echo``,
    ``unrecognised`` (a lookup of a record not remembered, or notified later than written) and
    ``unavailable`` (a lookup the store did not answer)."""

    def __init__(self, store: WrittenStore, *, memory_seconds: float = WRITTEN_MEMORY_SECONDS) -> None:
        self._store = store
        self._memory_seconds = memory_seconds
        self.stats: Counter[str] = Counter()

    async def remember(self, company: UUID, entity_set: str, row: Mapping[str, Any]) -> None:
        """Remember ``row``, as BC answered the write of it, for a while.  Call only once the
        write's invalidation reached the shared store: every replica then reads the customer's
        answers anew, and the notification need not tell them."""
        record_id, written = row.get("id"), _moment(row.get("lastModifiedDateTime"))
        if not echo_covered(entity_set) or not isinstance(record_id, str) or written is None:
            self.stats["unremembered"] += 1
            return
        try:
            await self._store.kv.put(
                _key(company, entity_set, record_id),
                written.isoformat().encode(),
                ttl_seconds=self._memory_seconds,
            )
        except ConnectionError:
            self.stats["unremembered"] += 1  # its notification invalidates, as any other does
            LOGGER.warning("own_write_unremembered: the shared store did not answer")
            return
        self.stats["remembered"] += 1

    async def echoes(self, company: UUID, entity_set: str, record_id: str, notified: dt.datetime) -> bool:
        """Whether a ``created``/``updated`` notification of the record, stamped ``notified``,
        reports nothing after the gateway's own write of it: the record is remembered and the
        notification is not later than what BC answered the write with."""
        if not echo_covered(entity_set):
            return False
        try:
            raw = await self._store.kv.get(_key(company, entity_set, record_id))
        except ConnectionError:
            self.stats["unavailable"] += 1
            return False
        written = dt.datetime.fromisoformat(raw.decode()) if raw is not None else None
        if written is None or _utc(notified) > written:
            self.stats["unrecognised"] += 1
            return False
        self.stats["echo"] += 1
        return True


def _key(company: UUID, entity_set: str, record_id: str) -> str:
    return f"answers:written:{company}:{entity_set}:{record_id.lower()}"


def _moment(value: object) -> dt.datetime | None:
    """BC's ``Edm.DateTimeOffset`` text as a UTC time, or ``None`` when it is not one."""
    if not isinstance(value, str):
        return None
    try:
        return _utc(dt.datetime.fromisoformat(value.replace("Z", "+00:00")))
    except ValueError:
        return None


def _utc(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(dt.UTC) if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
