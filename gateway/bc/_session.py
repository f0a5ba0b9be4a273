"""The customer-scoped session: one GraphQL operation's BC access (``BCClient.session``) — its
scope, the kept answers it reads, its reads by key and its writes."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar, overload
from uuid import UUID

from ._answer_keys import ReadKey, group_key, read_key, read_keys_by_filter
from ._answer_misses import Miss, explaining, log_misses
from ._answer_policy import invalidated_by_write, keyed_record
from ._answers import Answer, AnswerCache, AnswerSource
from ._audit import CallContext
from ._calls import RowCheck, _Call, _Paged, _read_entity, _Stats
from ._coalesce import Coalescer
from ._entity import Entity, reader_for
from ._errors import BCError, BCNotFound, ODataBuildError, ScopeViolation
from ._media import Media, MediaStream, read_media
from ._odata import Query, filter_literal, validate_name
from ._on_their_way import OnTheirWay
from ._reads_by_key import RowsByKey, _folded, _pinned_record, _rows_by_key
from ._scope import CUSTOMER_OWNED, CustomerScope, ScopedQuery
from ._scope_checks import _reaches_customer_data, _scope_check, _scope_filter
from ._settings import STANDARD_API, ApiRoute

if TYPE_CHECKING:
    from ._client import BCClient

__all__ = ["BCSession"]

E = TypeVar("E", bound=Entity)

# Writable portal sets that carry the customer number (created through ``BCSession.create``).
_CREATE_SCOPE_FIELDS: Mapping[str, str] = {"customerQueries": "customerNumber"}


# The session whose reads may be served from kept answers in the running task although it reads
# fresh (``BCSession.kept_answers_serve``); a context variable, so reads running beside them are not.
_KEPT_SERVES: ContextVar[BCSession | None] = ContextVar("bc_kept_answers_serve", default=None)
# The session whose reads in the running task are read ahead (``BCSession.riding_along``).
_RIDING: ContextVar[BCSession | None] = ContextVar("bc_riding_along", default=None)
# The session whose reads ahead in the running task hold its next $batch until they reach it.
_AWAITED: ContextVar[BCSession | None] = ContextVar("bc_riders_awaited", default=None)
# The session whose reads in the running task are served kept or not at all (``BCSession.kept_only``).
_KEPT_ONLY: ContextVar[BCSession | None] = ContextVar("bc_kept_only", default=None)


class NotRiddenAlong(BCError):
    """A read ahead that was not sent: nothing the operation needed went to BC with it."""

    default_code = "not_ridden_along"


class NotKept(BCError):
    """A read asked only of the kept answers (``BCSession.kept_only``) that none answers."""

    default_code = "not_kept"


class BCSession:
    """BC access for one GraphQL operation: bound to one ``CustomerScope``, counted and audited.

    Customer-owned entity sets are readable only through ``scoped()`` queries for this session's
    scope, and every row that comes back is checked against the scope.  Reads are answered from
    the client's answer cache where it may (never after ``read_fresh()`` or a write),
    ``oldest_kept_answer_age`` says how old the oldest kept answer used was, and
    ``answer_sources`` what a result built from its reads stands on (the response cache).
    """

    def __init__(
        self,
        client: BCClient,
        scope: CustomerScope,
        *,
        operation: str | None = None,
        request_id: str | None = None,
    ) -> None:
        self._client = client
        self.scope = scope
        company = str(scope.company_id)
        self._context = CallContext(
            customer=scope.customer_number, company=company, operation=operation, request_id=request_id
        )
        self._company_path = f"companies({company})"  # every read's path starts with it
        self._stats = _Stats()
        self._fresh = client.answers is None
        self._wrote = False
        # Whether reads read ahead may be kept although the session wrote: its last write
        # succeeded and every replica was told what it made stale (``keeps_read_ahead``).
        self._invalidated_everywhere = False
        self._kept_age: float | None = None
        # The kept answers every read was served from, each once (a read by key's keys read
        # together stand on one); None once a read was not (from BC for this session alone,
        # media, a write): a result built from them cannot be kept then.
        self._sources: dict[AnswerSource, None] | None = {}
        # One deadline for the whole operation: no retry, wait or page may run past it.
        self.deadline = client.deadline()
        self._on_their_way = OnTheirWay()
        self._coalescer: Coalescer[_Read] = Coalescer(self._fetch_together, ready=self._on_their_way.ready)

    @property
    def batching(self) -> bool:
        """Whether keyed lookups may go to BC as one JSON ``$batch`` (``BC_BATCH``, and BC agrees)."""
        return self._client.batch_supported

    def offers(self, entity_set: str, route: ApiRoute = STANDARD_API) -> bool:
        """Whether the tenant has ``entity_set`` (``CapabilityMap.has``: assumed so until read)."""
        return self._client.capabilities.has(route, entity_set)

    def lists_navigation(self, entity_set: str, navigation: str, route: ApiRoute = STANDARD_API) -> bool:
        """Whether the tenant's ``$metadata`` lists ``navigation`` on ``entity_set``
        (``CapabilityMap.lists_navigation``: not until read)."""
        return self._client.capabilities.lists_navigation(route, entity_set, navigation)

    @property
    def request_count(self) -> int:
        return self._stats.request_count

    @property
    def operation(self) -> str | None:
        """The GraphQL operation's name this session serves, as its audit records carry it."""
        return self._context.operation

    @property
    def request_id(self) -> str | None:
        """The gateway request's id (``X-Request-Id``), as its audit records carry it."""
        return self._context.request_id

    @property
    def oldest_kept_answer_age(self) -> float | None:
        """Seconds since BC gave the oldest kept answer this session used; ``None`` when every
        answer it used was read from BC for it."""
        return self._kept_age

    @property
    def answer_sources(self) -> tuple[AnswerSource, ...] | None:
        """The kept answers (their generations, ages and expiries) that served every read of this
        session, or ``None`` when one read was not served from a kept answer: a read from BC for
        this session alone (``read_fresh()``, a row limit, a set never cached, the store not
        answering), a media download or a write.  A result built from the reads may be kept as
        long as every source is current (``AnswerCache.still_current``), and no longer."""
        return tuple(self._sources) if self._sources is not None else None

    @property
    def keeps_answers(self) -> bool:
        """Whether this session's reads are kept for later requests (the cache is on and the
        session does not read fresh): only then can reading more than asked serve another one."""
        return not self._fresh

    @property
    def keeps_read_ahead(self) -> bool:
        """Whether reads read ahead (``riding_along``) are kept for later operations: while
        answers are kept, and after a write once every replica was told what it made stale."""
        return self.keeps_answers or self._invalidated_everywhere

    def read_fresh(self) -> None:
        """From now on, every read of this session goes to BC (a write's reads, a download's
        ownership check): nothing it decides is based on a kept answer."""
        self._fresh = True
        self._sources = None

    @contextlib.contextmanager
    def kept_answers_serve(self) -> Iterator[None]:
        """Within the block, and only in the task that runs it (and the tasks it starts), reads
        of this session may be served from kept answers although it reads fresh — for what a
        write may take as the customer last saw it (a reorder's source lines, docs/writes.md).
        Never once the session wrote: its reads go to BC from then on whatever the block says."""
        token = _KEPT_SERVES.set(self)
        try:
            yield
        finally:
            _KEPT_SERVES.reset(token)

    @contextlib.contextmanager
    def riding_along(self, *, wait: bool = False) -> Iterator[None]:
        """Within the block, and only in the task that runs it (and the tasks it starts), this
        session's reads are read ahead, to be kept for a later operation: each goes to BC only in
        a ``$batch`` with a read this operation needs (of the same API, sent in the same round),
        never in a request of its own — else it fails with ``NotRiddenAlong``, without HTTP — and
        what they answer is no part of this operation's answer (neither its age nor what a kept
        response stands on).  Only worth it while they are kept (``keeps_read_ahead``); a read
        that would not be kept is not made (``NotRiddenAlong``).

        ``wait``: the session's next ``$batch`` waits (briefly) for these reads to reach it from
        the answer cache — for a needed read that never asks the cache (``_on_their_way``)."""
        token = _RIDING.set(self)
        awaited = _AWAITED.set(self if wait else None)
        try:
            yield
        finally:
            _AWAITED.reset(awaited)
            _RIDING.reset(token)

    @contextlib.contextmanager
    def kept_only(self) -> Iterator[None]:
        """Within the block, and only in the task that runs it (and the tasks it starts), this
        session's reads are served from kept answers or not at all: a read no current kept
        answer serves fails with ``NotKept``, without HTTP (and without waiting for a read in
        flight).  For what is worth answering only if it costs BC nothing — a later page of
        orders from what its first page read (docs/order-status.md, "The next page")."""
        token = _KEPT_ONLY.set(self)
        try:
            yield
        finally:
            _KEPT_ONLY.reset(token)

    @property
    def _kept_only(self) -> bool:
        return _KEPT_ONLY.get() is self

    @property
    def _riding(self) -> bool:
        return _RIDING.get() is self

    def _setting_out(self) -> Callable[[], None]:
        """For a read about to ask the answer cache: when it is read ahead with ``wait``, the
        session's next $batch waits for it until the callable says it arrived (it reached the
        batch, or needs none); otherwise a callable that does nothing."""
        return self._on_their_way.set_out() if self._riding and _AWAITED.get() is self else _arrived

    @property
    def bc_seconds(self) -> float:
        return self._stats.bc_seconds

    @overload
    async def fetch(
        self,
        query: Query | ScopedQuery,
        *,
        model: None = None,
        route: ApiRoute = STANDARD_API,
        limit: int | None = None,
        rows_by_key: RowsByKey | None = None,
    ) -> list[dict[str, Any]]: ...

    @overload
    async def fetch(
        self,
        query: Query | ScopedQuery,
        *,
        model: type[E],
        route: ApiRoute = STANDARD_API,
        limit: int | None = None,
        rows_by_key: RowsByKey | None = None,
    ) -> list[E]: ...

    async def fetch(
        self,
        query: Query | ScopedQuery,
        *,
        model: type[E] | None = None,
        route: ApiRoute = STANDARD_API,
        limit: int | None = None,
        rows_by_key: RowsByKey | None = None,
    ) -> list[E] | list[dict[str, Any]]:
        """All rows of ``query`` (following nextLinks), or the first ``limit`` rows: as ``model``
        instances, decoded straight from BC's response bytes, or as plain rows without one.

        ``rows_by_key``: each row is also the whole answer to the read of its own key (a unique
        property); when read from BC, each is kept as that answer too (``fetch_by_key``)."""
        plain, check_row = self._authorise(query, model)
        self._client.capabilities.require(route, plain.entity_set, plain.expand)
        if limit is not None and (isinstance(limit, bool) or limit < 1):
            raise ODataBuildError("limit must be a positive integer")
        key = self._answer_key(plain, route) if limit is None else None
        if self._kept_only:
            answers = self._client.answers
            kept = None if key is None or answers is None else await answers.kept(key, model)
            if kept is None:
                raise NotKept(f"no kept answer to this read of {plain.entity_set}")
            self._note(kept)
            return list(kept.rows)
        if key is None or self._client.answers is None:
            if self._riding:
                raise NotRiddenAlong("a read ahead that would not be kept is not made")
            self._sources = None
            return await self._fetch_from_bc(query, plain, check_row, route, limit, model)

        # A kept answer is BC's rows as plain mappings (decimals exact; bytes in Redis), whoever
        # reads them: the read behind it is made without a model, and the cache decodes them into
        # the reader's model once per answer (frozen models, shared by every later reader).  The
        # plain rows' scope check is built only when BC is asked: a kept answer needs none.
        read: list[list[Any]] = []
        arrive = self._setting_out()

        async def from_bc() -> list[Any]:
            arrive()  # reaches the batch in this step: it no longer holds it
            check_plain = self._authorise(query, None)[1]
            rows = await self._fetch_from_bc(query, plain, check_plain, route, None, None)
            read.append(rows)
            return rows

        answers = self._client.answers
        learn = self._learner(answers, key)

        async def holds(rows: list[dict[str, Any]]) -> bool:
            return learn is None or await learn(plain.entity_set, rows)

        try:
            answer = await answers.read(key, from_bc, model, holds=holds)
        finally:
            arrive()
        self._note(answer)
        self._tell_misses([answer.missed], plain.entity_set)
        if read and answer.source is not None and not answer.kept and rows_by_key is not None:
            await self._keep_rows_by_key(read[0], rows_by_key, model, route, answer.source)
        return list(answer.rows)

    async def _keep_rows_by_key(
        self,
        rows: list[dict[str, Any]],
        by: RowsByKey,
        model: type[Entity] | None,
        route: ApiRoute,
        source: AnswerSource,
    ) -> None:
        """Each row of a list just read and kept, kept also as the answer to its key's read."""
        answers = self._client.answers
        found: dict[str, list[dict[str, Any]]] = {}
        for row in rows:
            value = row.get(by.field)
            if value is not None:
                found.setdefault(_folded(value), []).append(row)
        # A key two rows share is not a unique key after all: no row of it is its answer.
        parts = [part for part in found.values() if len(part) == 1]
        if answers is not None and parts:
            keys = self._keys_of_each(
                by.query_for, by.field, [part[0][by.field] for part in parts], model, route
            )
            await answers.keep_by_key(keys, parts, source)

    def _keys_of_each(
        self,
        query_for: Callable[[Sequence[Any]], Query | ScopedQuery],
        field: str,
        keys: Sequence[Any],
        model: type[Entity] | None,
        route: ApiRoute,
    ) -> list[ReadKey]:
        """The answer key of ``query_for([key])`` for each key (a read by ``field``), of the
        record it names where a change can name it (``keyed_record``).  The first is worked out
        in full; the reads of the others differ from it in the key's literal alone, so each is
        the first's request with its own literal in that one place, all hashed in one pass
        (``read_keys_by_filter``); where the first's literal is in its ``$filter`` more than
        once, each is worked out in full."""
        scope = self.scope
        plain = self._authorise(query_for([keys[0]]), model)[0]
        params = plain.params()
        shown, literal = params.get("$filter", ""), filter_literal(keys[0])
        if shown.count(literal) == 1:
            head, tail = shown.split(literal)
            filters = [
                (f"{head}{each}{tail}", keyed_record(plain.entity_set, field, each))
                for each in map(filter_literal, keys)
            ]
            company, customer = scope.company_id, scope.customer_number
            return read_keys_by_filter(route.path, company, customer, plain.entity_set, params, filters)
        found = [self._answer_key(self._authorise(query_for([key]), model)[0], route) for key in keys]
        # Never None: a read of one key is kept whenever a read of several is.
        return [key for key in found if key is not None]

    async def fetch_by_key(
        self,
        query_for: Callable[[Sequence[Any]], Query | ScopedQuery],
        field: str,
        keys: Sequence[Any],
        *,
        model: type[Entity] | None = None,
        route: ApiRoute = STANDARD_API,
    ) -> list[Any]:
        """All rows of ``query_for(keys)``: a read that picks rows by one property, ``field``,
        equal to any of ``keys`` (``any_of``), without a row limit; each key's rows are kept as
        the answer to ``query_for([key])``, so the keys read before — alone, or among others by
        any read — are served kept and only the rest are read from BC, by one read.  The rows
        come key by key, each key's in BC's order (docs/caching.md, "One answer per key")."""
        wanted = list(dict.fromkeys(keys))
        answers = self._client.answers
        if answers is None:  # nothing is kept (the cache off): one read, as `fetch` makes it
            return await self.fetch(query_for(wanted), model=model, route=route)
        folded = [_folded(key) for key in wanted]
        asked = query_for(wanted)
        whole = self._authorise(asked, model)[0]
        whole_key = self._answer_key(whole, route)
        if whole_key is None or len(set(folded)) < len(folded):
            # Nothing kept, or keys BC may take for one another (it compares codes without case).
            return await self.fetch(asked, model=model, route=route)
        self._client.capabilities.require(route, whole.entity_set, whole.expand)
        # As for `fetch`: a customer's rows are kept only once whose records they are is remembered.
        learn = self._learner(answers, whole_key)

        def each_key() -> list[ReadKey]:
            return self._keys_of_each(query_for, field, wanted, model, route)

        async def from_bc(places: list[int]) -> tuple[list[list[dict[str, Any]]], bool]:
            if self._kept_only:
                raise NotKept(f"no kept answer to {len(places)} keys of {whole.entity_set}")
            query = query_for([wanted[place] for place in places])
            plain, check_plain = self._authorise(query, None)
            rows = await self._fetch_from_bc(query, plain, check_plain, route, None, None)
            by_key = _rows_by_key(rows, field, [folded[place] for place in places])
            if by_key is None or (learn is not None and not await learn(whole.entity_set, rows)):
                return [rows, *([] for _ in places[1:])], False
            return by_key, True

        found = await answers.read_by_key(whole_key, each_key, from_bc, model)
        for answer in found:
            self._note(answer)
        self._tell_misses([answer.missed for answer in found], whole.entity_set)
        return [row for answer in found for row in answer.rows]

    async def fetch_together(
        self, reads: Sequence[tuple[Query | ScopedQuery, ApiRoute]]
    ) -> list[list[dict[str, Any]]]:
        """All rows of each read, as of one moment: read from BC together (one ``$batch``) and
        kept as one answer, so a result computed from several reads (a statement's opening balance
        from the balance and the entries since) never mixes answers of two moments."""
        checked = self._checked(reads)

        async def from_bc() -> list[list[dict[str, Any]]]:
            fetches = (
                self._fetch_from_bc(q, plain, check, at, None, None) for q, plain, check, at in checked
            )
            return list(await asyncio.gather(*fetches))

        answers = self._client.answers
        key = self._group_key(checked)
        if answers is None or key is None:
            if self._riding:
                raise NotRiddenAlong("a read ahead that would not be kept is not made")
            self._sources = None
            return await from_bc()
        arrive = self._setting_out()

        async def wrapped() -> list[dict[str, Any]]:
            arrive()  # reaches the batch in this step: it no longer holds it
            return [{"rows": rows} for rows in await from_bc()]

        learn = self._learner(answers, key)

        async def holds(parts: list[dict[str, Any]]) -> bool:
            if learn is None:
                return True
            for (_, plain, _, _), part in zip(checked, parts, strict=True):
                if not await learn(plain.entity_set, part["rows"]):
                    return False
            return True

        try:
            answer = await answers.read(key, wrapped, holds=holds)
        finally:
            arrive()
        self._note(answer)
        self._tell_misses([answer.missed], "+".join(plain.entity_set for _, plain, _, _ in checked))
        return [list(part["rows"]) for part in answer.rows]

    async def kept_together(
        self, reads: Sequence[tuple[Query | ScopedQuery, ApiRoute]]
    ) -> list[list[dict[str, Any]]] | None:
        """The rows ``fetch_together(reads)`` would answer when its answer is kept and current, or
        ``None``: never read from BC (nor waiting for a read in flight).  What it serves is part
        of this operation's answer (its age, what a kept response stands on), as a kept
        ``fetch_together`` is."""
        answers = self._client.answers
        key = self._group_key(self._checked(reads))
        if answers is None or key is None:
            return None
        answer = await answers.kept(key)
        if answer is None:
            return None
        self._note(answer)
        return [list(part["rows"]) for part in answer.rows]

    def _checked(
        self, reads: Sequence[tuple[Query | ScopedQuery, ApiRoute]]
    ) -> list[tuple[Query | ScopedQuery, Query, RowCheck | None, ApiRoute]]:
        checked = []
        for query, route in reads:
            plain, check_row = self._authorise(query, None)
            self._client.capabilities.require(route, plain.entity_set, plain.expand)
            checked.append((query, plain, check_row, route))
        return checked

    def _group_key(
        self, checked: Sequence[tuple[Query | ScopedQuery, Query, RowCheck | None, ApiRoute]]
    ) -> ReadKey | None:
        """The one key reads kept together are kept under; ``None`` when one of them is never kept."""
        keys = [self._answer_key(plain, route) for _, plain, _, route in checked]
        if not keys or any(key is None for key in keys):
            return None
        return group_key([key for key in keys if key is not None])

    def _learner(
        self, answers: AnswerCache, key: ReadKey
    ) -> Callable[[str, list[dict[str, Any]]], Awaitable[bool]] | None:
        """For a customer's read: before its rows of an entity set are kept, remember whose
        records they hold, for BC's notifications of their deletion (``_answer_owners``); an
        answer whose owners are not remembered is not kept.  The customer is the scope's, from
        the verified token, and each row carries it: it passed the scope check."""
        if key.customer is None:
            return None
        company, customer = self.scope.company_id, self.scope.customer_number

        async def learn(entity_set: str, rows: list[dict[str, Any]]) -> bool:
            return await answers.owners.learn(company, entity_set, customer, rows)

        return learn

    def _tell_misses(self, misses: Sequence[Miss | None], entity_set: str) -> None:
        """Why a read of ``entity_set`` went to BC (its keys' ``misses``), for tuning the cache
        (``_answer_misses``): only when that logger is on."""
        found = [miss for miss in misses if miss is not None]
        if found and explaining():
            context = self._context
            log_misses(
                found, entity_set=entity_set, operation=context.operation, request_id=context.request_id
            )

    def _note(self, answer: Answer) -> None:
        if self._riding:
            return  # read ahead for a later operation: no part of this one's answer
        if answer.kept:
            self._kept_age = answer.age if self._kept_age is None else max(self._kept_age, answer.age)
        if answer.source is None:
            self._sources = None
        elif self._sources is not None:
            self._sources[answer.source] = None

    def _answer_key(self, plain: Query, route: ApiRoute) -> ReadKey | None:
        # After a write, a read read ahead is the one read kept: sent after every replica was
        # told what the write made stale, it is kept under the generations that replaced them.
        ahead = self._riding and self._invalidated_everywhere
        if self._fresh and not ahead and (self._wrote or _KEPT_SERVES.get() is not self):
            return None
        scope = self.scope
        record = _pinned_record(plain)
        return read_key(
            route.path,
            scope.company_id,
            scope.customer_number,
            plain.entity_set,
            plain.params(),
            record=record,
        )

    async def _fetch_from_bc(
        self,
        query: Query | ScopedQuery,
        plain: Query,
        check_row: RowCheck | None,
        route: ApiRoute,
        limit: int | None,
        model: type[Entity] | None,
    ) -> list[Any]:
        if limit is None and self.batching:
            # Joins the other reads of this tick: two or more go to BC as one $batch.
            rows: list[Any] = await self._coalescer.submit(_Read(query, route, model, rider=self._riding))
            return rows
        if self._riding:  # every read is a request of its own: none rides along
            raise NotRiddenAlong("reads are not sent together (BC_BATCH off)")
        settings = self._client.settings
        url = f"{settings.route_url(route)}/companies({self.scope.company_id})/{plain.entity_set}"
        call = _Call(self._context, route, plain.entity_set, self._stats, self.deadline)
        return await self._client._fetch_pages(
            url, plain.params(), call, reader_for(model), top=plain.top, limit=limit, check_row=check_row
        )

    async def fetch_media(self, stream: MediaStream, key: UUID) -> Media:
        """The bytes of ``stream`` for the entity ``key`` (a GET through the one request path).

        The URL comes from the fixed ``stream`` and the GUID only.  This reads no customer filter:
        the caller proves the entity is the customer's (a scoped read) before asking for it.
        """
        self._client.capabilities.require(stream.route, stream.entity_set)
        self._sources = None
        url = stream.url(self._client.settings.route_url(stream.route), self.scope.company_id, key)
        call = _Call(self._context, stream.route, stream.entity_set, self._stats, self.deadline)
        headers = {"Accept": "application/pdf, application/octet-stream, */*"}
        return await self._client._request("GET", url, None, headers, call, read_media)

    async def create(
        self,
        entity_set: str,
        body: Mapping[str, Any],
        *,
        route: ApiRoute = STANDARD_API,
        affinity: str | None = None,
    ) -> dict[str, Any]:
        """``POST`` one entity (with nested lines: BC's deep insert, one atomic request).

        Sent exactly once: a write is never retried here, because a timeout or a dropped
        connection does not say whether BC committed it (the caller decides what to do).  For a
        customer-owned set the body must name this session's customer, and so must the answer.
        ``affinity`` (from the write's idempotency key) picks the principal that sends it, the
        same one for every retry on every replica.
        """
        validate_name(entity_set, "entity set name")
        self._client.capabilities.require(route, entity_set)
        field_name = CUSTOMER_OWNED.get(entity_set) or _CREATE_SCOPE_FIELDS.get(entity_set)
        if entity_set in CUSTOMER_OWNED and field_name is None:
            raise ScopeViolation(f"{entity_set} rows are created inside their parent document")
        check = _scope_check(field_name, self.scope.customer_number) if field_name else None
        if check is not None:
            check(body)
        settings = self._client.settings
        url = f"{settings.route_url(route)}/companies({self.scope.company_id})/{entity_set}"
        call = _Call(self._context, route, entity_set, self._stats, self.deadline, affinity)
        headers = {"Content-Type": "application/json"}
        row: dict[str, Any] | None = None
        try:
            row = await self._client._request("POST", url, None, headers, call, _read_entity, json_body=body)
        except BaseException:
            await self._written(entity_set, None)  # even when the answer is lost: BC may have committed
            raise
        everywhere = await self._written(entity_set, row)
        if check is not None:
            check(row)
        if everywhere:
            await self._remember_written(entity_set, row)
            self._invalidated_everywhere = self._client.answers is not None
        return row

    async def create_under(
        self,
        parent: ScopedQuery,
        navigation: str,
        body: Mapping[str, Any],
        *,
        route: ApiRoute = STANDARD_API,
        affinity: str | None = None,
    ) -> dict[str, Any]:
        """``POST`` one entity into a contained collection of a parent the caller owns.

        ``parent`` must select exactly one row of this session's customer (read first, checked
        row by row as every scoped read is); the child is then posted under that row's key.
        Sent exactly once, through the principal ``affinity`` picks, like ``create``.  Raises
        ``BCNotFound`` when the parent is not there.
        """
        validate_name(navigation, "navigation property")
        rows = await self.fetch(parent, route=route, limit=2)
        if len(rows) != 1:
            raise BCNotFound(f"no single {parent.query.entity_set} row of this customer matches")
        settings = self._client.settings
        base = f"{settings.route_url(route)}/companies({self.scope.company_id})"
        url = f"{base}/{parent.query.entity_set}({UUID(str(rows[0]['id']))})/{navigation}"
        call = _Call(self._context, route, navigation, self._stats, self.deadline, affinity)
        headers = {"Content-Type": "application/json"}
        row: dict[str, Any] | None = None
        try:
            row = await self._client._request("POST", url, None, headers, call, _read_entity, json_body=body)
            return row
        finally:
            await self._written(navigation, row)

    async def _written(self, entity_set: str, row: Mapping[str, Any] | None) -> bool:
        """After a write (or an attempt whose outcome is unknown): this session reads BC from now
        on, and every replica's answers of what the write changes are stale — the customer's
        lists and the written record's own answers (``row``: what BC answered), or every answer
        of the kinds it changes when BC's answer was lost.  False when only this replica could be
        told (the shared store did not answer)."""
        self.read_fresh()
        self._wrote = True
        self._invalidated_everywhere = False  # until this write is known to be told everywhere
        answers = self._client.answers
        if answers is None:
            return False
        changed = invalidated_by_write(entity_set, row)
        why = f"write {entity_set}" if row is not None else f"write {entity_set}, its answer lost"
        return await answers.forget(self.scope.company_id, self.scope.customer_number, changed, why=why)

    async def _remember_written(self, entity_set: str, row: Mapping[str, Any]) -> None:
        """Remember the record as BC answered its write, once every replica's answers of it are
        stale: BC's notification of this very change then has nothing to add (``_own_writes``).
        BC's answer, not a read after it: it was given before the invalidation, so nothing
        another session changed later can pass for the write's own change."""
        answers = self._client.answers
        if answers is not None:
            await answers.own_writes.remember(self.scope.company_id, entity_set, row)

    async def fetch_many(
        self, queries: Sequence[Query | ScopedQuery], *, route: ApiRoute = STANDARD_API
    ) -> list[list[dict[str, Any]] | BCError]:
        """All rows of each query, in order; a query that failed gets its ``BCError`` instead.

        Two or more queries go to BC as JSON ``$batch`` requests of at most 100 GETs each (one
        HTTP request per 100 instead of one per query); a query whose entity set this tenant
        lacks fails alone with ``CapabilityUnavailable``, without HTTP.
        """
        self._sources = None  # read from BC for this session alone
        return await self._fetch_many([_Read(query, route, None) for query in queries], route)

    async def _fetch_many(self, reads: Sequence[_Read], route: ApiRoute) -> list[list[Any] | BCError]:
        """``fetch_many`` of reads on one route, each read with its own model (or none)."""
        settings = self._client.settings
        results: list[list[Any] | BCError] = []
        pending: list[tuple[int, _Paged]] = []
        for index, read in enumerate(reads):
            query = read.query
            plain, check_row = self._authorise(query, read.model)
            try:
                self._client.capabilities.require(route, plain.entity_set, plain.expand)
            except BCError as error:
                results.append(error)
                continue
            results.append([])
            path = f"{self._company_path}/{plain.entity_set}"
            call = _Call(self._context, route, plain.entity_set, self._stats, self.deadline)
            url = f"{settings.route_url(route)}/{path}"
            reader = reader_for(read.model)
            pending.append((index, _Paged(path, url, plain.params(), plain.top, call, check_row, reader)))
        for index, outcome in await self._client._fetch_paged(pending, route, self._batch_call(route)):
            results[index] = outcome
        return results

    async def _fetch_together(self, reads: Sequence[_Read]) -> list[list[Any] | BCError]:
        """``_fetch_many`` per API route, each read's outcome in its place.  A ``$batch`` is
        one route's (its URLs are relative to the route's root): the routes' go at once.  A
        route's reads that are all read ahead (``riding_along``) are not sent."""
        outcomes: list[list[Any] | BCError] = [[] for _ in reads]
        by_route = []
        for route in dict.fromkeys(read.route for read in reads):
            places = [index for index, read in enumerate(reads) if read.route == route]
            if all(reads[index].rider for index in places):
                for index in places:
                    outcomes[index] = NotRiddenAlong("no read of this round needed BC")
            else:
                by_route.append((route, places))
        fetches = [self._fetch_many([reads[index] for index in places], route) for route, places in by_route]
        # Nearly always one route: awaited as it is, without a task of its own.
        answered = [await fetches[0]] if len(fetches) == 1 else await asyncio.gather(*fetches)
        for (_, places), answers in zip(by_route, answered, strict=True):
            for index, answer in zip(places, answers, strict=True):
                outcomes[index] = answer
        return outcomes

    def _batch_call(self, route: ApiRoute) -> _Call:
        return _Call(self._context, route, "$batch", self._stats, self.deadline)

    def _authorise(
        self, query: Query | ScopedQuery, model: type[Entity] | None
    ) -> tuple[Query, RowCheck | None]:
        if isinstance(query, ScopedQuery):
            if query.scope != self.scope:
                raise ScopeViolation("the query is scoped to another customer than this session")
            keep = _scope_filter(query.scope_field, self.scope, query.query.entity_set, model)
            return query.query, keep
        if not isinstance(query, Query):
            raise TypeError("fetch() takes a Query or a ScopedQuery")
        if query.entity_set in CUSTOMER_OWNED:
            raise ScopeViolation(f"{query.entity_set} is customer-owned: build the query with scoped()")
        if _reaches_customer_data(query.expand):
            raise ScopeViolation("an unscoped query must not expand customer-owned data")
        return query, None


def _arrived() -> None:
    """A read that holds no batch arrives with nothing to say."""


@dataclass(frozen=True)
class _Read:
    """One read asked of a session: the query, its API route, the model its rows become."""

    query: Query | ScopedQuery
    route: ApiRoute
    model: type[Entity] | None
    rider: bool = False  # read ahead: sent only with a read that is not (``riding_along``)
