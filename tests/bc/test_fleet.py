"""BC's limits across replicas: several BC clients on one Redis keep the principal's limits together.

Two ``BCClient``s on one Redis are two replicas.  Leases and windows run on Redis's clock, so
these tests let real time pass (short leases); they assert what BC saw, never how long it took.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Callable

import httpx
import pytest
import respx
from starlette.applications import Starlette

from gateway.bc import BCClient, BCSettings, BCThrottled, BCTimeout, CustomerScope, Query, ResilienceSettings
from gateway.edge.development import start_development
from gateway.edge.logs import keep_request_urls_out_of_logs
from gateway.sandbox.app import create_sandbox_app, sandbox_of
from gateway.sandbox.config import SandboxConfig
from gateway.sandbox.faults import Fault
from gateway.sandbox.store import SandboxStore
from gateway.sandbox.transport import sandbox_transport
from gateway.settings import Settings
from gateway.store import MemoryStore, RedisStore, Store, StoreSettings, open_store
from tests.bc.conftest import COMPANY_PATH
from tests.bc.test_limiter import Gate, settle
from tests.conftest import SCALE, SEED, TODAY
from tests.redis_server import RedisServer, free_port, redis_store

pytestmark = pytest.mark.anyio

ITEMS_PATH = f"{COMPANY_PATH}/items"


def _replica(
    settings: BCSettings, knobs: ResilienceSettings, transport: httpx.AsyncBaseTransport, shared: Store
) -> BCClient:
    return BCClient(dataclasses.replace(settings, resilience=knobs), transport=transport, shared=shared)


async def _until(condition: Callable[[], bool]) -> None:
    """Let the client's tasks (and Redis round trips) run until ``condition`` holds."""
    for _ in range(1000):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the condition never held")


@pytest.fixture
def slow_sandbox(shared_store: SandboxStore) -> Starlette:
    """The demo world, each request held 20 ms inside BC, so concurrent requests overlap there."""
    keep_request_urls_out_of_logs()  # as create_app does: these BC clients run without the app
    config = SandboxConfig(seed=SEED, scale=SCALE, today=TODAY, faults=(Fault("latency", latency_ms=20),))
    return create_sandbox_app(config, store=shared_store)


async def test_two_replicas_never_hold_more_than_the_limit_at_bc_together(
    slow_sandbox: Starlette, redis_replicas: tuple[RedisStore, RedisStore]
) -> None:
    development = start_development(Settings(), sandbox=slow_sandbox)
    knobs = ResilienceSettings(max_concurrency=5)
    transport = sandbox_transport(slow_sandbox)
    replicas = [_replica(development.bc_settings, knobs, transport, store) for store in redis_replicas]
    try:
        reads = [replicas[n % 2].fetch_companies() for n in range(200)]
        answers = await asyncio.gather(*reads)
    finally:
        for replica in replicas:
            await replica.aclose()
    assert all(len(companies) == len(answers[0]) > 0 for companies in answers)
    sandbox = sandbox_of(slow_sandbox)
    [principal] = sandbox.limiter.stats().values()
    assert principal["max_processing_and_queued"] == 5  # the whole budget, and never more
    assert sandbox.log.count("companies") == 200


async def test_a_dead_replicas_slots_block_the_others_only_until_their_leases_expire(
    settings: BCSettings,
    router: respx.MockRouter,
    scope: CustomerScope,
    redis_replicas: tuple[RedisStore, RedisStore],
) -> None:
    route = router.get(ITEMS_PATH).respond(json={"value": []})
    knobs = ResilienceSettings(max_concurrency=2, operation_deadline_seconds=0.5, slot_lease_seconds=1.0)
    dead, alive = redis_replicas
    async with _replica(settings, knobs, httpx.MockTransport(router.async_handler), alive) as survivor:
        assert survivor.fleet is not None
        # The dead replica took both slots, then vanished: no renewal, no release.
        for _ in range(2):
            assert await dead.slots.acquire(survivor.fleet.pool, limit=2, lease_seconds=1.0)
        with pytest.raises(BCTimeout):
            await survivor.session(scope).fetch(Query("items"))
        assert route.call_count == 0  # nothing reached BC while the leases lived
        await asyncio.sleep(1.0)  # the leases run out on Redis's clock
        assert await survivor.session(scope).fetch(Query("items")) == []


