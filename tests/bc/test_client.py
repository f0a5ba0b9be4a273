"""BCClient / BCSession against a faked BC: requests, scope enforcement, paging, parsing."""

from __future__ import annotations

import asyncio
import logging
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest
import respx

from gateway.bc import (
    ANALYTICS_API,
    BCClient,
    BCProtocolError,
    BCSettings,
    BCTimeout,
    BCTransportError,
    CustomerScope,
    Expand,
    Field,
    Item,
    ODataBuildError,
    Query,
    SalesOrder,
    SalesOrderLine,
    ScopeViolation,
    UnsafeFilterText,
    scoped,
)
from tests.bc.conftest import BASE_URL, COMPANY_ID, COMPANY_PATH, PAGE_SIZE, TOKEN

ORDERS_PATH = f"{COMPANY_PATH}/salesOrders"
ITEMS_PATH = f"{COMPANY_PATH}/items"


def page(rows: list[dict[str, Any]], next_link: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"@odata.context": "ctx", "value": rows}
    if next_link is not None:
        body["@odata.nextLink"] = next_link
    return body


def order(number: str, customer: str = "10000") -> dict[str, Any]:
    return {"id": "848028e0-0c2c-f011-9a4a-7ced8d0fb545", "number": number, "customerNumber": customer}


def query_of(request: httpx.Request) -> dict[str, list[str]]:
    return parse_qs(request.url.query.decode(), keep_blank_values=True)


@pytest.mark.anyio
async def test_fetch_sends_query_options_prefer_header_and_bearer(
    client: BCClient, router: respx.MockRouter, scope: CustomerScope
) -> None:
    route = router.get(ORDERS_PATH).respond(json=page([order("SO1")]))
    rows = await client.session(scope).fetch(scoped(Query("salesOrders", select=("id", "number")), scope))
    request = route.calls.last.request
    assert rows == [order("SO1")]
    assert query_of(request) == {
        "$filter": ["customerNumber eq '10000'"],
        "$select": ["id,number,customerNumber"],
    }
    assert request.headers["Prefer"] == f"odata.maxpagesize={PAGE_SIZE}"
    assert request.headers["Authorization"] == f"Bearer {TOKEN}"


@pytest.mark.anyio
@pytest.mark.parametrize(
    "value", ["'", "''", "%27", "&$top=1", ")", " eq ", "#", "a' or number ne 'b", "Wieżowa ✓", "x\ny"]
)
async def test_injection_text_becomes_one_escaped_literal_or_is_refused_before_http(
    value: str, client: BCClient, router: respx.MockRouter, scope: CustomerScope
) -> None:
    route = router.get(ITEMS_PATH).respond(json=page([]))
    try:
        query = Query("items", filter=Field("displayName").eq(value))
    except UnsafeFilterText:
        # Quotes, ")", "&" are AL filter operators (REFERENCE §14): such text never reaches BC.
        assert route.call_count == 0
        return
    await client.session(scope).fetch(query)
    params = query_of(route.calls.last.request)
    assert params == {"$filter": ["displayName eq '" + value + "'"]}


@pytest.mark.anyio
async def test_unscoped_query_for_customer_owned_set_never_reaches_http(
    client: BCClient, router: respx.MockRouter, scope: CustomerScope
) -> None:
    session = client.session(scope)
    with pytest.raises(ScopeViolation):
        await session.fetch(Query("salesOrders"))
    assert router.calls.call_count == 0
    assert session.request_count == 0


@pytest.mark.anyio
async def test_unscoped_query_cannot_expand_customer_data(
    client: BCClient, router: respx.MockRouter, scope: CustomerScope
) -> None:
    with pytest.raises(ScopeViolation):
        await client.session(scope).fetch(Query("salesShipmentMethods", expand=(Expand("customer"),)))
    assert router.calls.call_count == 0


