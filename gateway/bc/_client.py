"""The HTTP client for BC: one exchange with BC per request, paging, error translation and audit."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import Any, TypeVar

import httpx
import msgspec

from ._answers import AnswerCache
from ._audit import CallContext, log_call
from ._batch import MAX_BATCH_OPERATIONS, BatchOperation, InnerResponse, batch_body, read_batch
from ._breaker import BreakerState, CircuitBreaker, counts_against_breaker
from ._calls import Row, RowCheck, _Call, _Paged
from ._capabilities import CapabilityMap
from ._changes import ChangeReader
from ._deadline import Deadline
from ._entity import PageReader, reader_for
from ._errors import (
    BCError,
    BCNotFound,
    BCProtocolError,
    BCRequestRejected,
    BCTimeout,
    BCTransportError,
    correlation_id_of,
    error_from_response,
)
from ._exchange import Exchange
from ._fleet import FleetLimiter, SharedLimits
from ._limiter import ConcurrencyLimiter
from ._observe import NO_OBSERVER, BCObserver, CallEnded, CallStarted
from ._owners import RecordOwners
from ._principals import Principal, Principals
from ._resilience import Clock
from ._retry import RetryPolicy
from ._scope import CustomerScope
from ._session import BCSession
from ._settings import STANDARD_API, ApiRoute, BCSettings
from ._subscriptions import WebhookSubscriptions
from ._transport import default_transport

__all__ = ["BCClient", "BCLoad"]

T = TypeVar("T")
# Request bodies: decimals as exact JSON numbers (a quantity never passes through float).
_BODY_ENCODER = msgspec.json.Encoder(decimal_format="number")
_MAX_PAGES = 10_000  # a loop guard: no honest result set of ours needs more pages than this


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

    All HTTP (BC and the token endpoint) goes through one ``Exchange`` on ``transport`` (default:
    the gateway's own, ``BCTransport``), with the timeout from ``settings`` on every request.
    Failures surface as ``BCError``.

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
        self.changes = ChangeReader(self)  # what changed, for the change poller
        self._batch_urls: dict[str, httpx.URL] = {}
        # No client-wide auth: each request signs in as the principal that sends it.
        self._http = Exchange(
            transport if transport is not None else default_transport(), {"Accept": "application/json"}
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
                if (
                    isinstance(outcome, BCError)
                    and batch_call.retried
                    and self.retry.should_retry(outcome, method="GET", idempotent=True, attempt=attempt)
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
                if not call.retried or not self.retry.should_retry(
                    error, method=method, idempotent=idempotent, attempt=attempt
                ):
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
            return await self._http.send(method, url, params, headers, content, timeout_seconds, auth)
        except httpx.TimeoutException as exc:
            raise BCTimeout("Business Central did not answer in time") from exc
        except httpx.TransportError as exc:
            raise BCTransportError("could not reach Business Central") from exc
        except httpx.HTTPError as exc:
            raise BCProtocolError("unexpected HTTP failure talking to Business Central") from exc


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
