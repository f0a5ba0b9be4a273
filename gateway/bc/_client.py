"""The HTTP client for BC: one ``httpx.AsyncClient``, paging, error translation and audit."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import logging
import operator
import time
from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from decimal import Decimal
from types import TracebackType
from typing import Any, TypeVar, overload
from uuid import UUID

import httpx
import msgspec

from ._answer_misses import MISSES_LOGGER, Miss, log_misses
from ._answer_policy import invalidated_by_write, keyed_record
from ._answers import Answer, AnswerCache, AnswerSource, ReadKey, group_key, read_key, read_keys_by_filter
from ._audit import CallContext, log_call
from ._batch import MAX_BATCH_OPERATIONS, BatchOperation, InnerResponse, batch_body, read_batch
from ._breaker import BreakerState, CircuitBreaker, counts_against_breaker
from ._capabilities import CapabilityMap
from ._coalesce import Coalescer
from ._deadline import Deadline
from ._entity import Entity, PageReader, attribute_of, reader_for
from ._errors import (
    BCError,
    BCNotFound,
    BCProtocolError,
    BCRequestRejected,
    BCTimeout,
    BCTransportError,
    ODataBuildError,
    ScopeViolation,
    correlation_id_of,
    error_from_response,
)
from ._fleet import FleetLimiter, SharedLimits
from ._limiter import ConcurrencyLimiter
from ._media import Media, MediaStream, read_media
from ._observe import NO_OBSERVER, BCObserver, CallEnded, CallStarted
from ._odata import Expand, Query, filter_literal, pinned, validate_name
from ._owners import RecordOwners
from ._principals import Principal, Principals
from ._resilience import Clock
from ._retry import RetryPolicy
from ._scope import CUSTOMER_OWNED, CustomerScope, ScopedQuery
from ._settings import STANDARD_API, ApiRoute, BCSettings
from ._subscriptions import WebhookSubscriptions

__all__ = ["BCClient", "BCLoad", "BCSession"]

T = TypeVar("T")
E = TypeVar("E", bound=Entity)
Row = Any  # a model instance, or a plain row (``dict``) where no model is asked for
RowCheck = Callable[[Row], bool]  # False: drop the row
# Request bodies: decimals as exact JSON numbers (a quantity never passes through float).
_BODY_ENCODER = msgspec.json.Encoder(decimal_format="number")
_MAX_PAGES = 10_000  # a loop guard: no honest result set of ours needs more pages than this
# Navigations that would pull customer-owned data into an otherwise unscoped query.
_CUSTOMER_NAVIGATIONS = frozenset({"customer", "customerFinancialDetail", "agedAccountsReceivable"})
# Writable portal sets that carry the customer number (created through ``BCSession.create``).
_CREATE_SCOPE_FIELDS: Mapping[str, str] = {"customerQueries": "customerNumber"}


@dataclass
class _Stats:
    request_count: int = 0
    bc_seconds: float = 0.0


@dataclass(frozen=True)
class _Call:
    """What one HTTP call is about: for the audit record, the session's counters and deadline."""

    context: CallContext
    route: ApiRoute
    entity_set: str
    stats: _Stats = field(default_factory=_Stats)
    deadline: Deadline | None = None  # None: the client's operation deadline, from the first attempt
    # A write's: it always goes through the principal this names (``_principals``); None: any.
    affinity: str | None = None
    batch: tuple[str, ...] = ()  # a $batch's entity sets, for its audit record


@dataclass(frozen=True)
class _Attempt:
    """One try of one HTTP request; ``number`` counts from 1 (more: a retry)."""

    method: str
    url: str | httpx.URL  # a URL object: httpx parses no string
    params: Mapping[str, str] | None
    headers: Mapping[str, str]
    call: _Call
    number: int


@dataclass(frozen=True)
class BCLoad:
    """How busy the client is right now: requests holding one of this replica's slots, requests
    waiting for one (all principals together), and the circuit breaker's state."""

    in_flight: int
    queued: int
    breaker: BreakerState