@pytest.mark.anyio
async def test_query_scoped_to_another_customer_is_refused(
    client: BCClient, router: respx.MockRouter, scope: CustomerScope
) -> None:
    other = scoped(Query("salesOrders"), CustomerScope(COMPANY_ID, "20000"))
    with pytest.raises(ScopeViolation):
        await client.session(scope).fetch(other)
    assert router.calls.call_count == 0


@pytest.mark.anyio
async def test_row_of_another_customer_is_dropped_and_logged_as_a_security_event(
    client: BCClient, router: respx.MockRouter, scope: CustomerScope, caplog: pytest.LogCaptureFixture
) -> None:
    router.get(ORDERS_PATH).respond(json=page([order("SO1"), order("SO2", customer="20000")]))
    with caplog.at_level(logging.ERROR, logger="gateway.security"):
        rows = await client.session(scope).fetch(scoped(Query("salesOrders"), scope))
    assert [row["number"] for row in rows] == ["SO1"]
    events = [r for r in caplog.records if getattr(r, "security_event", None) == "scope_violation"]
    assert len(events) == 1
    assert events[0].entity_set == "salesOrders"  # type: ignore[attr-defined]
    assert events[0].customer == "10000"  # type: ignore[attr-defined]
    assert "20000" not in caplog.text  # the foreign row's content is not logged


@pytest.mark.anyio
async def test_typed_read_drops_another_customers_row_and_logs_it_as_a_security_event(
    client: BCClient, router: respx.MockRouter, scope: CustomerScope, caplog: pytest.LogCaptureFixture
) -> None:
    router.get(ORDERS_PATH).respond(json=page([order("SO1"), order("SO2", customer="20000")]))
    with caplog.at_level(logging.ERROR, logger="gateway.security"):
        orders = await client.session(scope).fetch(scoped(Query("salesOrders"), scope), model=SalesOrder)
    assert [o.number for o in orders] == ["SO1"]
    assert isinstance(orders[0], SalesOrder)
    events = [r for r in caplog.records if getattr(r, "security_event", None) == "scope_violation"]
    assert len(events) == 1
    assert "20000" not in caplog.text


@pytest.mark.anyio
async def test_typed_read_of_a_model_without_the_customer_property_never_reaches_http(
    client: BCClient, router: respx.MockRouter, scope: CustomerScope
) -> None:
    # A sales-order line carries no customer number: its rows could not be checked.
    with pytest.raises(ScopeViolation):
        await client.session(scope).fetch(scoped(Query("salesOrders"), scope), model=SalesOrderLine)
    assert router.calls.call_count == 0


@pytest.mark.anyio
async def test_typed_reads_batched_together_each_get_their_own_models(
    client: BCClient, router: respx.MockRouter, scope: CustomerScope
) -> None:
    item = {"id": "848028e0-0c2c-f011-9a4a-7ced8d0fb545", "number": "1896-S", "unitPrice": 12.30}
    answers = {
        "responses": [
            {"id": "1", "status": 200, "body": page([order("SO1")])},
            {"id": "2", "status": 200, "body": page([item])},
        ]
    }
    router.post("/bc/api/v2.0/$batch").respond(json=answers)
    session = client.session(scope)
    orders, items = await asyncio.gather(
        session.fetch(scoped(Query("salesOrders"), scope), model=SalesOrder),
        session.fetch(Query("items"), model=Item),
    )
    assert [o.number for o in orders] == ["SO1"]
    assert items[0].unit_price == Decimal("12.30")
    assert session.request_count == 1


