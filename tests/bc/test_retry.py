"""Retries: reads and idempotent requests only, on transient failures, within the deadline."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

import httpx
import pytest
import respx

from gateway.bc import (
    STANDARD_API,
    BCClient,
    BCError,
    BCRequestRejected,
    BCSettings,
    BCThrottled,
    BCTimeout,
    BCUnavailable,
    CustomerScope,
    Query,
    ResilienceSettings,
)
from gateway.bc._audit import CallContext
from gateway.bc._calls import _Call  # the one request path every call takes
from gateway.bc._client import _read_text
from tests.bc.conftest import BASE_URL, COMPANY_PATH
from tests.bc.fakes import FakeTime

pytestmark = pytest.mark.anyio

ITEMS_PATH = f"{COMPANY_PATH}/items"
OK = httpx.Response(200, json={"value": [{"number": "1000"}]})


def unavailable(retry_after: str | None = None, status: int = 503) -> httpx.Response:
    headers = {"Retry-After": retry_after} if retry_after is not None else {}
    return httpx.Response(status, headers=headers, json={"error": {"code": "Unavailable", "message": "x"}})


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime(random=lambda: 0.5)


def with_knobs(settings: BCSettings, **knobs: object) -> BCSettings:
    return replace(settings, resilience=ResilienceSettings(**knobs))  # type: ignore[arg-type]


@pytest.fixture
async def client(
    settings: BCSettings, router: respx.MockRouter, fake_time: FakeTime
) -> AsyncIterator[BCClient]:
    transport = httpx.MockTransport(router.async_handler)
    async with BCClient(
        with_knobs(settings, breaker_failures=100), transport=transport, clock=fake_time.clock()
    ) as bc:
        yield bc


async def test_a_read_answered_503_with_retry_after_is_retried_after_exactly_that_wait(
    client: BCClient, router: respx.MockRouter, scope: CustomerScope, fake_time: FakeTime
) -> None:
    route = router.get(ITEMS_PATH).mock(side_effect=[unavailable("2"), unavailable("1.5"), OK])
    rows = await client.session(scope).fetch(Query("items"))
    assert rows == [{"number": "1000"}]
    assert route.call_count == 3
    assert fake_time.sleeps == [2.0, 1.5]


async def test_retry_after_is_honoured_only_up_to_the_cap(
    settings: BCSettings, router: respx.MockRouter, scope: CustomerScope, fake_time: FakeTime
) -> None:
    router.get(ITEMS_PATH).mock(side_effect=[unavailable("120"), OK])
    knobs = with_knobs(settings, retry_after_cap_seconds=5.0, operation_deadline_seconds=60.0)
    transport = httpx.MockTransport(router.async_handler)
    async with BCClient(knobs, transport=transport, clock=fake_time.clock()) as bc:
        await bc.session(scope).fetch(Query("items"))
    assert fake_time.sleeps == [5.0]


async def test_without_retry_after_waits_grow_exponentially_with_full_jitter(
    client: BCClient, router: respx.MockRouter, scope: CustomerScope, fake_time: FakeTime
) -> None:
    router.get(ITEMS_PATH).mock(
        side_effect=[unavailable(status=502), unavailable(status=504), httpx.Response(429), OK]
    )
    await client.session(scope).fetch(Query("items"))
    # random() = 0.5 of a ceiling of 0.25 s, 0.5 s, 1 s
    assert fake_time.sleeps == [0.125, 0.25, 0.5]


async def test_connection_errors_and_read_timeouts_are_retried(
    client: BCClient, router: respx.MockRouter, scope: CustomerScope
) -> None:
    route = router.get(ITEMS_PATH).mock(
        side_effect=[httpx.ConnectError("refused"), httpx.ReadTimeout("slow"), OK]
    )
    assert await client.session(scope).fetch(Query("items")) == [{"number": "1000"}]
    assert route.call_count == 3


async def test_retries_stop_after_the_last_attempt_with_bcs_answer(
    client: BCClient, router: respx.MockRouter, scope: CustomerScope
) -> None:
    route = router.get(ITEMS_PATH).mock(return_value=httpx.Response(429))
    with pytest.raises(BCThrottled):
        await client.session(scope).fetch(Query("items"))
    assert route.call_count == 4  # retry_max_attempts, the first attempt included


@pytest.mark.parametrize("status", [400, 404, 409, 500])
async def test_answers_that_are_not_transient_are_not_retried(
    status: int, client: BCClient, router: respx.MockRouter, scope: CustomerScope
) -> None:
    route = router.get(ITEMS_PATH).respond(status)
    with pytest.raises(BCError):
        await client.session(scope).fetch(Query("items"))
    assert route.call_count == 1


def post(client: BCClient, *, idempotent: bool) -> Any:
    call = _Call(CallContext(), STANDARD_API, "salesOrders")
    url = f"{BASE_URL}{COMPANY_PATH}/salesOrders"
    return client._request("POST", url, None, {}, call, _read_text, json_body={}, idempotent=idempotent)


async def test_a_post_is_sent_once_even_when_bc_is_unavailable(
    client: BCClient, router: respx.MockRouter
) -> None:
    route = router.post(f"{COMPANY_PATH}/salesOrders").mock(return_value=unavailable("1"))
    with pytest.raises(BCUnavailable):
        await post(client, idempotent=False)
    assert route.call_count == 1


async def test_a_post_marked_idempotent_is_retried(client: BCClient, router: respx.MockRouter) -> None:
    route = router.post(f"{COMPANY_PATH}/salesOrders").mock(
        side_effect=[unavailable("1"), httpx.Response(201, text="ok")]
    )
    assert await post(client, idempotent=True) == "ok"
    assert route.call_count == 2


async def test_a_wait_that_would_outlast_the_deadline_fails_at_once_with_bcs_answer(
    client: BCClient, router: respx.MockRouter, scope: CustomerScope, fake_time: FakeTime
) -> None:
    route = router.get(ITEMS_PATH).mock(return_value=unavailable("29"))
    session = client.session(scope)  # 30 s deadline
    fake_time.advance(2.0)
    with pytest.raises(BCUnavailable):
        await session.fetch(Query("items"))
    assert route.call_count == 1
    assert fake_time.sleeps == []


async def test_no_request_starts_after_the_deadline(
    client: BCClient, router: respx.MockRouter, scope: CustomerScope, fake_time: FakeTime
) -> None:
    route = router.get(ITEMS_PATH).mock(return_value=OK)
    session = client.session(scope)
    fake_time.advance(30.0)
    with pytest.raises(BCTimeout):
        await session.fetch(Query("items"))
    assert route.call_count == 0


async def test_each_attempt_gets_only_the_time_left_before_the_deadline(
    client: BCClient, router: respx.MockRouter, scope: CustomerScope, fake_time: FakeTime
) -> None:
    route = router.get(ITEMS_PATH).mock(return_value=OK)
    session = client.session(scope)
    fake_time.advance(27.5)
    await session.fetch(Query("items"))
    assert route.calls.last.request.extensions["timeout"]["read"] == 2.5


async def test_a_rejected_request_is_not_retried(
    client: BCClient, router: respx.MockRouter, scope: CustomerScope
) -> None:
    route = router.get(ITEMS_PATH).respond(400, json={"error": {"code": "BadRequest", "message": "no"}})
    with pytest.raises(BCRequestRejected):
        await client.session(scope).fetch(Query("items"))
    assert route.call_count == 1