class BCClient:
    """A long-lived client for one BC environment; open it in the app's lifespan.

    All HTTP (BC and the token endpoint) goes through one ``httpx.AsyncClient`` on ``transport``,
    with the timeout from ``settings`` on every request.  Failures surface as ``BCError``.

    The client is one environment and one or more principals (``Principals``): it owns each
    principal's token and concurrency limiter (shared by all its sessions) and the environment's
    circuit breaker; ``clock`` is injectable for exact tests.  With a replicated ``shared`` store,
    BC's limits hold per principal for all replicas together (``FleetLimiter``); without one, for
    this process (its limiter and ``ProcessWindow``).  ``observer`` hears of every HTTP attempt
    (metrics, traces).  With ``answers``, sessions' reads are answered from that cache where it
    may (``docs/caching.md``); the app opens and closes it.
    """

    def __init__(
        self,
        settings: BCSettings,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Clock | None = None,
        shared: SharedLimits | None = None,
        observer: BCObserver = NO_OBSERVER,
        answers: AnswerCache | None = None,
    ) -> None:
        self.settings = settings
        self.observer = observer
        self.answers = answers
        self.capabilities = CapabilityMap()
        knobs = settings.resilience
        self.clock = clock or Clock()
        self.principals = Principals(settings, self.clock, shared)
        self.breaker = CircuitBreaker(knobs.breaker_failures, knobs.breaker_reset_seconds, self.clock.now)
        self.retry = RetryPolicy(
            max_attempts=knobs.retry_max_attempts,
            base_seconds=knobs.retry_base_seconds,
            max_backoff_seconds=knobs.retry_max_backoff_seconds,
            retry_after_cap_seconds=knobs.retry_after_cap_seconds,
        )
        self.batch_supported = knobs.batch  # turned off for good if BC refuses $batch
        self.subscriptions = WebhookSubscriptions(self)  # BC's webhook subscriptions API
        self.owners = RecordOwners(self)  # whose record a webhook notification names
        self._timeout = httpx.Timeout(settings.timeout_seconds)
        self._batch_urls: dict[str, httpx.URL] = {}
        # No client-wide auth: each request signs in as the principal that sends it.
        self._http = httpx.AsyncClient(
            transport=transport,
            timeout=self._timeout,
            follow_redirects=False,  # a redirect could carry the bearer token elsewhere
            headers={"Accept": "application/json"},
        )

    @property
    def limiter(self) -> ConcurrencyLimiter:
        """The first principal's limiter (the only one, unless several are configured)."""
        return self.principals.all[0].limiter

    @property
    def fleet(self) -> FleetLimiter | None:
        """The first principal's fleet limits (``None`` without a replicated store)."""
        return self.principals.all[0].fleet

    async def aclose(self) -> None:
        await self.principals.aclose()
        await self._http.aclose()

    async def __aenter__(self) -> BCClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    def session(
        self, scope: CustomerScope, *, operation: str | None = None, request_id: str | None = None
    ) -> BCSession:
        """A session for one GraphQL operation on behalf of ``scope``; its deadline starts now.
        ``operation`` (its name) and ``request_id`` go into each call's audit record."""
        return BCSession(self, scope, operation=operation, request_id=request_id)

    def load(self) -> BCLoad:
        limiters = [principal.limiter for principal in self.principals.all]
        return BCLoad(
            sum(limiter.in_flight for limiter in limiters),
            sum(limiter.waiting for limiter in limiters),
            self.breaker.state,
        )

    def deadline(self) -> Deadline:
        """A fresh operation deadline (``operation_deadline_seconds`` from now)."""
        return Deadline(self.settings.resilience.operation_deadline_seconds, self.clock.now)

    async def fetch_companies(self) -> list[dict[str, Any]]:
        """All companies of the environment (top-level ``companies``; no customer data)."""
        call = _Call(CallContext(), STANDARD_API, "companies")
        url = f"{self.settings.route_url(STANDARD_API)}/companies"
        return await self._fetch_pages(url, {}, call, reader_for(None), top=None, limit=None)

    async def fetch_metadata(self, route: ApiRoute = STANDARD_API) -> str:
        """The EDMX ``$metadata`` document of ``route``."""
        call = _Call(CallContext(), route, "$metadata")
        url = f"{self.settings.route_url(route)}/$metadata"
        return await self._request("GET", url, None, {"Accept": "application/xml"}, call, _read_text)

    async def _fetch_pages(
        self,
        url: str,
        params: Mapping[str, str],
        call: _Call,
        reader: PageReader[T],
        *,
        top: int | None,
        limit: int | None,
        check_row: RowCheck | None = None,
        first_page: bytes | None = None,
    ) -> list[T]:
        """Every page's rows, read by ``reader`` straight from the response bytes.

        ``first_page``: the first page's body when it came already (inside a ``$batch``).  The
        bytes of each page are BC's whole answer to the request: what a cache of BC reads would
        keep, reading them with the same ``reader`` on a hit."""
        headers = self._page_headers(top)
        # Parsed only once a page is requested or a nextLink checked: a read answered on one page
        # inside a $batch (most reads) needs neither.
        origin: httpx.URL | None = None
        next_url: httpx.URL | None = None
        next_params: Mapping[str, str] | None = params
        read = _page_read(reader)
        rows: list[T] = []
        for _ in range(_MAX_PAGES):
            if first_page is not None:
                page, first_page = reader(first_page), None
            else:
                origin = origin if origin is not None else httpx.URL(url)
                target = next_url if next_url is not None else origin
                page = await self._request("GET", target, next_params, headers, call, read)
            found, link = page
            rows.extend(found if check_row is None else [row for row in found if check_row(row)])
            if limit is not None and len(rows) >= limit:
                return rows[:limit]
            if link is None:
                return rows
            # The nextLink carries every query option (and the skiptoken) itself.
            origin = origin if origin is not None else httpx.URL(url)
            next_url = _checked_next_link(link, origin, next_url if next_url is not None else origin)
            next_params = None
        raise BCProtocolError("Business Central kept sending nextLinks")

    def _page_headers(self, top: int | None) -> dict[str, str]:
        # With $top BC sends no nextLink, so a page smaller than $top would truncate silently.
        page_size = self.settings.page_size if top is None else max(self.settings.page_size, top)
        return {"Prefer": f"odata.maxpagesize={page_size}"}

    async def _fetch_paged(
        self, pending: Sequence[tuple[int, _Paged]], route: ApiRoute, batch_call: _Call
    ) -> list[tuple[int, list[Row] | BCError]]:
        """Each read's rows or error: in ``$batch`` requests when there are two or more."""
        if len(pending) >= 2 and self.batch_supported:
            try:
                outcomes: list[tuple[int, list[Row] | BCError]] = []
                for start in range(0, len(pending), MAX_BATCH_OPERATIONS):
                    chunk = pending[start : start + MAX_BATCH_OPERATIONS]
                    outcomes.extend(await self._batch(chunk, route, batch_call))
                return outcomes
            except (BCNotFound, BCRequestRejected) as error:
                if error.status not in (404, 405):
                    return [(index, error) for index, _ in pending]
                self.batch_supported = False  # this BC has no $batch: read one by one from now on
            except BCError as error:
                return [(index, error) for index, _ in pending]
        reads = await asyncio.gather(*(self._read_collection(paged) for _, paged in pending))
        return [(index, outcome) for (index, _), outcome in zip(pending, reads, strict=True)]

    async def _read_collection(self, paged: _Paged, first_page: bytes | None = None) -> list[Row] | BCError:
        """All rows of one read, or its error; ``first_page``: its first page came in a ``$batch``
        (the nextLinks that follow carry every query option themselves)."""
        try:
            return await self._fetch_pages(
                paged.url,
                paged.params if first_page is None else {},
                paged.call,
                paged.reader,
                top=paged.top,
                limit=None,
                check_row=paged.check_row,
                first_page=first_page,
            )
        except BCError as error:
            return error

    async def _batch(
        self, chunk: Sequence[tuple[int, _Paged]], route: ApiRoute, batch_call: _Call
    ) -> list[tuple[int, list[Row] | BCError]]:
        """One ``$batch`` of at most 100 reads; inner 429/5xx answers are retried in a smaller
        ``$batch`` under the same policy and deadline as any request."""
        todo = {str(number): item for number, item in enumerate(chunk, start=1)}
        done: list[tuple[int, list[Row] | BCError]] = []
        deadline = batch_call.deadline or self.deadline()
        url = self._batch_url(route)
        for attempt in range(1, self.retry.max_attempts + 1):
            operations = [
                BatchOperation(key, paged.path, paged.params, self._page_headers(paged.top))
                for key, (_, paged) in todo.items()
            ]
            call = dataclasses.replace(
                batch_call, batch=tuple(paged.call.entity_set for _, paged in todo.values())
            )
            answers = await self._request(
                "POST",
                url,
                None,
                {"Content-Type": "application/json"},
                call,
                read_batch,
                json_body=batch_body(operations),
                idempotent=True,  # only GETs inside: sending it twice changes nothing
                first_attempt=attempt,  # inner reads retried in a new $batch: its attempt number
            )
            failed: dict[str, BCError] = {}
            for key, (index, paged) in todo.items():
                outcome = await self._inner_outcome(answers.get(key), paged)
                if isinstance(outcome, BCError) and self.retry.should_retry(
                    outcome, method="GET", idempotent=True, attempt=attempt
                ):
                    failed[key] = outcome
                else:
                    done.append((index, outcome))
            if not failed:
                return done
            delay = max(self.retry.delay(error, attempt, self.clock.random) for error in failed.values())
            if delay >= deadline.remaining():
                return done + [(todo[key][0], error) for key, error in failed.items()]
            await self.clock.sleep(delay)
            todo = {key: todo[key] for key in failed}
        raise AssertionError("unreachable: the last attempt never retries")  # pragma: no cover

    def _batch_url(self, route: ApiRoute) -> httpx.URL:
        """``{route}/$batch``, parsed once per route rather than by httpx in every request."""
        url = self._batch_urls.get(route.path)
        if url is None:
            url = self._batch_urls[route.path] = httpx.URL(f"{self.settings.route_url(route)}/$batch")
        return url

    async def _inner_outcome(self, inner: InnerResponse | None, paged: _Paged) -> list[Row] | BCError:
        if inner is None:
            return BCProtocolError("Business Central's $batch answer left out an operation")
        if not inner.is_success:
            return inner.error()
        return await self._read_collection(paged, inner.body)

    async def _request(
        self,
        method: str,
        url: str | httpx.URL,
        params: Mapping[str, str] | None,
        headers: Mapping[str, str],
        call: _Call,
        read: Callable[[httpx.Response], tuple[T, int | None]],
        *,
        json_body: Any = None,
        idempotent: bool = False,
        first_attempt: int = 1,
    ) -> T:
        """The one path of every HTTP call: attempts behind the breaker and the limiter, retried
        (reads, or ``idempotent`` writes only) within the call's deadline.  ``read`` turns a
        successful response into the result."""
        deadline = call.deadline or self.deadline()
        attempt = 0
        while True:
            attempt += 1
            try:
                return await self._attempt(
                    _Attempt(method, url, params, headers, call, first_attempt + attempt - 1),
                    read,
                    json_body,
                    deadline,
                )
            except BCError as error:
                if not self.retry.should_retry(error, method=method, idempotent=idempotent, attempt=attempt):
                    raise
                delay = self.retry.delay(error, attempt, self.clock.random)
                if delay >= deadline.remaining():
                    raise  # waiting would outlast the operation: the caller gets BC's answer now
                await self.clock.sleep(delay)

    async def _attempt(
        self,
        attempt: _Attempt,
        read: Callable[[httpx.Response], tuple[T, int | None]],
        json_body: Any,
        deadline: Deadline,
    ) -> T:
        if deadline.expired:
            raise BCTimeout("the operation ran out of time for Business Central")
        self.breaker.check()  # fail fast while open, before queueing for a slot
        principal = self.principals.pick(attempt.call.affinity)
        fleet_turn = principal.fleet.turn(deadline) if principal.fleet else contextlib.nullcontext()
        async with principal.limiter.slot(deadline.remaining()), fleet_turn:
            if principal.window is not None:
                await principal.window.admit(deadline)
            self.breaker.before_call()
            try:
                result = await self._audited(attempt, read, json_body, deadline, principal)
            except BCError as error:
                if counts_against_breaker(error):
                    self.breaker.record_failure()
                else:
                    self.breaker.record_success()  # BC answered: it is there
                raise
            except BaseException:
                self.breaker.record_abandoned()
                raise
            self.breaker.record_success()
            return result

    async def _audited(
        self,
        attempt: _Attempt,
        read: Callable[[httpx.Response], tuple[T, int | None]],
        json_body: Any,
        deadline: Deadline,
        principal: Principal,
    ) -> T:
        """One audited, counted, observed HTTP request, signed in as ``principal``."""
        call = attempt.call
        watch = self.observer.call_started(
            CallStarted(
                attempt.method,
                call.route.path,
                call.entity_set,
                attempt.number,
                call.context.operation,
                call.context.request_id,
            )
        )
        headers = {**watch.headers(), **attempt.headers}
        started = time.perf_counter()
        status: int | None = None
        rows: int | None = None
        correlation_id: str | None = None
        failure: str | None = None
        timeout = min(self.settings.timeout_seconds, deadline.remaining())
        try:
            response = await self._send(
                attempt.method, attempt.url, attempt.params, headers, json_body, timeout, principal.auth
            )
            status = response.status_code
            correlation_id = correlation_id_of(response)
            if not response.is_success:
                raise error_from_response(response)
            result, rows = read(response)
            return result
        except BCError as exc:
            correlation_id = exc.correlation_id or correlation_id
            failure = exc.code
            raise
        except BaseException:
            failure = "abandoned"  # cancelled: the operation gave up on this call
            raise
        finally:
            elapsed = time.perf_counter() - started
            call.stats.request_count += 1
            call.stats.bc_seconds += elapsed
            log_call(
                call.context,
                method=attempt.method,
                route=call.route.path,
                entity_set=call.entity_set,
                status=status,
                duration_ms=elapsed * 1000,
                rows=rows,
                correlation_id=correlation_id,
                attempt=attempt.number,
                principal=principal.name,
                batch=call.batch,
            )
            watch.ended(CallEnded(status, elapsed, correlation_id, failure))

    async def _send(
        self,
        method: str,
        url: str | httpx.URL,
        params: Mapping[str, str] | None,
        headers: Mapping[str, str],
        json_body: Any,
        timeout_seconds: float,
        auth: httpx.Auth | None,
    ) -> httpx.Response:
        """The boundary: httpx exceptions become ``BCError`` here and nowhere else."""
        content = None if json_body is None else _BODY_ENCODER.encode(json_body)
        try:
            return await self._http.request(
                method,
                url,
                params=params,
                headers=headers,
                content=content,
                timeout=timeout_seconds,
                auth=auth,
            )
        except httpx.TimeoutException as exc:
            raise BCTimeout("Business Central did not answer in time") from exc
        except httpx.TransportError as exc:
            raise BCTransportError("could not reach Business Central") from exc
        except httpx.HTTPError as exc:
            raise BCProtocolError("unexpected HTTP failure talking to Business Central") from exc


