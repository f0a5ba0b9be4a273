"""The concurrency limiter: at most N of the principal's requests in flight, a bounded queue."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import replace

import httpx
import pytest
import respx

from gateway.bc import BCClient, BCQueueFull, BCSettings, BCTimeout, CustomerScope, Query, ResilienceSettings
from gateway.bc._limiter import ConcurrencyLimiter
from tests.bc.conftest import COMPANY_PATH

pytestmark = pytest.mark.anyio

ITEMS_PATH = f"{COMPANY_PATH}/items"


class Gate:
    """A fake BC that holds every request until released, counting how many wait at once."""

    def __init__(self) -> None:
        self.open = asyncio.Event()
        self.in_flight = 0
        self.max_in_flight = 0

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        await self.open.wait()
        self.in_flight -= 1
        return httpx.Response(200, json={"value": []})


async def settle() -> None:
    for _ in range(20):
        await asyncio.sleep(0)


@pytest.fixture
async def client(settings: BCSettings, router: respx.MockRouter) -> AsyncIterator[BCClient]:
    knobs = ResilienceSettings(max_concurrency=2, queue_limit=3)
    transport = httpx.MockTransport(router.async_handler)
    async with BCClient(replace(settings, resilience=knobs), transport=transport) as bc:
        yield bc


async def test_no_more_than_the_limit_are_in_flight_and_all_finish(
    client: BCClient, router: respx.MockRouter, scope: CustomerScope
) -> None:
    gate = Gate()
    router.get(ITEMS_PATH).mock(side_effect=gate)
    tasks = [asyncio.create_task(client.session(scope).fetch(Query("items"))) for _ in range(5)]
    await settle()
    assert (gate.in_flight, client.limiter.waiting) == (2, 3)
    gate.open.set()
    assert await asyncio.gather(*tasks) == [[]] * 5
    assert gate.max_in_flight == 2


async def test_a_request_beyond_the_queue_fails_at_once_without_http(
    client: BCClient, router: respx.MockRouter, scope: CustomerScope
) -> None:
    gate = Gate()
    route = router.get(ITEMS_PATH).mock(side_effect=gate)
    tasks = [asyncio.create_task(client.session(scope).fetch(Query("items"))) for _ in range(5)]
    await settle()
    with pytest.raises(BCQueueFull):
        await client.session(scope).fetch(Query("items"))
    gate.open.set()
    await asyncio.gather(*tasks)
    assert route.call_count == 5


async def test_the_wait_for_a_turn_ends_at_the_deadline() -> None:
    limiter = ConcurrencyLimiter(1, 5)
    async with limiter.slot(1.0):
        with pytest.raises(BCTimeout):
            async with limiter.slot(0.0):
                pass
    assert (limiter.in_flight, limiter.waiting) == (0, 0)
