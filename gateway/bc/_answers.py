"""A cache of BC's answers to reads, keyed by company, customer and the exact OData request.

``BCSession.fetch`` asks :meth:`AnswerCache.read` with the read's :class:`ReadKey` and a way to
read BC; the answer (the rows BC sent, checked against the customer's scope) comes from memory,
from the shared store, from a read another request already has in flight, or from BC.  What may
be kept, for whom and how long is ``_answer_policy``; ``docs/caching.md`` has the design.

Invalidation is by generations: each (company, customer, kind of data) and each (company, kind)
has one, a token in the shared store that every write replaces; and an answer read by a record's
key (an order by number, its documents by order number: ``KEYED_READS``) is read under that
record's generation instead of the customer's lists', so a change of one order leaves the other
orders' answers kept.  An answer remembers the generations it was read under and is served only
while they are still current, so a write on one replica invalidates the answers of every replica
at once, at the price of one small read per lookup.  While the store cannot be reached, reads go
to BC (and writes remember their invalidations until it answers again).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import time
import uuid
from collections import Counter, OrderedDict
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Final, Protocol
from uuid import UUID

from ._answer_codec import StoredAnswer, UnencodableAnswer, decode_answer, encode_answer
from ._answer_fills import POLL_SECONDS, FillNotices
from ._answer_generations import Generations, generation_key, record_generation_key, records_generation_key
from ._answer_keys import ReadKey
from ._answer_memory import MemoryAnswers
from ._answer_misses import Miss, explaining, log_forgotten, why_missed
from ._answer_owners import AnswerOwners
from ._answer_policy import CacheSettings, DataKind, Stale, invalidated_by_change
from ._answer_store import AnswerStore
from ._entity import Entity
from ._own_writes import OwnWrites

__all__ = ["Answer", "AnswerCache", "AnswerSource", "Coverage"]

LOGGER = logging.getLogger("gateway.bc.answers")
Rows = list[dict[str, Any]]
Produce = Callable[[], Awaitable[Rows]]
# Whether rows just read may be kept: their owners remembered (``AnswerOwners.learn``).
Holds = Callable[[Rows], Awaitable[bool]]
# The rows of the keys at the given places, one list per place, and whether they may be kept as
# each key's answer (exactly each key's rows, their owners remembered); else they are not kept.
ProduceByKey = Callable[[list[int]], Awaitable[tuple[list[Rows], bool]]]
_WARN_EVERY_SECONDS: Final = 60.0
# Reads of several keys whose keys this process remembers (a few hundred bytes each).
_WHOLES_REMEMBERED: Final = 20_000


@dataclass(frozen=True)
class AnswerSource:
    """What a kept (or just kept) answer stands on: the generations it was read under, when BC
    gave it and until when it may be served (wall-clock seconds).  A result built from answers
    (a whole GraphQL response) is as good as its sources: see :meth:`AnswerCache.still_current`."""

    generations: tuple[tuple[str, str], ...]  # (generation key, generation) pairs
    fetched_at: float
    expires_at: float


@dataclass(frozen=True)
class Answer:
    """The rows of a read (plain, or as the model asked for); ``kept``: they were read from BC
    before this read (for another request, or this one's before) and are ``age`` seconds old.
    ``source`` is ``None`` when the answer was not kept (the store did not answer, or the read
    it waited for failed).  ``missed``: why it was read from BC, for an answer that was not
    served kept (``_answer_misses``).  The list is shared with other readers of the answer: copy
    it before changing it."""

    rows: Sequence[Any]
    age: float = 0.0
    kept: bool = False
    source: AnswerSource | None = None
    missed: Miss | None = None


_SERVED_WITHOUT_BC: Final = frozenset({"hit", "joined"})


class Coverage(Protocol):
    """Whether BC's webhooks report every change of a kind of data now (``gateway/webhooks``)."""

    def covered_since(self, company: UUID, kind: DataKind, *, keyed: bool = False) -> float | None:
        """The wall-clock time since which BC has notified, without a gap, every change that makes
        ``company``'s answers of ``kind`` (``keyed``: those read by a record's key) stale;
        ``None`` when it does not now."""


class LookupRecorder(Protocol):
    """Where each lookup is counted as a hit or a miss (``gateway.telemetry.Metrics`` is one)."""

    def record_lookup(self, cache: str, *, hit: bool, count: int = 1) -> None: ...


class AnswerCache:
    """One per app (opened in its lifespan); ``stats`` counts what happened, per kind of data;
    ``owners`` remembers whose records the kept answers hold (``_answer_owners``).

    ``wall_clock`` dates answers (replicas compare ages, so it is the wall clock); ``new_token``
    makes generation tokens; ``recorder`` hears of each lookup as ``answers.<kind>``: a hit when
    it was served kept or joined a read in flight, a miss when it went to BC.
    """

    def __init__(
        self,
        settings: CacheSettings,
        store: AnswerStore,
        *,
        wall_clock: Callable[[], float] = time.time,
        new_token: Callable[[], str] = lambda: uuid.uuid4().hex,
        recorder: LookupRecorder | None = None,
    ) -> None:
        self.settings = settings
        self._recorder = recorder
        self.stats: Counter[tuple[str, str]] = Counter()  # (kind, outcome) → count
        self._store = store
        self._clock = wall_clock
        self._new_token = new_token
        self._memory = MemoryAnswers(settings.memory_rows)
        self._flights: dict[tuple[str, tuple[str, ...]], asyncio.Future[StoredAnswer]] = {}
        self._generations = Generations(store, new_token)
        self._notices = FillNotices(store.channels) if store.replicated else None
        self._warned_at = -_WARN_EVERY_SECONDS
        self._coverage: Coverage | None = None
        self.owners = AnswerOwners(store)
        self.own_writes = OwnWrites(store)  # the gateway's own writes, for their echoes
        # Reads by key (``read_by_key``): the keys (digest, record) of each read of several keys.
        self._wholes: OrderedDict[str, tuple[tuple[str, str | None], ...]] = OrderedDict()

    def follow(self, coverage: Coverage) -> None:
        """Keep answers of the kinds ``coverage`` reports on for ``with_webhooks_ttl`` while it
        does: BC's notifications, not the time to live, then say when they are stale."""
        self._coverage = coverage

    async def read(
        self, key: ReadKey, produce: Produce, model: type[Entity] | None = None, *, holds: Holds | None = None
    ) -> Answer:
        """The answer to ``key``: kept while its generations are current and it is younger than
        its kind's time to live; otherwise read once (``produce``), however many ask at once.

        With ``model``, the rows come as ``model`` instances, decoded once per kept answer: every
        later reader shares them (they are frozen).  ``holds`` is asked, before rows read from BC
        are kept, whether they may be (their owners remembered); when not, they serve this read
        only, and the reads waiting for it read BC on their own."""
        try:
            await self._generations.replace_pending()
            generations = await self._generations.current(key.generation_keys)
        except ConnectionError:
            self._unavailable()
            self._count(key, "bypass")
            return Answer(_decode(await produce(), model))
        kept = self._memory.get(key.storage)
        if kept is not None and self._current(key, kept, generations):
            self._count(key, "hit")
            return self._kept(key, kept, model)
        flight = (key.storage, generations)
        running = self._flights.get(flight)
        if running is not None:
            joined = await self._join(running)
            if joined is not None:
                self._count(key, "joined")
                return self._kept(key, joined, model)
            return Answer(_decode(await produce(), model))  # the first reader failed: read on our own
        future: asyncio.Future[StoredAnswer] = asyncio.get_running_loop().create_future()
        self._flights[flight] = future
        try:
            stored, was_kept, keepable = await self._fill(key, generations, produce, holds)
        except asyncio.CancelledError:
            future.cancel()  # its waiters read on their own
            raise
        except BaseException as error:
            future.set_exception(error)
            future.exception()  # its waiters read on their own; nothing is left unretrieved
            raise
        finally:
            del self._flights[flight]
        missed = why_missed(key.digest, key.generation_keys, kept, generations) if explaining() else None
        if not keepable:
            future.cancel()  # its waiters read on their own
            return Answer(_decode(stored.rows, model), missed=missed)
        future.set_result(stored)
        if was_kept:
            return self._kept(key, stored, model)
        return Answer(self._decoded(key, stored, model), source=self._source(key, stored), missed=missed)

    async def kept(self, key: ReadKey, model: type[Entity] | None = None) -> Answer | None:
        """The answer to ``key`` when one is kept and current (in memory, else in the shared
        store), else ``None``: nothing is read from BC, no read in flight is waited for and no
        read is claimed — for a read that is worth making only if it costs BC nothing.  A miss
        counts nothing (the read that follows it, if any, does); a store that does not answer is
        nothing kept."""
        try:
            await self._generations.replace_pending()
            generations = await self._generations.current(key.generation_keys)
            kept = self._memory.get(key.storage)
            if (kept is None or not self._current(key, kept, generations)) and self._store.replicated:
                kept = await self._stored(key, generations)
        except ConnectionError:
            self._unavailable()
            return None
        if kept is None or not self._current(key, kept, generations):
            return None
        self._count(key, "hit")
        return self._kept(key, kept, model)

    async def read_by_key(
        self,
        whole: ReadKey,
        keys: Callable[[], Sequence[ReadKey]],
        produce: ProduceByKey,
        model: type[Entity] | None = None,
    ) -> list[Answer]:
        """The answer to a read of many keys (``whole``: ``f eq k1 or f eq k2 …``), kept one
        answer per key (``keys()``: each the read of ``f eq k`` alone, of the same company, owner
        and kind): a key read before — alone, or among other keys by any read — is served kept
        while its generations are current, and the rest are read from BC by one read
        (``produce``, given their places), each key's rows kept as that key's own answer.  This
        process remembers which keys ``whole`` was, so the same read again finds them without
        working out each key's read.  docs/caching.md, "One answer per key".

        A key being read from BC right now, by another read by key or by its own read, is not
        read again: this read waits for that one (singleflight, key by key)."""
        each: Sequence[ReadKey] = ()
        try:
            await self._generations.replace_pending()
            remembered = self._wholes.get(whole.storage)
            values: dict[str, str] = {}
            if remembered is not None:
                self._wholes.move_to_end(whole.storage)
                known = [
                    ReadKey(digest, whole.company, whole.customer, whole.kind, record)
                    for digest, record in remembered
                ]
                values = await self._generations.values(_names_of(known))
                served = self._all_kept(whole, known, values, model)
                if served is not None:
                    return served
            each = _of_one_kind(whole, keys())
            unread = [name for name in _names_of(each) if name not in values]
            if unread:
                values |= await self._generations.values(unread)
            generations = [tuple(values[name] for name in key.generation_keys) for key in each]
            kept = await self._kept_by_key(each, generations)
        except ConnectionError:
            self._unavailable()
            each = each or _of_one_kind(whole, keys())
            for key in each:
                self._count(key, "bypass")
            rows, _ = await produce(list(range(len(each))))
            return [Answer(_decode(part, model)) for part in rows]
        answers = [
            self._kept(key, stored, model) if stored is not None else None
            for key, stored in zip(each, kept, strict=True)
        ]
        missing = [place for place, stored in enumerate(kept) if stored is None]
        if len(missing) < len(each):
            self._count(whole, "hit", len(each) - len(missing))
        running = {place: self._flights.get((each[place].storage, generations[place])) for place in missing}
        ours = [place for place in missing if running[place] is None]
        exact = await self._read_keys(each, ours, generations, produce, model, answers) if ours else True
        unserved: list[int] = []
        for place in missing:
            flight = running[place]
            if flight is None:
                continue
            joined = await self._join(flight)
            if joined is None:
                unserved.append(place)  # the read it joined failed or was not kept: read it here
            else:
                self._count(each[place], "joined")
                answers[place] = self._kept(each[place], joined, model)
        if unserved:
            exact = await self._read_keys(each, unserved, generations, produce, model, answers) and exact
        if exact:
            self._remember_whole(whole, each)
        return [answer for answer in answers if answer is not None]

    async def _read_keys(
        self,
        each: Sequence[ReadKey],
        places: list[int],
        generations: Sequence[tuple[str, ...]],
        produce: ProduceByKey,
        model: type[Entity] | None,
        answers: list[Answer | None],
    ) -> bool:
        """The keys at ``places`` read from BC by one read, into ``answers``; each kept as its own
        answer (under its own ``generations``) unless the rows could not be told apart by key
        (then ``False``).  While the read is in flight, an identical read of any of these keys
        (here, by key or alone) joins it."""
        loop = asyncio.get_running_loop()
        flights = {(each[place].storage, generations[place]): loop.create_future() for place in places}
        futures = [flights[(each[place].storage, generations[place])] for place in places]
        self._flights.update(flights)
        # Why each is read from BC (the answer kept of it before, if any): only when logged.
        missed = (
            {
                place: why_missed(
                    each[place].digest,
                    each[place].generation_keys,
                    self._memory.get(each[place].storage),
                    generations[place],
                )
                for place in places
            }
            if explaining()
            else {}
        )
        try:
            rows, exact = await produce(places)
            self._count(each[places[0]], "miss", len(places))
            fresh: dict[ReadKey, StoredAnswer] = {}
            read_at = self._clock()  # one read: every key is as old as it
            sources: dict[tuple[str, ...], AnswerSource] = {}  # the keys' one source, made once
            for place, part, future in zip(places, rows, futures, strict=True):
                key = each[place]
                stored = StoredAnswer(part, read_at, generations[place])
                source = None
                if exact:
                    self._memory.put(key.storage, stored)
                    fresh[key] = stored
                    if not future.done():  # a key asked twice is one flight
                        future.set_result(stored)
                    source = sources.get(key.generation_keys)
                    if source is None:
                        source = sources[key.generation_keys] = self._source(key, stored)
                answers[place] = Answer(
                    self._decoded(key, stored, model), source=source, missed=missed.get(place)
                )
            await self._share_many(fresh)
            return exact
        finally:
            for name, future in flights.items():
                if not future.done():
                    future.cancel()  # failed, or not kept: those who joined read on their own
                if self._flights.get(name) is future:
                    del self._flights[name]

    def _all_kept(
        self,
        whole: ReadKey,
        each: Sequence[ReadKey],
        values: Mapping[str, str],
        model: type[Entity] | None,
    ) -> list[Answer] | None:
        """Every key of ``whole`` served from this process's memory, or ``None`` when one is not
        there or not current any more (then each key is looked up on its own)."""
        current = self._currency(each[0])  # a key's own time to live (the whole names no record)
        kept = [
            current(self._memory.get(key.storage), tuple(values[name] for name in key.generation_keys))
            for key in each
        ]
        if None in kept:
            return None
        self._count(whole, "hit", len(kept))
        return [self._kept(key, stored, model) for key, stored in zip(each, kept, strict=True) if stored]

    def _currency(
        self, key: ReadKey
    ) -> Callable[[StoredAnswer | None, tuple[str, ...]], StoredAnswer | None]:
        """``_current`` for many answers of ``key``'s company, owner and kind at once (BC's
        webhooks asked once): the answer if it may be served under the current generations
        given, else ``None``."""
        ttl = self._ttls(key)
        now = self._clock()

        def current(stored: StoredAnswer | None, generations: tuple[str, ...]) -> StoredAnswer | None:
            if stored is None or stored.generations != generations:
                return None
            return stored if now - stored.stored_at < ttl(stored.stored_at) else None

        return current

    def _remember_whole(self, whole: ReadKey, each: Sequence[ReadKey]) -> None:
        if len(each) < 2:
            return  # one key: its own answer is found directly
        self._wholes[whole.storage] = tuple((key.digest, key.record) for key in each)
        self._wholes.move_to_end(whole.storage)
        while len(self._wholes) > _WHOLES_REMEMBERED:
            self._wholes.popitem(last=False)

    async def keep_by_key(self, keys: Sequence[ReadKey], rows: Sequence[Rows], source: AnswerSource) -> None:
        """Keep ``rows[i]`` as the answer to ``keys[i]``, as old as the answer ``source`` says:
        the rows of a list read just kept, each of which is the whole answer to the read of its
        own unique key (an open order is the answer to its number).

        A key read by its record (``ReadKey.record``) is kept under its own read's generations
        as they are now, and only while every generation the list was read under still is (read
        in the same round trip): a change of one of the customer's records renews their lists'
        generation before the record's (``forget``), so a record's generation read while the
        lists' is unchanged has not been renewed since the list was read either.  A record's
        generation made since by someone else is not trusted: its row is not kept."""
        listed = dict(source.generations)
        for key in keys:
            if replace(key, record=None).generation_keys != tuple(listed):
                raise ValueError("rows are kept by key under the generations of their own read")
        try:
            values = await self._generations.values([*listed, *_names_of(keys)], made_here=True)
        except ConnectionError:
            self._unavailable()
            return
        if any(values.get(name) != value for name, value in listed.items()):
            return  # a change since the list was read: its rows are not what these reads would get
        fresh: dict[ReadKey, StoredAnswer] = {}
        for key, part in zip(keys, rows, strict=True):
            if any(name not in values for name in key.generation_keys):
                continue
            generations = tuple(values[name] for name in key.generation_keys)
            stored = StoredAnswer(list(part), source.fetched_at, generations)
            self._memory.put(key.storage, stored)
            fresh[key] = stored
        await self._share_many(fresh)

    async def still_current(self, generations: Mapping[str, str]) -> bool:
        """Whether every generation named is still the current one (one store round trip), so
        a result built from answers read under them may still be served.  ``ConnectionError``
        when the store cannot say (then nothing kept may be trusted)."""
        await self._generations.replace_pending()
        names = list(generations)
        current = await self._store.kv.get_many(names)
        # An absent generation is current for nothing: whatever is made in its place is new.
        return all(
            value is not None and generations[name] == value.decode()
            for name, value in zip(names, current, strict=True)
        )

    async def invalidate(
        self, company: UUID, customer: str | None, kinds: Iterable[tuple[DataKind, bool]]
    ) -> bool:
        """New generations for every answer of ``kinds`` (each with whether it is company-wide):
        every answer read under the old ones is read from BC again, in every replica.  False when
        the store did not answer: then only this replica knows (until the store answers again)."""
        stale = [Stale(kind, company_wide) for kind, company_wide in kinds]
        return await self.forget(company, customer, stale)

    async def forget(
        self, company: UUID, customer: str | None, stale: Iterable[Stale], *, why: str = "invalidated"
    ) -> bool:
        """New generations for what ``stale`` names: of a kind company-wide (or ``customer``
        ``None``); of every answer of the customer's kind (their lists and their answers read by
        key); or of their lists and the answers read by the records named.  The lists'
        generation is replaced before any record's (``keep_by_key`` relies on it).  False when
        the store did not answer.  ``why`` is logged with them (``_answer_misses``)."""
        lists: list[str] = []
        records: list[str] = []
        for item in stale:
            self.stats[(item.kind.value, "invalidated")] += 1
            if item.company_wide or customer is None:
                if item.lists:
                    lists.append(generation_key(company, None, item.kind))
                elif item.records is None:  # a shared kind's answers read by key, all of them
                    records.append(records_generation_key(company, None, item.kind))
                else:
                    records += (record_generation_key(company, None, item.kind, r) for r in item.records)
                continue
            lists.append(generation_key(company, customer, item.kind))
            if item.records is None:
                records.append(records_generation_key(company, customer, item.kind))
            else:
                records += (record_generation_key(company, customer, item.kind, r) for r in item.records)
        for name in (*lists, *records):
            self._generations.pending[name] = None
        log_forgotten((*lists, *records), why)
        try:
            await self._generations.replace_pending()
        except ConnectionError:
            self._unavailable()  # replaced before the next answer is served from the cache
            return False
        return True

    async def record_changed(
        self,
        company: UUID,
        entity_set: str,
        customer: str | None = None,
        *,
        held: bool = True,
        identifiers: Mapping[str, str | None] | None = None,
    ) -> None:
        """A change BC reported (a webhook event): what it makes stale (``invalidated_by_change``)
        for ``customer``, or for every customer of the company when the event does not say whose
        record it was (a ``collection``, an owner that could not be read) — unless no kept answer
        holds the record (``held``: false for a record gone from BC that no read remembered,
        ``AnswerOwners.recall``), when it makes nobody's answers stale.  ``identifiers`` (the
        record's ``number``, a posted document's ``orderNumber``) name the records whose answers
        read by key it changes; without them, every answer of the owner's kinds goes."""
        stale = invalidated_by_change(
            entity_set, owner_known=customer is not None, held=held, identifiers=identifiers
        )
        if stale:
            await self.forget(company, customer, stale, why=f"bc {entity_set}")

    @property
    def kept_in_memory(self) -> int:
        """How many answers this process keeps decoded now."""
        return len(self._memory)

    async def aclose(self) -> None:
        if self._notices is not None:
            await self._notices.aclose()

    def _current(self, key: ReadKey, stored: StoredAnswer, generations: tuple[str, ...]) -> bool:
        fresh = self._clock() - stored.stored_at < self._ttl(key, stored.stored_at)
        return fresh and stored.generations == generations

    def _ttl(self, key: ReadKey, stored_at: float) -> float:
        return self._ttls(key)(stored_at)

    def _ttls(self, key: ReadKey) -> Callable[[float], float]:
        """The time to live of an answer of ``key``'s company and kind by when it was read: the
        kind's own; the long one for an answer read while BC's webhooks covered its kind, and
        only as long as they still do without a gap since (an answer read before they did may
        miss a change nobody notified)."""
        keyed = key.record is not None
        since = (
            self._coverage.covered_since(key.company, key.kind, keyed=keyed)
            if self._coverage is not None
            else None
        )
        own, longer = self.settings.ttl(key.kind), self.settings.with_webhooks_ttl
        return lambda stored_at: longer if since is not None and stored_at >= since else own

    def _kept(self, key: ReadKey, stored: StoredAnswer, model: type[Entity] | None) -> Answer:
        rows = self._decoded(key, stored, model)
        age = max(0.0, self._clock() - stored.stored_at)
        return Answer(rows, age, kept=True, source=self._source(key, stored))

    def _source(self, key: ReadKey, stored: StoredAnswer) -> AnswerSource:
        # The kind's own time to live, never the longer one BC's webhooks allow: whether they
        # still cover the kind is decided at each read of an answer (`_ttl`), and a result
        # built from this one is not read through here again (docs/caching.md, "Whole responses").
        generations = tuple(zip(key.generation_keys, stored.generations, strict=True))
        return AnswerSource(generations, stored.stored_at, stored.stored_at + self.settings.ttl(key.kind))

    def _decoded(self, key: ReadKey, stored: StoredAnswer, model: type[Entity] | None) -> Sequence[Any]:
        """``stored``'s rows as ``model``: decoded on the first read of the answer as that model."""
        if model is None:
            return stored.rows
        found = stored.decoded.get(model)
        if found is None:
            found = stored.decoded[model] = _decode(stored.rows, model)
            if self._memory.holds(key.storage, stored):
                self._memory.put(key.storage, stored)  # it holds more rows now
        return found

    async def _join(self, running: asyncio.Future[StoredAnswer]) -> StoredAnswer | None:
        try:
            return await asyncio.shield(running)
        except asyncio.CancelledError:
            if running.cancelled():
                return None  # the first reader's request went away, not ours
            raise
        except Exception:  # noqa: BLE001 - the first reader's failure is its own; this one reads BC itself
            return None

    async def _fill(
        self, key: ReadKey, generations: tuple[str, ...], produce: Produce, holds: Holds | None
    ) -> tuple[StoredAnswer, bool, bool]:
        """From the shared store when a replica has it (or is reading it): kept before; else from
        BC, and kept unless ``holds`` refuses it.  (The answer, kept before, may be kept.)"""
        claim: tuple[str, bytes] | None = None
        if self._store.replicated:
            try:
                found = await self._stored(key, generations)
                if found is not None:
                    self._count(key, "hit")
                    return found, True, True
                claim = await self._claim(key, generations)
                if claim is None:
                    found = await self._await_fill(key, generations)
                    if found is not None:
                        self._count(key, "joined")
                        return found, True, True
            except ConnectionError:
                self._unavailable()
        self._count(key, "miss")
        stored = StoredAnswer(await produce(), self._clock(), generations)
        if holds is not None and not await holds(stored.rows):
            self.stats[(key.kind.value, "unkept")] += 1
            if claim is not None:
                await self._release(claim)
            return stored, False, False
        self._memory.put(key.storage, stored)
        if self._store.replicated:
            await self._share(key, stored, claim)
        return stored, False, True

    async def _stored(self, key: ReadKey, generations: tuple[str, ...]) -> StoredAnswer | None:
        raw = await self._store.kv.get(key.storage)
        found = decode_answer(raw) if raw is not None else None
        if found is None or not self._current(key, found, generations):
            return None
        self._memory.put(key.storage, found)
        return found

    async def _claim(self, key: ReadKey, generations: tuple[str, ...]) -> tuple[str, bytes] | None:
        """This replica's claim to read the answer from BC, or ``None`` when another one has it."""
        name = f"{key.storage}:fill:{hashlib.sha256(repr(generations).encode()).hexdigest()[:16]}"
        token = self._new_token().encode()
        held = await self._store.kv.claim(name, token, ttl_seconds=self.settings.fill_wait_seconds)
        return (name, token) if held is None else None

    async def _await_fill(self, key: ReadKey, generations: tuple[str, ...]) -> StoredAnswer | None:
        if self._notices is None:  # pragma: no cover - only replicated stores claim
            return None
        loop = asyncio.get_running_loop()
        give_up = loop.time() + self.settings.fill_wait_seconds
        event = self._notices.waiter(key.storage)
        try:
            while True:
                found = await self._stored(key, generations)
                remaining = give_up - loop.time()
                if found is not None or remaining <= 0:
                    return found
                event.clear()
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(min(POLL_SECONDS, remaining)):
                        await event.wait()
        finally:
            self._notices.forget(key.storage, event)

    async def _share(self, key: ReadKey, stored: StoredAnswer, claim: tuple[str, bytes] | None) -> None:
        try:
            raw = encode_answer(stored)
        except UnencodableAnswer:
            raw = None
        try:
            if raw is not None:
                ttl = self._ttl(key, stored.stored_at)
                await self._store.kv.put(key.storage, raw, ttl_seconds=ttl)
            if claim is not None:
                await self._store.kv.delete(claim[0], expected=claim[1])
        except ConnectionError:
            self._unavailable()
            return
        if self._notices is not None:
            await self._notices.announce(key.storage)

    async def _release(self, claim: tuple[str, bytes]) -> None:
        """Let another replica read the answer (this one is not keeping it)."""
        try:
            await self._store.kv.delete(claim[0], expected=claim[1])
        except ConnectionError:
            self._unavailable()

    async def _kept_by_key(
        self, keys: Sequence[ReadKey], generations: Sequence[tuple[str, ...]]
    ) -> list[StoredAnswer | None]:
        """Each key's answer kept and current (under its ``generations``), from memory, else from
        the shared store (one round trip for all the keys this replica lacks)."""
        current = self._currency(keys[0])
        found = [
            current(self._memory.get(key.storage), gens) for key, gens in zip(keys, generations, strict=True)
        ]
        absent = [place for place, stored in enumerate(found) if stored is None]
        if absent and self._store.replicated:
            raws = await self._store.kv.get_many([keys[place].storage for place in absent])
            for place, raw in zip(absent, raws, strict=True):
                stored = current(decode_answer(raw) if raw is not None else None, generations[place])
                if stored is not None:
                    self._memory.put(keys[place].storage, stored)
                    found[place] = stored
        return found

    async def _share_many(self, fresh: Mapping[ReadKey, StoredAnswer]) -> None:
        """Answers kept by key, into the shared store for the other replicas (one round trip)."""
        if not fresh or not self._store.replicated:
            return
        encoded: dict[str, bytes] = {}
        for key, stored in fresh.items():
            with contextlib.suppress(UnencodableAnswer):
                encoded[key.storage] = encode_answer(stored)
        key, stored = next(iter(fresh.items()))
        try:
            await self._store.kv.put_many(encoded, ttl_seconds=self._ttl(key, stored.stored_at))
        except ConnectionError:
            self._unavailable()

    def _count(self, key: ReadKey, outcome: str, lookups: int = 1) -> None:
        self.stats[(key.kind.value, outcome)] += lookups
        if self._recorder is not None:
            hit = outcome in _SERVED_WITHOUT_BC
            self._recorder.record_lookup(f"answers.{key.kind.value}", hit=hit, count=lookups)

    def _unavailable(self) -> None:
        now = time.monotonic()
        if now - self._warned_at >= _WARN_EVERY_SECONDS:
            self._warned_at = now
            LOGGER.warning("answer_cache_unavailable: the shared store did not answer; reading BC")


def _of_one_kind(whole: ReadKey, keys: Sequence[ReadKey]) -> Sequence[ReadKey]:
    if any(
        (key.company, key.customer, key.kind) != (whole.company, whole.customer, whole.kind) for key in keys
    ):
        raise ValueError("reads by key must be of one company, owner and kind of data")
    return keys


def _names_of(keys: Iterable[ReadKey]) -> list[str]:
    """The generations answers of ``keys`` are read under, each once."""
    return list(dict.fromkeys(name for key in keys for name in key.generation_keys))


def _decode(rows: Rows, model: type[Entity] | None) -> list[Any]:
    return rows if model is None else [model.from_row(row) for row in rows]
