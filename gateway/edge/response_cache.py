"""Whole responses to queries, kept while every BC answer they were built from is current.

A query's ``data`` is a function of the BC answers it read (kept by the answer cache,
``gateway/bc/_answers.py``) and of what the request says: who asks, which document, which
operation, which variables.  So a query whose every read was served from a kept (or just kept)
answer, and that ended without errors, is kept as its serialized ``data`` together with its
**sources**: the generations of those answers, the oldest fetched-at time and the earliest
expiry.  The next identical request is answered from it — no GraphQL execution, no BC request
— while every generation is unchanged (one store round trip: a customer's own write and BC's
change events replace them) and the earliest expiry has not passed.  ``docs/caching.md``.

The key is the request's **requester** (company and customer from the verified token, the
token's memberships, roles and scopes, the origin download links are signed for, and today's
date), the document's hash (however it arrived: sent, APQ, persisted), the operation's name and
the canonical variables and extensions.  Never a mutation, never a subscription (the edge asks
only for queries).

Entries live in this process (least recently used out beyond ``memory_bytes``) and, with Redis,
in the shared store as well, each expiring with its earliest source, so replicas share them.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import time
from collections import Counter, OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Final, Protocol

from gateway.auth import Identity, Membership
from gateway.bc import AnswerCache, AnswerSource
from gateway.edge.gate import CheckedOperation, canonical_json

__all__ = ["KeptResponse", "ResponseCache", "merged_sources", "requester_of"]

_VERSION: Final = 1
_PREFIX: Final = "responses:"


class ResponseValues(Protocol):
    async def get(self, key: str) -> bytes | None: ...
    async def put(self, key: str, value: bytes, *, ttl_seconds: float) -> None: ...


class ResponseStore(Protocol):
    """What the response cache needs of the shared store (``gateway.store.Store`` is one)."""

    @property
    def kv(self) -> ResponseValues: ...
    @property
    def replicated(self) -> bool: ...


class LookupRecorder(Protocol):
    def record_response_lookup(self, result: str) -> None: ...


@dataclass(frozen=True)
class KeptResponse:
    """A query's serialized ``data`` and what it stands on (wall-clock seconds)."""

    data: bytes
    generations: Mapping[str, str]
    fetched_at: float
    expires_at: float

    def encode(self) -> bytes:
        head = {"v": _VERSION, "gens": self.generations, "at": self.fetched_at, "until": self.expires_at}
        return json.dumps(head, separators=(",", ":")).encode() + b"\n" + self.data

    @classmethod
    def decode(cls, raw: bytes) -> KeptResponse | None:
        """``None`` for bytes this version did not write."""
        head_bytes, _, data = raw.partition(b"\n")
        try:
            head = json.loads(head_bytes)
            if head.get("v") != _VERSION:
                return None
            return cls(data, dict(head["gens"]), float(head["at"]), float(head["until"]))
        except (ValueError, TypeError, KeyError, AttributeError):
            return None


def requester_of(identity: Identity, membership: Membership, *, base_url: str, today: date) -> str:
    """Everything of the request, besides the operation, that a query's answer may depend on.

    The company and the customer (every resolver reads them); the identity's memberships (the
    ``companies`` query lists them); its roles and scopes (no query reads them today — only
    mutations' permission checks do — but one that does must never share an answer across
    them); the origin download links are signed under; the date (``isOverdue``,
    ``daysOverdue``, history windows).  Not the subject: two people of one customer with the
    same rights see the same answers (no query reads who they are).
    """
    parts = [
        str(membership.company_id),
        membership.customer_number,
        sorted(f"{m.company_id}/{m.customer_number}" for m in identity.memberships),
        sorted(identity.roles),
        sorted(identity.scopes),
        base_url,
        today.isoformat(),
    ]
    return json.dumps(parts, separators=(",", ":"))