# The session whose reads may be served from kept answers in the running task although it reads
# fresh (``BCSession.kept_answers_serve``); a context variable, so reads running beside them are not.
_KEPT_SERVES: ContextVar[BCSession | None] = ContextVar("bc_kept_answers_serve", default=None)
# The session whose reads in the running task are read ahead (``BCSession.riding_along``).
_RIDING: ContextVar[BCSession | None] = ContextVar("bc_riding_along", default=None)


class NotRiddenAlong(BCError):
    """A read ahead that was not sent: nothing the operation needed went to BC with it."""

    default_code = "not_ridden_along"


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
        self._context = CallContext(
            customer=scope.customer_number,
            company=str(scope.company_id),
            operation=operation,
            request_id=request_id,
        )
        self._stats = _Stats()
        self._fresh = client.answers is None
        self._wrote = False
        self._kept_age: float | None = None
        # The kept answers every read was served from, each once (a read by key's keys read
        # together stand on one); None once a read was not (from BC for this session alone,
        # media, a write): a result built from them cannot be kept then.
        self._sources: dict[AnswerSource, None] | None = {}
        # One deadline for the whole operation: no retry, wait or page may run past it.
        self.deadline = client.deadline()
        self._coalescer: Coalescer[_Read] = Coalescer(self._fetch_together)

    @property
    def batching(self) -> bool:
        """Whether keyed lookups may go to BC as one JSON ``$batch`` (``BC_BATCH``, and BC agrees)."""
        return self._client.batch_supported

    def offers(self, entity_set: str, route: ApiRoute = STANDARD_API) -> bool:
        """Whether the tenant has ``entity_set`` (``CapabilityMap.has``: assumed so until read)."""
        return self._client.capabilities.has(route, entity_set)

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
    def riding_along(self) -> Iterator[None]:
        """Within the block, and only in the task that runs it (and the tasks it starts), this
        session's reads are read ahead, to be kept for a later operation: each goes to BC only in
        a ``$batch`` with a read this operation needs (of the same API, sent in the same round),
        never in a request of its own — else it fails with ``NotRiddenAlong``, without HTTP — and
        what they answer is no part of this operation's answer (neither its age nor what a kept
        response stands on).  Only worth it while answers are kept (``keeps_answers``); a read
        that would not be kept is not made (``NotRiddenAlong``)."""
        token = _RIDING.set(self)
        try:
            yield
        finally:
            _RIDING.reset(token)

    @property
    def _riding(self) -> bool:
        return _RIDING.get() is self

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

        async def from_bc() -> list[Any]:
            check_plain = self._authorise(query, None)[1]
            rows = await self._fetch_from_bc(query, plain, check_plain, route, None, None)
            read.append(rows)
            return rows

        answers = self._client.answers
        learn = self._learner(answers, key)

        async def holds(rows: list[dict[str, Any]]) -> bool:
            return learn is None or await learn(plain.entity_set, rows)

        answer = await answers.read(key, from_bc, model, holds=holds)
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
        folded = [_folded(key) for key in wanted]
        asked = query_for(wanted)
        whole = self._authorise(asked, model)[0]
        whole_key = self._answer_key(whole, route)
        if answers is None or whole_key is None or len(set(folded)) < len(folded):
            # Nothing kept, or keys BC may take for one another (it compares codes without case).
            return await self.fetch(asked, model=model, route=route)
        self._client.capabilities.require(route, whole.entity_set, whole.expand)
        # As for `fetch`: a customer's rows are kept only once whose records they are is remembered.
        learn = self._learner(answers, whole_key)

        def each_key() -> list[ReadKey]:
            return self._keys_of_each(query_for, field, wanted, model, route)

        async def from_bc(places: list[int]) -> tuple[list[list[dict[str, Any]]], bool]:
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
        checked = []
        for query, route in reads:
            plain, check_row = self._authorise(query, None)
            self._client.capabilities.require(route, plain.entity_set, plain.expand)
            checked.append((query, plain, check_row, route))

        async def from_bc() -> list[list[dict[str, Any]]]:
            fetches = (
                self._fetch_from_bc(q, plain, check, at, None, None) for q, plain, check, at in checked
            )
            return list(await asyncio.gather(*fetches))

        keys = [self._answer_key(plain, route) for _, plain, _, route in checked]
        answers = self._client.answers
        if answers is None or not keys or any(key is None for key in keys):
            self._sources = None
            return await from_bc()

        async def wrapped() -> list[dict[str, Any]]:
            return [{"rows": rows} for rows in await from_bc()]

        key = group_key([key for key in keys if key is not None])
        learn = self._learner(answers, key)

        async def holds(parts: list[dict[str, Any]]) -> bool:
            if learn is None:
                return True
            for (_, plain, _, _), part in zip(checked, parts, strict=True):
                if not await learn(plain.entity_set, part["rows"]):
                    return False
            return True

        answer = await answers.read(key, wrapped, holds=holds)
        self._note(answer)
        self._tell_misses([answer.missed], "+".join(plain.entity_set for _, plain, _, _ in checked))
        return [list(part["rows"]) for part in answer.rows]

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
        if found and MISSES_LOGGER.isEnabledFor(logging.DEBUG):
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
        if self._fresh and (self._wrote or _KEPT_SERVES.get() is not self):
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
            path = f"companies({self.scope.company_id})/{plain.entity_set}"
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
        answered = await asyncio.gather(
            *(self._fetch_many([reads[index] for index in places], route) for route, places in by_route)
        )
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


