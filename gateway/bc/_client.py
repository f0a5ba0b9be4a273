"""The HTTP client for BC: one ``httpx.AsyncClient``, paging, error translation and audit."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from types import TracebackType
from typing import Any, TypeVar

import httpx

from ._audit import CallContext, log_call
from ._capabilities import CapabilityMap
from ._errors import (
    BCError,
    BCProtocolError,
    BCTimeout,
    BCTransportError,
    ODataBuildError,
    ScopeViolation,
    correlation_id_of,
    error_from_response,
)
from ._odata import Expand, Query
from ._scope import CUSTOMER_OWNED, CustomerScope, ScopedQuery
from ._settings import STANDARD_API, ApiRoute, BCSettings
from ._token import EntraTokenAuth

__all__ = ["BCClient", "BCSession"]

T = TypeVar("T")
RowCheck = Callable[[Mapping[str, Any]], None]
_MAX_PAGES = 10_000  # a loop guard: no honest result set of ours needs more pages than this
# Navigations that would pull customer-owned data into an otherwise unscoped query.
_CUSTOMER_NAVIGATIONS = frozenset({"customer", "customerFinancialDetail", "agedAccountsReceivable"})


@dataclass
class _Stats:
    request_count: int = 0
    bc_seconds: float = 0.0


@dataclass(frozen=True)
class _Call:
    """What one HTTP call is about: for the audit record and the session's counters."""

    context: CallContext
    route: ApiRoute
    entity_set: str
    stats: _Stats = field(default_factory=_Stats)


class BCClient:
    """A long-lived client for one BC environment; open it in the app's lifespan.

    All HTTP (BC and the token endpoint) goes through one ``httpx.AsyncClient`` on ``transport``,
    with the timeout from ``settings`` on every request.  Failures surface as ``BCError``.
    """

    def __init__(self, settings: BCSettings, *, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.settings = settings
        self.capabilities = CapabilityMap()
        self._timeout = httpx.Timeout(settings.timeout_seconds)
        auth = (
            EntraTokenAuth(settings.credentials, timeout_seconds=settings.timeout_seconds)
            if settings.credentials is not None
            else None
        )
        self._http = httpx.AsyncClient(
            transport=transport,
            auth=auth,
            timeout=self._timeout,
            follow_redirects=False,  # a redirect could carry the bearer token elsewhere
            headers={"Accept": "application/json"},
        )

    async def aclose(self) -> None:
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

    def session(self, scope: CustomerScope, *, operation: str | None = None) -> BCSession:
        """A session for one GraphQL operation on behalf of ``scope``."""
        return BCSession(self, scope, operation=operation)

    async def fetch_companies(self) -> list[dict[str, Any]]:
        """All companies of the environment (top-level ``companies``; no customer data)."""
        call = _Call(CallContext(), STANDARD_API, "companies")
        url = f"{self.settings.route_url(STANDARD_API)}/companies"
        return await self._fetch_pages(url, {}, call, top=None, limit=None)

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
        *,
        top: int | None,
        limit: int | None,
        check_row: RowCheck | None = None,
    ) -> list[dict[str, Any]]:
        # With $top BC sends no nextLink, so a page smaller than $top would truncate silently.
        page_size = self.settings.page_size if top is None else max(self.settings.page_size, top)
        headers = {"Prefer": f"odata.maxpagesize={page_size}"}
        origin = httpx.URL(url)
        next_url: httpx.URL | None = origin
        next_params: Mapping[str, str] | None = params
        rows: list[dict[str, Any]] = []
        for _ in range(_MAX_PAGES):
            if next_url is None:
                return rows
            body = await self._request("GET", str(next_url), next_params, headers, call, _read_page)
            for row in body["value"]:
                if check_row is not None:
                    check_row(row)
                rows.append(row)
            if limit is not None and len(rows) >= limit:
                return rows[:limit]
            # The nextLink carries every query option (and the skiptoken) itself.
            next_url, next_params = _checked_next_link(body.get("@odata.nextLink"), origin, next_url), None
        raise BCProtocolError("Business Central kept sending nextLinks")

    async def _request(
        self,
        method: str,
        url: str,
        params: Mapping[str, str] | None,
        headers: Mapping[str, str],
        call: _Call,
        read: Callable[[httpx.Response], tuple[T, int | None]],
        *,
        json_body: Any = None,
    ) -> T:
        """One audited, counted HTTP call; ``read`` turns a successful response into the result."""
        started = time.perf_counter()
        status: int | None = None
        rows: int | None = None
        correlation_id: str | None = None
        try:
            response = await self._send(method, url, params, headers, json_body)
            status = response.status_code
            correlation_id = correlation_id_of(response)
            if not response.is_success:
                raise error_from_response(response)
            result, rows = read(response)
            return result
        except BCError as exc:
            correlation_id = exc.correlation_id or correlation_id
            raise
        finally:
            elapsed = time.perf_counter() - started
            call.stats.request_count += 1
            call.stats.bc_seconds += elapsed
            log_call(
                call.context,
                method=method,
                route=call.route.path,
                entity_set=call.entity_set,
                status=status,
                duration_ms=elapsed * 1000,
                rows=rows,
                correlation_id=correlation_id,
            )

    async def _send(
        self,
        method: str,
        url: str,
        params: Mapping[str, str] | None,
        headers: Mapping[str, str],
        json_body: Any = None,
    ) -> httpx.Response:
        """The boundary: httpx exceptions become ``BCError`` here and nowhere else."""
        try:
            return await self._http.request(
                method, url, params=params, headers=headers, json=json_body, timeout=self._timeout
            )
        except httpx.TimeoutException as exc:
            raise BCTimeout("Business Central did not answer in time") from exc
        except httpx.TransportError as exc:
            raise BCTransportError("could not reach Business Central") from exc
        except httpx.HTTPError as exc:
            raise BCProtocolError("unexpected HTTP failure talking to Business Central") from exc


