"""``BCSession.fetch_many``: many reads in JSON ``$batch`` requests of at most 100, routed back."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any
from urllib.parse import parse_qs, quote, urlencode, urlsplit

import httpx
import pytest
import respx
from hypothesis import given
from hypothesis import strategies as st

from gateway.bc import (
    STANDARD_API,
    BCClient,
    BCNotFound,
    BCSettings,
    CapabilityUnavailable,
    CustomerScope,
    Field,
    Query,
    ResilienceSettings,
    scoped,
)
from gateway.bc._batch import query_string
from gateway.bc._capabilities import RouteCapabilities
from tests.bc.conftest import COMPANY_ID, COMPANY_PATH
from tests.bc.fakes import FakeTime

pytestmark = pytest.mark.anyio

BATCH_PATH = "/bc/api/v2.0/$batch"


def number_query(number: str) -> Query:
    return Query("items", filter=Field("number").eq(number))


def fake_batch(fail: dict[str, httpx.Response] | None = None) -> Any:
    """Answers each inner GET of items with the one item its filter names."""

    def answer(request: httpx.Request) -> httpx.Response:
        responses = []
        for inner in json.loads(request.content)["requests"]:
            url = urlsplit(inner["url"])
            number = parse_qs(url.query)["$filter"][0].split("'")[1]
            failure = (fail or {}).get(number)
            if failure is not None:
                responses.append(
                    {
                        "id": inner["id"],
                        "status": failure.status_code,
                        "headers": dict(failure.headers),
                        "body": failure.json(),
                    }
                )
            else:
                responses.append(
                    {"id": inner["id"], "status": 200, "body": {"value": [{"number": number, "price": 1.5}]}}
                )
        return httpx.Response(200, json={"responses": list(reversed(responses))})

    return answer


@pytest.fixture
async def client(settings: BCSettings, router: respx.MockRouter) -> AsyncIterator[BCClient]:
    clock = FakeTime().clock()
    async with BCClient(settings, transport=httpx.MockTransport(router.async_handler), clock=clock) as bc:
        yield bc


async def test_many_reads_go_as_batches_of_at_most_100_with_each_answer_in_its_place(
    client: BCClient, router: respx.MockRouter, scope: CustomerScope
) -> None:
    route = router.post(BATCH_PATH).mock(side_effect=fake_batch())
    numbers = [f"N{n:03}" for n in range(150)]
    results = await client.session(scope).fetch_many([number_query(n) for n in numbers])
    assert [len(json.loads(call.request.content)["requests"]) for call in route.calls] == [100, 50]
    assert [row[0]["number"] for row in results if isinstance(row, list)] == numbers


async def test_inner_requests_are_relative_gets_with_the_query_options(
    client: BCClient, router: respx.MockRouter, scope: CustomerScope
) -> None:
    route = router.post(BATCH_PATH).mock(side_effect=fake_batch())
    # (A quote can no longer reach a filter: it is an AL operator, refused when the query is built.)
    await client.session(scope).fetch_many([number_query("A B"), number_query("1#2+3%")])
    inner = json.loads(route.calls.last.request.content)["requests"]
    assert [r["method"] for r in inner] == ["GET", "GET"]
    assert inner[0]["url"] == f"companies({COMPANY_ID})/items?$filter=number%20eq%20'A%20B'"
    assert inner[1]["url"] == f"companies({COMPANY_ID})/items?$filter=number%20eq%20'1%232%2B3%25'"
    assert route.calls.last.request.headers["content-type"] == "application/json"


async def test_an_inner_failure_is_that_querys_error_and_the_others_still_answer(
    client: BCClient, router: respx.MockRouter, scope: CustomerScope
) -> None:
    missing = httpx.Response(404, json={"error": {"code": "BadRequest_NotFound", "message": "gone"}})
    router.post(BATCH_PATH).mock(side_effect=fake_batch({"B": missing}))
    results = await client.session(scope).fetch_many([number_query(n) for n in "ABC"])
    assert isinstance(results[1], BCNotFound)
    assert [results[0], results[2]] == [[{"number": "A", "price": 1.5}], [{"number": "C", "price": 1.5}]]


async def test_a_throttled_inner_request_is_sent_again_alone(
    client: BCClient, router: respx.MockRouter, scope: CustomerScope
) -> None:
    throttled = httpx.Response(
        429, headers={"Retry-After": "1"}, json={"error": {"code": "x", "message": "y"}}
    )
    outcomes = iter([fake_batch({"B": throttled}), fake_batch()])
    route = router.post(BATCH_PATH).mock(side_effect=lambda request: next(outcomes)(request))
    results = await client.session(scope).fetch_many([number_query(n) for n in "ABC"])
    assert all(isinstance(result, list) for result in results)
    assert [len(json.loads(call.request.content)["requests"]) for call in route.calls] == [3, 1]


async def test_a_single_read_is_a_plain_get(
    client: BCClient, router: respx.MockRouter, scope: CustomerScope
) -> None:
    get = router.get(f"{COMPANY_PATH}/items").respond(json={"value": [{"number": "A"}]})
    assert await client.session(scope).fetch_many([number_query("A")]) == [[{"number": "A"}]]
    assert get.call_count == 1


async def test_without_batch_support_reads_go_one_by_one_from_then_on(
    client: BCClient, router: respx.MockRouter, scope: CustomerScope
) -> None:
    batch = router.post(BATCH_PATH).respond(
        404, json={"error": {"code": "BadRequest_NotFound", "message": "no"}}
    )
    get = router.get(f"{COMPANY_PATH}/items").respond(json={"value": []})
    session = client.session(scope)
    await session.fetch_many([number_query("A"), number_query("B")])
    await session.fetch_many([number_query("A"), number_query("B")])
    assert (batch.call_count, get.call_count) == (1, 4)
    assert not session.batching


async def test_batching_switched_off_sends_plain_gets(
    settings: BCSettings, router: respx.MockRouter, scope: CustomerScope
) -> None:
    get = router.get(f"{COMPANY_PATH}/items").respond(json={"value": []})
    off = replace(settings, resilience=ResilienceSettings(batch=False))
    async with BCClient(off, transport=httpx.MockTransport(router.async_handler)) as bc:
        await bc.session(scope).fetch_many([number_query("A"), number_query("B")])
    assert get.call_count == 2


async def test_rows_of_another_customer_inside_a_batch_are_dropped(
    client: BCClient, router: respx.MockRouter, scope: CustomerScope
) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        inner = json.loads(request.content)["requests"]
        rows = {"value": [{"number": "SO1", "customerNumber": "20000"}]}
        return httpx.Response(
            200, json={"responses": [{"id": r["id"], "status": 200, "body": rows} for r in inner]}
        )

    router.post(BATCH_PATH).mock(side_effect=answer)
    queries = [scoped(Query("salesOrders", filter=Field("number").eq(n)), scope) for n in ("SO1", "SO2")]
    results = await client.session(scope).fetch_many(queries)
    assert results == [[], []]


async def test_a_missing_entity_set_fails_alone_without_http(
    client: BCClient, router: respx.MockRouter, scope: CustomerScope
) -> None:
    client.capabilities.record(
        STANDARD_API, RouteCapabilities(present=True, entity_sets=frozenset({"items"}))
    )
    get = router.get(f"{COMPANY_PATH}/items").respond(json={"value": []})
    results = await client.session(scope).fetch_many([Query("shipmentMethods"), number_query("A")])
    assert isinstance(results[0], CapabilityUnavailable)
    assert results[1] == []
    assert get.call_count == 1


@given(st.dictionaries(st.text(max_size=12), st.text(max_size=80), max_size=6))
def test_an_inner_reads_query_string_is_what_urlencode_with_quote_writes(params: dict[str, str]) -> None:
    # %20 for a space and every byte outside the OData-safe set escaped, non-ASCII as UTF-8.
    assert query_string(params) == urlencode(params, quote_via=quote, safe="$,'()")
