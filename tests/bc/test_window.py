"""BC's request window kept by a single replica (no replicated store): BC never sees request
6,001 of a principal's 5 minutes — the gateway waits for room, or refuses at once when the
operation cannot wait that long, and the refused read never reaches BC."""

from __future__ import annotations

import dataclasses

import httpx
import pytest
import respx

from gateway.bc import BCClient, BCSettings, BCThrottled, CustomerScope, Query, ResilienceSettings
from tests.bc.conftest import COMPANY_PATH
from tests.bc.fakes import FakeTime

pytestmark = pytest.mark.anyio

ITEMS_PATH = f"{COMPANY_PATH}/items"


def _client(
    settings: BCSettings, knobs: ResilienceSettings, router: respx.MockRouter, time: FakeTime
) -> BCClient:
    return BCClient(
        dataclasses.replace(settings, resilience=knobs),
        transport=httpx.MockTransport(router.async_handler),
        clock=time.clock(),
    )


async def test_a_full_window_is_refused_before_bc_when_the_deadline_cannot_wait(
    settings: BCSettings, router: respx.MockRouter, scope: CustomerScope
) -> None:
    route = router.get(ITEMS_PATH).respond(json={"value": []})
    time = FakeTime()
    knobs = ResilienceSettings(window_requests=2, window_seconds=300.0, operation_deadline_seconds=30.0)
    async with _client(settings, knobs, router, time) as client:
        for _ in range(2):
            await client.session(scope).fetch(Query("items"))
        with pytest.raises(BCThrottled) as refused:
            await client.session(scope).fetch(Query("items"))
        assert refused.value.code == "throttled"
        assert route.call_count == 2  # BC never saw the third: it would have answered 429
        time.advance(300.0)  # the first two leave the window
        assert await client.session(scope).fetch(Query("items")) == []
        assert route.call_count == 3


async def test_a_full_window_waits_for_room_when_the_deadline_allows(
    settings: BCSettings, router: respx.MockRouter, scope: CustomerScope
) -> None:
    route = router.get(ITEMS_PATH).respond(json={"value": []})
    time = FakeTime()
    knobs = ResilienceSettings(window_requests=2, window_seconds=10.0, operation_deadline_seconds=30.0)
    async with _client(settings, knobs, router, time) as client:
        await client.session(scope).fetch(Query("items"))
        time.advance(4.0)
        await client.session(scope).fetch(Query("items"))
        assert await client.session(scope).fetch(Query("items")) == []
        assert route.call_count == 3
        assert time.sleeps == [6.0]  # until the first request left the window, not longer
