"""The request log: what the sandbox was asked, readable by tests and benchmarks."""

from __future__ import annotations

import anyio
import httpx
import pytest
from starlette.applications import Starlette

from gateway.sandbox.app import sandbox_of
from tests.sandbox.conftest import API, CO, guid

pytestmark = pytest.mark.anyio


async def test_every_api_request_is_recorded(bc: httpx.AsyncClient, engine_app: Starlette) -> None:
    log = sandbox_of(engine_app).log
    await bc.get(f"{CO}/customers", params={"$filter": "number eq '10000'"})
    await bc.get(f"{CO}/customers")
    await bc.get(f"{CO}/salesOrders")
    await bc.get(f"{CO}/nope")
    assert log.count() == 4
    assert log.count(entity_set="customers") == 2
    assert log.count(entity_set="customers", method="GET") == 2
    first = log.entries[0]
    assert (first.method, first.route, first.entity_set, first.status) == ("GET", "v2.0", "customers", 200)
    assert first.filter == "number eq '10000'"
    assert "%24filter" in first.query_string or "$filter" in first.query_string
    assert first.principal == "sandbox-client"
    assert first.duration >= 0
    assert (log.entries[-1].entity_set, log.entries[-1].status) == ("nope", 404)


async def test_metadata_requests_name_no_entity_set(bc: httpx.AsyncClient, engine_app: Starlette) -> None:
    await bc.get(f"{API}/$metadata")
    [entry] = sandbox_of(engine_app).log.entries
    assert (entry.route, entry.entity_set, entry.status) == ("v2.0", None, 200)
    assert entry.path.endswith("/$metadata")


async def test_navigation_requests_are_logged_under_the_target_set(
    bc: httpx.AsyncClient, engine_app: Starlette
) -> None:
    await bc.get(f"{CO}/salesOrders({guid(1, 'd')})/salesOrderLines")
    assert sandbox_of(engine_app).log.count(entity_set="salesOrderLines") == 1


async def test_token_requests_are_counted_apart(bc: httpx.AsyncClient, engine_app: Starlette) -> None:
    log = sandbox_of(engine_app).log
    assert log.token_requests == 1
    assert log.count() == 0


async def test_clear_forgets_entries(bc: httpx.AsyncClient, engine_app: Starlette) -> None:
    log = sandbox_of(engine_app).log
    await bc.get(f"{CO}/customers")
    log.clear()
    assert (log.count(), log.token_requests, log.max_in_flight) == (0, 0, 0)


async def test_refused_requests_are_recorded_without_principal(
    anonymous_bc: httpx.AsyncClient, engine_app: Starlette
) -> None:
    await anonymous_bc.get(f"{CO}/customers")
    [entry] = sandbox_of(engine_app).log.entries
    assert (entry.status, entry.principal) == (401, None)


async def test_max_in_flight_counts_concurrent_requests(bc: httpx.AsyncClient, engine_app: Starlette) -> None:
    log = sandbox_of(engine_app).log
    await bc.get(f"{CO}/customers")
    assert log.max_in_flight == 1
    async with anyio.create_task_group() as group:
        for _ in range(4):
            group.start_soon(bc.get, f"{CO}/salesOrders")
    assert log.max_in_flight == 4
    assert log.in_flight == 0


async def test_each_read_records_how_many_entities_it_answered(
    bc: httpx.AsyncClient, engine_app: Starlette
) -> None:
    log = sandbox_of(engine_app).log
    everyone = (await bc.get(f"{CO}/customers")).json()["value"]
    await bc.get(f"{CO}/customers", params={"$top": "2"})
    await bc.get(f"{CO}/customers", headers={"Prefer": "odata.maxpagesize=1"})  # one page of one
    await bc.get(f"{API}/$metadata")

    assert [entry.rows for entry in log.entries] == [len(everyone), 2, 1, None]
    assert log.rows_read("customers") == len(everyone) + 3
    assert (await bc.get("/_sandbox/stats")).json()["rows"] == len(everyone) + 3