@dataclass(frozen=True)
class RowsByKey:
    """How the rows of a list are each the answer to a read by key: ``field``, unique among the
    rows of the set in the read's scope (an order's number), and the read of some keys of it,
    exactly as ``fetch_by_key`` is given it."""

    field: str
    query_for: Callable[[Sequence[Any]], Query | ScopedQuery]


@dataclass(frozen=True)
class _Read:
    """One read asked of a session: the query, its API route, the model its rows become."""

    query: Query | ScopedQuery
    route: ApiRoute
    model: type[Entity] | None
    rider: bool = False  # read ahead: sent only with a read that is not (``riding_along``)


@dataclass(frozen=True)
class _Paged:
    """One collection read of a ``fetch_many``: where, which options, how to check and read rows."""

    path: str  # relative to the API root, as $batch wants it
    url: str
    params: Mapping[str, str]
    top: int | None
    call: _Call
    check_row: RowCheck | None
    reader: PageReader[Any]


def _pinned_record(plain: Query) -> str | None:
    """The record a read is of, when its filter pins a key a change can name (``keyed_record``):
    read by key (``fetch_by_key``) or alone, the same request is the same answer."""
    entity_set = plain.entity_set
    return next(
        (r for field, literal in pinned(plain.filter) if (r := keyed_record(entity_set, field, literal))),
        None,
    )


