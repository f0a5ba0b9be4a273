"""Switchable faults: latency, status, reset (before / after a write commits), slow body; the control
endpoint; and what a dropped connection looks like to a client."""

from __future__ import annotations

import httpx
import pytest
from starlette.applications import Starlette

from gateway.sandbox.app import create_sandbox_app, sandbox_of
from gateway.sandbox.config import SandboxConfig
from gateway.sandbox.faults import Fault, Faults
from gateway.sandbox.store import SandboxStore
from gateway.sandbox.transport import sandbox_transport
from tests.sandbox.conftest import BASE_URL, CO, guid

pytestmark = pytest.mark.anyio


def _entries(app: Starlette) -> list[tuple[str, str | None, int]]:
    return [(e.method, e.entity_set, e.status) for e in sandbox_of(app).log.entries]


async def test_status_fault_answers_with_bc_error_and_retry_after(
    bc: httpx.AsyncClient, engine_app: Starlette
) -> None:
    sandbox_of(engine_app).faults.set([Fault("status", status=503, retry_after=7, times=1)])
    first = await bc.get(f"{CO}/customers")
    assert first.status_code == 503
    assert first.headers["retry-after"] == "7"
    assert set(first.json()["error"]) == {"code", "message"}
    assert (await bc.get(f"{CO}/customers")).status_code == 200  # times=1: only the first
    assert [s for _, _, s in _entries(engine_app)] == [503, 200]


@pytest.mark.parametrize("status", [429, 502, 504])
async def test_each_status_fault_gives_its_status(
    bc: httpx.AsyncClient, engine_app: Starlette, status: int
) -> None:
    sandbox_of(engine_app).faults.set([Fault("status", status=status)])
    assert (await bc.get(f"{CO}/customers")).status_code == status


async def test_faults_match_on_method_and_entity_set(bc: httpx.AsyncClient, engine_app: Starlette) -> None:
    sandbox_of(engine_app).faults.set([Fault("status", status=502, method="GET", entity_set="salesOrders")])
    assert (await bc.get(f"{CO}/customers")).status_code == 200
    assert (await bc.get(f"{CO}/salesOrders")).status_code == 502
    assert (await bc.get(f"{CO}/salesOrders({guid(1, 'd')})")).status_code == 502


async def test_latency_fault_delays_the_answer_by_the_request_timestamps(
    bc: httpx.AsyncClient, engine_app: Starlette
) -> None:
    sandbox_of(engine_app).faults.set([Fault("latency", latency_ms=50)])
    assert (await bc.get(f"{CO}/customers")).status_code == 200
    [entry] = sandbox_of(engine_app).log.entries
    assert entry.duration >= 0.05


async def test_slow_body_fault_still_delivers_the_whole_body(
    bc: httpx.AsyncClient, engine_app: Starlette
) -> None:
    expected = (await bc.get(f"{CO}/customers")).json()
    sandbox_of(engine_app).faults.set([Fault("slow_body", latency_ms=20)])
    slow = await bc.get(f"{CO}/customers")
    assert slow.status_code == 200
    assert [c["id"] for c in slow.json()["value"]] == [c["id"] for c in expected["value"]]


async def test_reset_before_is_a_transport_error_and_changes_nothing(
    bc: httpx.AsyncClient, engine_app: Starlette
) -> None:
    sandbox_of(engine_app).faults.set([Fault("reset", times=1)])
    with pytest.raises(httpx.TransportError):
        await bc.post(f"{CO}/customers", json={"number": "61000", "displayName": "Lost"})
    names = {c["displayName"] for c in (await bc.get(f"{CO}/customers")).json()["value"]}
    assert "Lost" not in names
    assert _entries(engine_app)[0] == ("POST", "customers", 0)


async def test_reset_after_commits_the_write_but_drops_the_answer(
    bc: httpx.AsyncClient, engine_app: Starlette
) -> None:
    sandbox_of(engine_app).faults.set([Fault("reset", when="after", method="POST", times=1)])
    with pytest.raises(httpx.RemoteProtocolError):
        await bc.post(f"{CO}/customers", json={"number": "62000", "displayName": "Committed"})
    names = {c["displayName"] for c in (await bc.get(f"{CO}/customers")).json()["value"]}
    assert "Committed" in names
    assert _entries(engine_app)[0] == ("POST", "customers", 0)


def test_probability_uses_a_seeded_prng_so_runs_repeat() -> None:
    def run(seed: int) -> list[bool]:
        faults = Faults([Fault("status", status=503, probability=0.5)], seed=seed)
        return [bool(faults.draw("GET", "customers")) for _ in range(40)]

    assert run(1) == run(1)
    assert 5 < sum(run(1)) < 35
    assert run(1) != run(2)


def test_a_status_fault_needs_a_status_bc_sends() -> None:
    with pytest.raises(ValueError, match="status"):
        Fault("status", status=500)


async def test_faults_from_config_apply_from_the_start(small_store: SandboxStore) -> None:
    app = create_sandbox_app(SandboxConfig(faults=(Fault("status", status=429),)), store=small_store)
    async with httpx.AsyncClient(transport=sandbox_transport(app), base_url=BASE_URL) as client:
        assert (await client.get(f"{CO}/customers")).status_code == 429


async def test_control_endpoint_sets_clears_faults_and_reports_stats(
    bc: httpx.AsyncClient, engine_app: Starlette
) -> None:
    put = await bc.put("/_sandbox/faults", json=[{"kind": "status", "status": 502, "entity_set": "items"}])
    assert put.status_code == 200
    assert put.json()[0]["status"] == 502
    assert sandbox_of(engine_app).faults.active == (Fault("status", status=502, entity_set="items"),)
    assert (await bc.delete("/_sandbox/faults")).json() == []
    await bc.get(f"{CO}/customers")
    stats = (await bc.get("/_sandbox/stats")).json()
    assert stats["requests"] == 1
    assert stats["by_status"] == {"200": 1}
    assert stats["by_entity_set"] == {"customers": 1}
    bad = await bc.put("/_sandbox/faults", json=[{"kind": "status", "status": 418}])
    assert bad.status_code == 400