class BCSession:
    """BC access for one GraphQL operation: bound to one ``CustomerScope``, counted and audited.

    Customer-owned entity sets are readable only through ``scoped()`` queries for this session's
    scope, and every row that comes back is checked against the scope.
    """

    def __init__(self, client: BCClient, scope: CustomerScope, *, operation: str | None = None) -> None:
        self._client = client
        self.scope = scope
        self._context = CallContext(
            customer=scope.customer_number, company=str(scope.company_id), operation=operation
        )
        self._stats = _Stats()

    @property
    def request_count(self) -> int:
        return self._stats.request_count

    @property
    def bc_seconds(self) -> float:
        return self._stats.bc_seconds

    async def fetch(
        self,
        query: Query | ScopedQuery,
        *,
        route: ApiRoute = STANDARD_API,
        limit: int | None = None,
    ) -> list[dict[str, Any]]:
        """All rows of ``query`` (following nextLinks), or the first ``limit`` rows."""
        plain, check_row = self._authorise(query)
        self._client.capabilities.require(route, plain.entity_set)
        if limit is not None and (isinstance(limit, bool) or limit < 1):
            raise ODataBuildError("limit must be a positive integer")
        settings = self._client.settings
        url = f"{settings.route_url(route)}/companies({self.scope.company_id})/{plain.entity_set}"
        call = _Call(self._context, route, plain.entity_set, self._stats)
        return await self._client._fetch_pages(
            url, plain.params(), call, top=plain.top, limit=limit, check_row=check_row
        )

    def _authorise(self, query: Query | ScopedQuery) -> tuple[Query, RowCheck | None]:
        if isinstance(query, ScopedQuery):
            if query.scope != self.scope:
                raise ScopeViolation("the query is scoped to another customer than this session")
            return query.query, _scope_check(query.scope_field, self.scope.customer_number)
        if not isinstance(query, Query):
            raise TypeError("fetch() takes a Query or a ScopedQuery")
        if query.entity_set in CUSTOMER_OWNED:
            raise ScopeViolation(f"{query.entity_set} is customer-owned: build the query with scoped()")
        if _reaches_customer_data(query.expand):
            raise ScopeViolation("an unscoped query must not expand customer-owned data")
        return query, None


def _reaches_customer_data(expands: Iterable[Expand]) -> bool:
    return any(
        item.navigation in CUSTOMER_OWNED
        or item.navigation in _CUSTOMER_NAVIGATIONS
        or _reaches_customer_data(item.expand)
        for item in expands
    )


def _scope_check(field_name: str, customer_number: str) -> RowCheck:
    """Check each returned row against the scope: BC may drop a filter it cannot apply (§14)."""

    def check(row: Mapping[str, Any]) -> None:
        if row.get(field_name) != customer_number:
            raise ScopeViolation("Business Central returned a row outside the customer scope")

    return check


def _read_text(response: httpx.Response) -> tuple[str, int | None]:
    return response.text, None


def _read_page(response: httpx.Response) -> tuple[dict[str, Any], int | None]:
    """Parse an OData collection page; decimals stay exact (``parse_float=Decimal``)."""
    try:
        body = json.loads(response.content, parse_float=Decimal)
    except ValueError as exc:
        raise BCProtocolError("Business Central sent a body that is not JSON") from exc
    value = body.get("value") if isinstance(body, dict) else None
    if not isinstance(value, list) or not all(isinstance(row, dict) for row in value):
        raise BCProtocolError("Business Central sent a collection without a 'value' list of objects")
    return body, len(value)


def _checked_next_link(link: object, origin: httpx.URL, current: httpx.URL) -> httpx.URL | None:
    """The next page's URL, if it points at the same scheme, host, port and path as ``origin``."""
    if link is None:
        return None
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
