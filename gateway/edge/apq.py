"""The documents registered through APQ, shared by every replica through the store's ``kv``.

A hash registered on one replica runs on all of them.  A document is only registered after it
passed the edge's checks (it parses, validates and is within the limits), it is kept
``ttl_seconds``, and a fleet registers at most ``max_per_day`` new documents per day (a counter
per UTC day), so a customer inventing documents cannot fill Redis; past that, documents still run
when sent in full.  Hashes name their document, so what was found once is kept in a small local
cache too: no round trip for the operations a front end sends all day.

When the store cannot be reached a hash this replica has not seen answers
``PersistedQueryNotFound``, and the client sends the full document, as the APQ protocol has it;
nothing is registered meanwhile.
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Final

from gateway.store import KeyValue, StoreUnavailable

LOGGER = logging.getLogger("gateway.edge.apq")
DEFAULT_TTL_SECONDS: Final = 24 * 3600.0
DEFAULT_MAX_PER_DAY: Final = 10_000
_DAY: Final = 86_400
_LOCAL_ENTRIES: Final = 1_000


class RegisteredDocuments:
    """``get``/``register`` by SHA-256 hex digest; ``wall_clock`` (Unix seconds) names the day."""

    def __init__(
        self,
        kv: KeyValue,
        *,
        ttl_seconds: float = DEFAULT_TTL_SECONDS,
        max_per_day: int = DEFAULT_MAX_PER_DAY,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self._kv = kv
        self._ttl = ttl_seconds
        self._max_per_day = max_per_day
        self._wall_clock = wall_clock
        self._seen: OrderedDict[str, str] = OrderedDict()

    async def get(self, digest: str) -> str | None:
        document = self._seen.get(digest)
        if document is None:
            try:
                stored = await self._kv.get(_name(digest))
            except StoreUnavailable:
                return None  # the client resends the document in full
            if stored is None:
                return None
            document = stored.decode()
        self._remember(digest, document)
        return document

    async def register(self, digest: str, document: str) -> None:
        """Register a checked ``document`` under its ``digest`` for every replica (best effort)."""
        if digest in self._seen:
            return
        try:
            day = int(self._wall_clock()) // _DAY
            count = await self._kv.increment(f"apq:registered:{day}", ttl_seconds=2 * _DAY)
            if count > self._max_per_day:
                LOGGER.warning("apq_registrations_capped", extra={"max_per_day": self._max_per_day})
                return
            await self._kv.put(_name(digest), document.encode(), ttl_seconds=self._ttl)
        except StoreUnavailable:
            return  # not shared this time: the client resends the document where it is missing
        self._remember(digest, document)

    def _remember(self, digest: str, document: str) -> None:
        self._seen[digest] = document
        self._seen.move_to_end(digest)
        while len(self._seen) > _LOCAL_ENTRIES:
            self._seen.popitem(last=False)


def _name(digest: str) -> str:
    return f"apq:{digest}"