def _folded(value: object) -> str:
    """A key as BC compares it: codes without case, GUIDs in either case."""
    return str(value).casefold()


def _rows_by_key(rows: list[Row], field: str, folded: list[str]) -> list[list[Row]] | None:
    """``rows`` split by the key (``folded``, in order) each one answers, or ``None`` when a row
    answers none of them: BC then did not apply the filter as asked, and no row is any key's."""
    places = {key: place for place, key in enumerate(folded)}
    by_key: list[list[Row]] = [[] for _ in folded]
    for row in rows:
        value = row.get(field)
        place = places.get(_folded(value)) if value is not None else None
        if place is None:
            return None
        by_key[place].append(row)
    return by_key


def _reaches_customer_data(expands: Iterable[Expand]) -> bool:
    return any(
        item.navigation in CUSTOMER_OWNED
        or item.navigation in _CUSTOMER_NAVIGATIONS
        or _reaches_customer_data(item.expand)
        for item in expands
    )


SECURITY_LOGGER = logging.getLogger("gateway.security")


def _scope_filter(
    field_name: str, scope: CustomerScope, entity_set: str, model: type[Entity] | None
) -> RowCheck:
    """Keep only rows of the scope's customer: BC may drop a filter it cannot apply (§14).

    A foreign row should never arrive; when one does, it is dropped and logged as a security
    event (no row content, only where it came from), and the answer goes on without it.  A model
    read from a customer-owned set must declare the set's customer property, or nothing could be
    checked: such a read is refused before any request.
    """
    if model is None:
        customer_of: Callable[[Row], Any] = operator.methodcaller("get", field_name)
    else:
        attribute = attribute_of(model, field_name)
        if attribute is None:
            raise ScopeViolation(f"{model.__name__} does not read {entity_set}.{field_name}, its customer")
        customer_of = operator.attrgetter(attribute)

    def keep(row: Row) -> bool:
        if customer_of(row) == scope.customer_number:
            return True
        SECURITY_LOGGER.error(
            "scope_violation_row_dropped",
            extra={
                "security_event": "scope_violation",
                "entity_set": entity_set,
                "company": str(scope.company_id),
                "customer": scope.customer_number,
            },
        )
        return False

    return keep


