"""The BC client's observer seam: every HTTP attempt is announced before it is sent and reported
when it ends, with the headers the observer asks for; the client's load is there to read."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

import httpx
import pytest
import respx

from gateway.bc import (
    BCClient,
    BCLoad,
    BCSettings,
    BCTimeout,
    BreakerState,
    CallEnded,
    CallStarted,
    CustomerScope,
    Query,
    ResilienceSettings,
)
from tests.bc.conftest import COMPANY_PATH
from tests.bc.fakes import FakeTime

pytestmark = pytest.mark.anyio


class Watch:
    def __init__(self, recorder: Observer, call: CallStarted) -> None:
        self.recorder = recorder
        self.call = call

    def headers(self) -> Mapping[str, str]:
        return {"traceparent": f"00-{'1' * 32}-{self.call.attempt:016x}-01"}

    def ended(self, outcome: CallEnded) -> None:
        self.recorder.ended.append((self.call, outcome))


@dataclass
class Observer:
    started: list[CallStarted] = field(default_factory=list)
    ended: list[tuple[CallStarted, CallEnded]] = field(default_factory=list)

    def call_started(self, call: CallStarted) -> Watch:
        self.started.append(call)
        return Watch(self, call)


async def test_every_attempt_is_announced_with_its_headers_and_reported_when_it_ends(
    settings: BCSettings, router: respx.MockRouter, scope: CustomerScope
) -> None:
    route = router.get(f"{COMPANY_PATH}/items").mock(
        side_effect=[
            httpx.Response(429, headers={"retry-after": "1"}),
            httpx.Response(200, json={"value": []}, headers={"request-id": "corr-7"}),
        ]
    )
    observer = Observer()
    transport = httpx.MockTransport(router.async_handler)
    async with BCClient(settings, transport=transport, clock=FakeTime().clock(), observer=observer) as bc:
        await bc.session(scope, operation="Catalogue", request_id="r-1").fetch(Query("items"))

    assert [(c.method, c.entity_set, c.attempt, c.operation, c.request_id) for c in observer.started] == [
        ("GET", "items", 1, "Catalogue", "r-1"),
        ("GET", "items", 2, "Catalogue", "r-1"),
    ]
    assert [(outcome.status, outcome.correlation_id) for _, outcome in observer.ended] == [
        (429, None),
        (200, "corr-7"),
    ]
    sent = [call.request.headers["traceparent"] for call in route.calls]
    assert sent == [f"00-{'1' * 32}-{n:016x}-01" for n in (1, 2)]


async def test_an_attempt_without_an_answer_ends_with_its_failure(
    settings: BCSettings, router: respx.MockRouter, scope: CustomerScope
) -> None:
    router.get(f"{COMPANY_PATH}/items").mock(side_effect=httpx.ReadTimeout("slow"))
    observer = Observer()
    transport = httpx.MockTransport(router.async_handler)
    quick = replace(settings, resilience=ResilienceSettings(retry_max_attempts=1))
    async with BCClient(quick, transport=transport, clock=FakeTime().clock(), observer=observer) as bc:
        with pytest.raises(BCTimeout):
            await bc.session(scope).fetch(Query("items"))

    [(_, outcome)] = observer.ended
    assert (outcome.status, outcome.failure) == (None, "timeout")


async def test_the_load_shows_requests_in_flight_and_waiting_and_the_breaker(
    settings: BCSettings, router: respx.MockRouter, scope: CustomerScope
) -> None:
    release = asyncio.Event()

    async def slow(request: httpx.Request) -> httpx.Response:
        await release.wait()
        return httpx.Response(200, json={"value": []})

    router.get(f"{COMPANY_PATH}/items").mock(side_effect=slow)
    one_at_a_time = replace(settings, resilience=ResilienceSettings(max_concurrency=1))
    transport = httpx.MockTransport(router.async_handler)
    async with BCClient(one_at_a_time, transport=transport, clock=FakeTime().clock()) as bc:
        assert bc.load() == BCLoad(in_flight=0, queued=0, breaker=BreakerState.CLOSED)
        reads = [asyncio.create_task(bc.session(scope).fetch(Query("items"))) for _ in range(3)]
        for _ in range(20):
            await asyncio.sleep(0)
        busy = bc.load()
        release.set()
        await asyncio.gather(*reads)
        idle = bc.load()

    assert (busy.in_flight, busy.queued) == (1, 2)
    assert (idle.in_flight, idle.queued) == (0, 0)