def merged_sources(sources: Sequence[AnswerSource]) -> tuple[dict[str, str], float, float] | None:
    """The generations, oldest fetched-at and earliest expiry of ``sources``; ``None`` when two
    sources saw one generation key at different values (a write in between: not one moment)."""
    generations: dict[str, str] = {}
    for source in sources:
        for name, value in source.generations:
            if generations.setdefault(name, value) != value:
                return None
    fetched = min(source.fetched_at for source in sources)
    return generations, fetched, min(source.expires_at for source in sources)


class ResponseCache:
    """One per app, beside the answer cache it is built on; ``stats`` counts hit, miss, stale.

    ``namespace`` names what else shapes an answer (the schema, the portal policy): replicas
    that differ in it (a rolling deploy) never share a response."""

    def __init__(
        self,
        answers: AnswerCache,
        store: ResponseStore,
        *,
        memory_bytes: int,
        wall_clock: Callable[[], float] = time.time,
        recorder: LookupRecorder | None = None,
        namespace: str = "",
    ) -> None:
        self._namespace = namespace
        self._answers = answers
        self._store = store
        self._clock = wall_clock
        self._recorder = recorder
        self._memory: OrderedDict[str, KeptResponse] = OrderedDict()
        self._memory_bytes = memory_bytes
        self._held_bytes = 0
        self.stats: Counter[str] = Counter()

    def key(self, requester: str, operation: CheckedOperation) -> str:
        """The entry of ``operation`` for ``requester`` (``requester_of``)."""
        parts = [
            self._namespace,
            requester,
            operation.document_hash,
            operation.name or "",
            operation.variables_key,
            canonical_json(operation.extensions),
        ]
        digest = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:40]
        return f"{_PREFIX}{digest}"

    async def lookup(self, key: str) -> tuple[bytes, float] | None:
        """The kept ``data`` and its age in seconds, while it is current; else ``None``."""
        entry = self._memory.get(key)
        in_memory = entry is not None
        try:
            if entry is None and self._store.replicated:
                raw = await self._store.kv.get(key)
                entry = KeptResponse.decode(raw) if raw is not None else None
            now = self._clock()
            current = (
                entry is not None
                and entry.expires_at > now
                and await self._answers.still_current(entry.generations)
            )
        except ConnectionError:
            current = False  # the store cannot say what is current: execute
            entry = None
        if entry is None or not current:
            self._forget(key)
            self._count("miss" if entry is None else "stale")
            return None
        if in_memory:
            self._memory.move_to_end(key)
        else:
            self._remember(key, entry)
        self._count("hit")
        return entry.data, max(0.0, now - entry.fetched_at)

    async def keep(
        self, key: str, data: bytes, sources: Sequence[AnswerSource], *, until: float | None = None
    ) -> None:
        """Keep ``data`` built from ``sources`` (at most until ``until``, when given)."""
        merged = merged_sources(sources) if sources else None
        if merged is None:
            return
        generations, fetched_at, expires_at = merged
        if until is not None:
            expires_at = min(expires_at, until)
        remaining = expires_at - self._clock()
        if remaining <= 0:
            return
        entry = KeptResponse(data, generations, fetched_at, expires_at)
        self._remember(key, entry)
        if self._store.replicated:
            with contextlib.suppress(ConnectionError):  # then kept in this replica only
                await self._store.kv.put(key, entry.encode(), ttl_seconds=remaining)

    @property
    def kept_in_memory(self) -> int:
        return len(self._memory)

    def _remember(self, key: str, entry: KeptResponse) -> None:
        size = len(entry.data) + len(key)
        if size > self._memory_bytes:
            return
        self._forget(key)
        self._memory[key] = entry
        self._held_bytes += size
        while self._held_bytes > self._memory_bytes:
            old_key, old = self._memory.popitem(last=False)
            self._held_bytes -= len(old.data) + len(old_key)

    def _forget(self, key: str) -> None:
        old = self._memory.pop(key, None)
        if old is not None:
            self._held_bytes -= len(old.data) + len(key)

    def _count(self, result: str) -> None:
        self.stats[result] += 1
        if self._recorder is not None:
            self._recorder.record_response_lookup(result)