@pytest.mark.anyio
async def test_paging_follows_next_links_in_order(
    client: BCClient, router: respx.MockRouter, scope: CustomerScope
) -> None:
    next1 = f"{BASE_URL}{ORDERS_PATH}?$skiptoken=1"
    next2 = f"{BASE_URL}{ORDERS_PATH}?$skiptoken=2"
    route = router.get(ORDERS_PATH).mock(
        side_effect=[
            httpx.Response(200, json=page([order("SO1")], next1)),
            httpx.Response(200, json=page([order("SO2")], next2)),
            httpx.Response(200, json=page([order("SO3")])),
        ]
    )
    session = client.session(scope)
    rows = await session.fetch(scoped(Query("salesOrders"), scope))
    assert [row["number"] for row in rows] == ["SO1", "SO2", "SO3"]
    assert [str(call.request.url) for call in route.calls][1:] == [next1, next2]
    assert all(call.request.headers["Prefer"] == f"odata.maxpagesize={PAGE_SIZE}" for call in route.calls)
    assert session.request_count == 3
    assert session.bc_seconds > 0


@pytest.mark.anyio
async def test_limit_stops_paging(client: BCClient, router: respx.MockRouter, scope: CustomerScope) -> None:
    route = router.get(ORDERS_PATH).respond(
        json=page([order("SO1"), order("SO2")], f"{BASE_URL}{ORDERS_PATH}?$skiptoken=2")
    )
    rows = await client.session(scope).fetch(scoped(Query("salesOrders"), scope), limit=1)
    assert [row["number"] for row in rows] == ["SO1"]
    assert route.call_count == 1


@pytest.mark.anyio
@pytest.mark.parametrize(
    "next_link",
    [
        f"https://evil.test{ORDERS_PATH}?$skiptoken=1",
        f"http://bc.test{ORDERS_PATH}?$skiptoken=1",
        f"https://bc.test:8443{ORDERS_PATH}?$skiptoken=1",
        f"{BASE_URL}{COMPANY_PATH}/customers?$skiptoken=1",
        f"{BASE_URL}/bc/api/v2.0/companies(00000000-0000-0000-0000-000000000001)/salesOrders?$skiptoken=1",
    ],
)
async def test_next_link_elsewhere_is_refused(
    next_link: str, client: BCClient, router: respx.MockRouter, scope: CustomerScope
) -> None:
    router.get(ORDERS_PATH).respond(json=page([order("SO1")], next_link))
    with pytest.raises(BCProtocolError):
        await client.session(scope).fetch(scoped(Query("salesOrders"), scope))
    assert router.calls.call_count == 2  # token + first page: the foreign link was never followed


@pytest.mark.anyio
async def test_top_asks_for_a_page_at_least_that_large(
    client: BCClient, router: respx.MockRouter, scope: CustomerScope
) -> None:
    route = router.get(ITEMS_PATH).respond(json=page([]))
    await client.session(scope).fetch(Query("items", top=PAGE_SIZE * 3))
    assert route.calls.last.request.headers["Prefer"] == f"odata.maxpagesize={PAGE_SIZE * 3}"


@pytest.mark.anyio
async def test_numbers_are_parsed_as_decimals(
    client: BCClient, router: respx.MockRouter, scope: CustomerScope
) -> None:
    router.get(ITEMS_PATH).mock(
        return_value=httpx.Response(200, content=b'{"value": [{"unitPrice": 1000.80, "inventory": 4}]}')
    )
    [row] = await client.session(scope).fetch(Query("items"))
    assert row["unitPrice"] == Decimal("1000.80")
    assert isinstance(row["unitPrice"], Decimal)


@pytest.mark.anyio
async def test_route_selects_the_api_path(
    client: BCClient, router: respx.MockRouter, scope: CustomerScope
) -> None:
    route = router.get(f"/bc/api/microsoft/analytics/v1.0/companies({COMPANY_ID})/items").respond(
        json=page([])
    )
    await client.session(scope).fetch(Query("items"), route=ANALYTICS_API)
    assert route.called


@pytest.mark.anyio
@pytest.mark.parametrize("body", [b"not json", b'{"value": 1}', b"[]", b'{"value": [1]}'])
async def test_unreadable_page_is_a_protocol_error(
    body: bytes, client: BCClient, router: respx.MockRouter, scope: CustomerScope
) -> None:
    router.get(ITEMS_PATH).mock(return_value=httpx.Response(200, content=body))
    with pytest.raises(BCProtocolError):
        await client.session(scope).fetch(Query("items"))