def _scope_check(field_name: str, customer_number: str) -> Callable[[Mapping[str, Any]], None]:
    """Check each returned row against the scope: BC may drop a filter it cannot apply (§14)."""

    def check(row: Mapping[str, Any]) -> None:
        if row.get(field_name) != customer_number:
            raise ScopeViolation("Business Central returned a row outside the customer scope")

    return check


def _read_entity(response: httpx.Response) -> tuple[dict[str, Any], int | None]:
    """Parse one entity (a POST's answer); decimals stay exact."""
    try:
        body = json.loads(response.content, parse_float=Decimal)
    except ValueError as exc:
        raise BCProtocolError("Business Central sent a body that is not JSON") from exc
    if not isinstance(body, dict):
        raise BCProtocolError("Business Central sent an entity that is not a JSON object")
    return body, 1


def _read_text(response: httpx.Response) -> tuple[str, int | None]:
    return response.text, None


def _page_read(
    reader: PageReader[T],
) -> Callable[[httpx.Response], tuple[tuple[list[T], str | None], int | None]]:
    """Read an OData collection page from the response bytes: its rows and its nextLink."""

    def read(response: httpx.Response) -> tuple[tuple[list[T], str | None], int | None]:
        rows, link = reader(response.content)
        return (rows, link), len(rows)

    return read


def _checked_next_link(link: object, origin: httpx.URL, current: httpx.URL) -> httpx.URL:
    """The next page's URL, if it points at the same scheme, host, port and path as ``origin``."""
    if not isinstance(link, str):
        raise BCProtocolError("Business Central sent a nextLink that is not a string")
    target = current.join(link)
    if (target.scheme, target.host, target.port, target.path) != (
        origin.scheme,
        origin.host,
        origin.port,
        origin.path,
    ):
        raise BCProtocolError("Business Central sent a nextLink to another location")
    if target == current:
        raise BCProtocolError("Business Central sent a nextLink to the page it came from")
    return target
