"""The circuit breaker: opens after consecutive failures, fails fast, probes, closes by itself."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace

import httpx
import pytest
import respx

from gateway.bc import (
    BCCircuitOpen,
    BCClient,
    BCSettings,
    BCThrottled,
    BCTransportError,
    CustomerScope,
    Query,
    ResilienceSettings,
)
from gateway.bc._breaker import BreakerState, CircuitBreaker
from tests.bc.conftest import COMPANY_PATH
from tests.bc.fakes import FakeTime

pytestmark = pytest.mark.anyio

ITEMS_PATH = f"{COMPANY_PATH}/items"
OK = httpx.Response(200, json={"value": []})


@pytest.fixture
async def client(
    settings: BCSettings, router: respx.MockRouter, fake_time: FakeTime
) -> AsyncIterator[BCClient]:
    knobs = ResilienceSettings(retry_max_attempts=1, breaker_failures=3, breaker_reset_seconds=10.0)
    transport = httpx.MockTransport(router.async_handler)
    async with BCClient(
        replace(settings, resilience=knobs), transport=transport, clock=fake_time.clock()
    ) as bc:
        yield bc


async def fail_times(client: BCClient, scope: CustomerScope, times: int) -> None:
    for _ in range(times):
        with pytest.raises(BCTransportError):
            await client.session(scope).fetch(Query("items"))


async def test_consecutive_failures_open_the_breaker_and_later_calls_fail_without_http(
    client: BCClient, router: respx.MockRouter, scope: CustomerScope
) -> None:
    route = router.get(ITEMS_PATH).mock(side_effect=httpx.ConnectError("down"))
    await fail_times(client, scope, 3)
    with pytest.raises(BCCircuitOpen):
        await client.session(scope).fetch(Query("items"))
    assert route.call_count == 3
    assert client.breaker.state is BreakerState.OPEN


async def test_after_the_reset_time_one_probe_succeeds_and_closes_the_breaker(
    client: BCClient, router: respx.MockRouter, scope: CustomerScope, fake_time: FakeTime
) -> None:
    route = router.get(ITEMS_PATH).mock(side_effect=[httpx.ConnectError("down")] * 3 + [OK, OK])
    await fail_times(client, scope, 3)
    fake_time.advance(10.0)
    assert client.breaker.state is BreakerState.HALF_OPEN
    await client.session(scope).fetch(Query("items"))
    await client.session(scope).fetch(Query("items"))
    assert client.breaker.state is BreakerState.CLOSED
    assert route.call_count == 5


async def test_a_failed_probe_opens_the_breaker_again(
    client: BCClient, router: respx.MockRouter, scope: CustomerScope, fake_time: FakeTime
) -> None:
    route = router.get(ITEMS_PATH).mock(side_effect=httpx.ConnectError("down"))
    await fail_times(client, scope, 3)
    fake_time.advance(10.0)
    await fail_times(client, scope, 1)
    with pytest.raises(BCCircuitOpen):
        await client.session(scope).fetch(Query("items"))
    assert route.call_count == 4


async def test_throttling_does_not_open_the_breaker(
    client: BCClient, router: respx.MockRouter, scope: CustomerScope
) -> None:
    router.get(ITEMS_PATH).respond(429)
    for _ in range(5):
        with pytest.raises(BCThrottled):
            await client.session(scope).fetch(Query("items"))
    assert client.breaker.state is BreakerState.CLOSED


async def test_a_success_between_failures_restarts_the_count(
    client: BCClient, router: respx.MockRouter, scope: CustomerScope
) -> None:
    down = httpx.ConnectError("down")
    router.get(ITEMS_PATH).mock(side_effect=[down, down, OK, down, down, OK])
    for expected_ok in (False, False, True, False, False, True):
        if expected_ok:
            await client.session(scope).fetch(Query("items"))
        else:
            await fail_times(client, scope, 1)
    assert client.breaker.state is BreakerState.CLOSED


def test_only_one_probe_is_let_through_while_half_open() -> None:
    now = [0.0]
    breaker = CircuitBreaker(1, 5.0, lambda: now[0])
    breaker.record_failure()
    now[0] = 5.0
    breaker.before_call()
    with pytest.raises(BCCircuitOpen):
        breaker.before_call()