async def test_a_long_request_keeps_its_slot_beyond_one_lease(
    settings: BCSettings,
    router: respx.MockRouter,
    scope: CustomerScope,
    redis_replicas: tuple[RedisStore, RedisStore],
) -> None:
    gate = Gate()
    router.get(ITEMS_PATH).mock(side_effect=gate)
    knobs = ResilienceSettings(max_concurrency=1, slot_lease_seconds=0.3)
    transport = httpx.MockTransport(router.async_handler)
    first, second = (_replica(settings, knobs, transport, store) for store in redis_replicas)
    async with first, second:
        long_read = asyncio.create_task(first.session(scope).fetch(Query("items")))
        await _until(lambda: gate.in_flight == 1)
        await asyncio.sleep(1.0)  # more than three leases: renewed all along
        other_read = asyncio.create_task(second.session(scope).fetch(Query("items")))
        await asyncio.sleep(0.3)
        assert gate.in_flight == 1  # the other replica still waits for the slot
        gate.open.set()
        assert await asyncio.gather(long_read, other_read) == [[], []]
        assert gate.max_in_flight == 1


async def test_a_full_window_waits_when_the_deadline_allows_and_is_throttled_otherwise(
    settings: BCSettings, router: respx.MockRouter, scope: CustomerScope, redis_server: RedisServer
) -> None:
    route = router.get(ITEMS_PATH).respond(json={"value": []})
    transport = httpx.MockTransport(router.async_handler)
    store = redis_store(redis_server)
    window = ResilienceSettings(window_requests=2, window_seconds=1.0)
    hurried = _replica(
        settings, dataclasses.replace(window, operation_deadline_seconds=0.5), transport, store
    )
    patient = _replica(settings, window, transport, store)
    try:
        for _ in range(2):
            await hurried.session(scope).fetch(Query("items"))
        with pytest.raises(BCThrottled) as refused:
            await hurried.session(scope).fetch(Query("items"))
        assert refused.value.code == "throttled"
        assert route.call_count == 2  # the refused read never reached BC
        assert await patient.session(scope).fetch(Query("items")) == []
        assert route.call_count == 3
    finally:
        await hurried.aclose()
        await patient.aclose()
        await store.aclose()


async def test_without_redis_each_replica_keeps_its_share_of_the_limit_and_reads_go_on(
    settings: BCSettings,
    router: respx.MockRouter,
    scope: CustomerScope,
    caplog: pytest.LogCaptureFixture,
) -> None:
    gate = Gate()
    router.get(ITEMS_PATH).mock(side_effect=gate)
    knobs = ResilienceSettings(max_concurrency=5, replicas=2)
    unreachable = open_store(StoreSettings(f"redis://127.0.0.1:{free_port()}/0", timeout_seconds=0.2))
    client = _replica(settings, knobs, httpx.MockTransport(router.async_handler), unreachable)
    try:
        with caplog.at_level(logging.WARNING, logger="gateway.bc.fleet"):
            reads = [asyncio.create_task(client.session(scope).fetch(Query("items"))) for _ in range(8)]
            await _until(lambda: gate.in_flight == 2)
            await settle()
            assert gate.in_flight == 2  # 5 // 2 replicas
            gate.open.set()
            assert await asyncio.gather(*reads) == [[]] * 8
        assert gate.max_in_flight == 2
        assert [r.message for r in caplog.records] == ["bc_fleet_limit_local"]  # said once
    finally:
        await client.aclose()
        await unreachable.aclose()


async def test_an_in_process_store_leaves_the_limits_to_this_process(settings: BCSettings) -> None:
    async with BCClient(settings, shared=MemoryStore()) as client:
        assert client.fleet is None