@pytest.mark.anyio
async def test_connection_failure_is_a_transport_error(
    client: BCClient, router: respx.MockRouter, scope: CustomerScope
) -> None:
    router.get(ITEMS_PATH).mock(side_effect=httpx.ConnectError("refused"))
    with pytest.raises(BCTransportError) as caught:
        await client.session(scope).fetch(Query("items"))
    assert isinstance(caught.value.__cause__, httpx.ConnectError)


@pytest.mark.anyio
async def test_timeout_is_a_bc_timeout(
    client: BCClient, router: respx.MockRouter, scope: CustomerScope
) -> None:
    router.get(ITEMS_PATH).mock(side_effect=httpx.ReadTimeout("slow"))
    with pytest.raises(BCTimeout):
        await client.session(scope).fetch(Query("items"))


@pytest.mark.anyio
async def test_every_request_carries_the_configured_timeout(
    settings: BCSettings, router: respx.MockRouter, scope: CustomerScope
) -> None:
    seen: list[dict[str, Any]] = []

    async def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.extensions["timeout"])
        return await router.async_handler(request)

    router.get(ITEMS_PATH).respond(json=page([]))
    slow = BCSettings.on_premises("https://bc.test/bc", settings.credentials, timeout_seconds=7.5)
    async with BCClient(slow, transport=httpx.MockTransport(handler)) as bc:
        await bc.session(scope).fetch(Query("items"))
    assert [timeout["read"] for timeout in seen] == [7.5, 7.5]  # token request and BC request


@pytest.mark.anyio
async def test_invalid_limit_is_refused(client: BCClient, scope: CustomerScope) -> None:
    with pytest.raises(ODataBuildError):
        await client.session(scope).fetch(Query("items"), limit=0)


@pytest.mark.anyio
async def test_fetch_companies_reads_top_level_companies(client: BCClient, router: respx.MockRouter) -> None:
    route = router.get("/bc/api/v2.0/companies").respond(
        json=page([{"id": str(COMPANY_ID), "name": "Rebel"}])
    )
    assert await client.fetch_companies() == [{"id": str(COMPANY_ID), "name": "Rebel"}]
    assert route.called


@pytest.mark.anyio
async def test_fetch_metadata_returns_the_edmx(client: BCClient, router: respx.MockRouter) -> None:
    router.get("/bc/api/bcgateway/portal/v1.0/$metadata").respond(text="<edmx/>")
    from gateway.bc import PORTAL_API

    assert await client.fetch_metadata(PORTAL_API) == "<edmx/>"


@pytest.mark.anyio
async def test_client_without_credentials_sends_no_authorization(
    router: respx.MockRouter, scope: CustomerScope
) -> None:
    route = router.get(ITEMS_PATH).respond(json=page([]))
    settings = BCSettings.on_premises("https://bc.test/bc/", None)
    async with BCClient(settings, transport=httpx.MockTransport(router.async_handler)) as bc:
        await bc.session(scope).fetch(Query("items"))
    assert "Authorization" not in route.calls.last.request.headers


def test_online_settings_build_the_entra_token_url() -> None:
    settings = BCSettings.online("contoso.onmicrosoft.com", "Production", "app", "secret")
    assert (
        settings.environment_url
        == "https://api.businesscentral.dynamics.com/v2.0/contoso.onmicrosoft.com/Production"
    )
    assert settings.credentials is not None
    assert settings.credentials.token_url == (
        "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token"
    )
    assert settings.credentials.scope == "https://api.businesscentral.dynamics.com/.default"


@pytest.mark.parametrize("environment", ["prod/../x", "a?b", "a#b", ""])
def test_online_settings_refuse_path_breaking_names(environment: str) -> None:
    with pytest.raises(ValueError, match="invalid"):
        BCSettings.online("tenant", environment, "app", "secret")
