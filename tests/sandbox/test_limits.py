"""BC's per-principal limits: 5 processed at once, 95 queued, 429 beyond; 6,000 per 5 minutes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio
import httpx
import pytest
from starlette.applications import Starlette

from gateway.sandbox.app import create_sandbox_app, sandbox_of
from gateway.sandbox.config import SandboxConfig
from gateway.sandbox.faults import Fault
from gateway.sandbox.limits import Limits
from gateway.sandbox.store import SandboxStore
from gateway.sandbox.transport import sandbox_transport
from tests.sandbox.conftest import BASE_URL, CO, get_token

pytestmark = pytest.mark.anyio


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@asynccontextmanager
async def _client(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=sandbox_transport(app), base_url=BASE_URL) as client:
        client.headers["Authorization"] = f"Bearer {await get_token(client)}"
        yield client


async def test_beyond_concurrent_plus_queue_requests_get_429(small_store: SandboxStore) -> None:
    slow = Fault("latency", latency_ms=200)
    config = SandboxConfig(limits=Limits(concurrent=2, queue=3), faults=(slow,))
    app = create_sandbox_app(config, store=small_store)
    statuses: list[int] = []

    async with _client(app) as client, anyio.create_task_group() as group:

        async def get() -> None:
            statuses.append((await client.get(f"{CO}/customers")).status_code)

        for _ in range(8):
            group.start_soon(get)
    assert sorted(statuses) == [200] * 5 + [429] * 3
    log = sandbox_of(app).log
    assert log.max_in_flight == 2  # queued requests wait; they are not processed
    refused = [e for e in log.entries if e.status == 429]
    assert len(refused) == 3


async def test_429_has_bcs_error_body(small_store: SandboxStore) -> None:
    config = SandboxConfig(limits=Limits(concurrent=1, queue=0), faults=(Fault("latency", latency_ms=100),))
    responses: list[httpx.Response] = []

    async with (
        _client(create_sandbox_app(config, store=small_store)) as client,
        anyio.create_task_group() as group,
    ):

        async def get() -> None:
            responses.append(await client.get(f"{CO}/customers"))

        group.start_soon(get)
        group.start_soon(get)
    [refused] = [r for r in responses if r.status_code == 429]
    error = refused.json()["error"]
    assert error["code"] == "TooManyRequests"
    assert error["message"].startswith("Too many requests reached.")


async def test_the_sliding_window_refuses_requests_beyond_its_budget(small_store: SandboxStore) -> None:
    clock = FakeClock()
    config = SandboxConfig(limits=Limits(window_requests=3, window_seconds=300), clock=clock)
    async with _client(create_sandbox_app(config, store=small_store)) as client:
        statuses = [(await client.get(f"{CO}/customers")).status_code for _ in range(4)]
        assert statuses == [200, 200, 200, 429]
        clock.now += 299
        assert (await client.get(f"{CO}/customers")).status_code == 429
        clock.now += 1  # the first three leave the window
        assert (await client.get(f"{CO}/customers")).status_code == 200


async def test_limits_are_per_principal(small_store: SandboxStore) -> None:
    clock = FakeClock()
    config = SandboxConfig(limits=Limits(window_requests=1), clock=clock)
    app = create_sandbox_app(config, store=small_store)
    async with httpx.AsyncClient(transport=sandbox_transport(app), base_url=BASE_URL) as client:
        token = await get_token(client)
        other = sandbox_of(app).tokens.issue("another-client")
        first = await client.get(f"{CO}/customers", headers={"Authorization": f"Bearer {token}"})
        second = await client.get(f"{CO}/customers", headers={"Authorization": f"Bearer {other}"})
        third = await client.get(f"{CO}/customers", headers={"Authorization": f"Bearer {token}"})
    assert [first.status_code, second.status_code, third.status_code] == [200, 200, 429]


async def test_a_request_queued_too_long_gets_503(small_store: SandboxStore) -> None:
    limits = Limits(concurrent=1, queue=5, queue_timeout_seconds=0.05)
    config = SandboxConfig(limits=limits, faults=(Fault("latency", latency_ms=300, times=1),))
    responses: list[httpx.Response] = []

    async with (
        _client(create_sandbox_app(config, store=small_store)) as client,
        anyio.create_task_group() as group,
    ):

        async def get() -> None:
            responses.append(await client.get(f"{CO}/customers"))

        group.start_soon(get)
        await anyio.sleep(0.01)  # the first holds the only slot
        group.start_soon(get)
    assert sorted(r.status_code for r in responses) == [200, 503]
    assert responses[0].json()["error"]["code"] == "ServiceUnavailable"


async def test_stats_report_the_most_requests_a_principal_had_processing_and_queued(
    small_store: SandboxStore,
) -> None:
    slow = Fault("latency", latency_ms=100)
    config = SandboxConfig(limits=Limits(concurrent=2, queue=10), faults=(slow,))
    app = create_sandbox_app(config, store=small_store)

    async with _client(app) as client:
        async with anyio.create_task_group() as group:
            for _ in range(5):
                group.start_soon(client.get, f"{CO}/customers")
        stats = (await client.get("/_sandbox/stats")).json()
    [principal] = stats["principals"].values()
    assert principal == {"processing": 0, "queued": 0, "max_processing_and_queued": 5}
