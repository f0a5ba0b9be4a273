"""BC resilience end to end, against the sandbox's faults and limits (issue 3's acceptance).

Timing is read from the sandbox's request log (its own timestamps) or a fake clock, never from
how long a test took.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from gateway.app import create_app
from gateway.bc import CacheSettings, Clock, ResilienceSettings
from gateway.edge.config import EdgeSettings
from gateway.edge.development import Development, mint_for, start_development
from gateway.edge.limits import OperationLimits
from gateway.sandbox.app import create_sandbox_app, sandbox_of
from gateway.sandbox.config import SandboxConfig
from gateway.sandbox.faults import Fault
from gateway.sandbox.limits import Limits
from gateway.sandbox.store import SandboxStore
from gateway.settings import Settings
from tests.bc.fakes import FakeTime
from tests.conftest import SCALE, SEED, TODAY
from tests.helpers import graphql, rows

pytestmark = pytest.mark.anyio

ME = "{ me { number name } }"
DASHBOARD = (
    "{ me { number name } orders(first: 5) { nodes { number } } invoices(first: 5) { nodes { number } } }"
)


@dataclass
class Portal:
    client: httpx.AsyncClient
    sandbox: Starlette
    development: Development

    @property
    def log(self) -> Any:
        return sandbox_of(self.sandbox).log

    def token(self, index: int = 0) -> str:
        return mint_for(self.development, self.development.customers[index])

    async def ask(self, query: str, index: int = 0) -> dict[str, Any]:
        response = await graphql(self.client, query, token=self.token(index))
        assert response.status_code == 200, response.text  # never an HTTP 500
        body: dict[str, Any] = response.json()
        return body


@asynccontextmanager
async def portal(
    store: SandboxStore,
    *,
    resilience: ResilienceSettings | None = None,
    limits: Limits | None = None,
    profile: str = "full",
    bc_clock: Clock | None = None,
    edge: EdgeSettings | None = None,
) -> AsyncIterator[Portal]:
    config = SandboxConfig(
        seed=SEED,
        scale=SCALE,
        today=TODAY,
        limits=limits or Limits(),
        profile=profile,  # type: ignore[arg-type]
    )
    sandbox = create_sandbox_app(config, store=store)
    development = start_development(Settings(), sandbox=sandbox)
    # These tests are about each operation's BC requests: no answer is kept between operations.
    settings = Settings(
        bc_resilience=resilience or ResilienceSettings(),
        edge=edge or EdgeSettings(),
        cache=CacheSettings(enabled=False),
    )
    app = create_app(settings, development=development, today=lambda: TODAY, bc_clock=bc_clock)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gateway.test") as client,
    ):
        yield Portal(client, sandbox, development)


def api_requests(p: Portal) -> list[Any]:
    """Every API request BC saw (a faulted one is logged before its entity set is known)."""
    return [e for e in p.log.entries if "/api/" in e.path]


def codes(body: dict[str, Any]) -> set[str]:
    return {error["extensions"]["code"] for error in body.get("errors", [])}


async def test_with_half_of_bc_answering_503_each_query_is_complete_or_bc_unavailable(
    shared_store: SandboxStore,
) -> None:
    resilience = ResilienceSettings(operation_deadline_seconds=5.0, breaker_failures=50)
    async with portal(shared_store, resilience=resilience) as p:
        expected = await p.ask(ME)
        assert "errors" not in expected
        faults = [Fault("status", status=503, retry_after=0.05, probability=0.5)]
        sandbox_of(p.sandbox).faults.set(faults)
        answers, logs = [], []
        for _ in range(12):
            p.log.clear()
            answers.append(await p.ask(ME))
            logs.append([e for e in p.log.entries if "/api/" in e.path and not e.path.endswith("$metadata")])

    complete = [a for a in answers if "errors" not in a]
    assert complete  # retries turn most coin flips into answers
    assert all(a["data"] == expected["data"] for a in complete)
    for answer in answers:
        if "errors" in answer:
            assert codes(answer) == {"BC_UNAVAILABLE"}
            assert "Traceback" not in str(answer)
            assert "sandbox" not in str(answer).lower()
    # Within an operation, each retry came at least Retry-After after BC's 503 (the sandbox's
    # own timestamps).
    retried = 0
    for entries in logs:
        for index, entry in enumerate(entries):
            if entry.status != 503:
                continue
            same = (entry.path, entry.query_string)
            later = [e for e in entries[index + 1 :] if (e.path, e.query_string) == same]
            if later:
                retried += 1
                assert later[0].monotonic_start - (entry.monotonic_start + entry.duration) >= 0.05
    assert retried > 0


async def test_fifty_concurrent_operations_keep_at_most_five_bc_requests_in_flight(
    shared_store: SandboxStore,
) -> None:
    # The sandbox would take 100 at once here, so its counter shows what the gateway sends.
    async with portal(shared_store, limits=Limits(concurrent=100, queue=1000)) as p:
        sandbox_of(p.sandbox).faults.set([Fault("latency", latency_ms=20)])
        p.log.clear()
        customers = len(p.development.customers)
        answers = await asyncio.gather(*(p.ask(DASHBOARD, n % customers) for n in range(50)))

    assert [answer.get("errors") for answer in answers if "errors" in answer] == []
    assert 1 < p.log.max_in_flight <= 5
    assert not [e for e in p.log.entries if e.status == 429]


async def test_under_injected_429s_bc_requests_stay_within_twice_the_fault_free_count(
    shared_store: SandboxStore,
) -> None:
    async with portal(shared_store) as p:
        p.log.clear()
        for n in range(10):
            assert "errors" not in await p.ask(DASHBOARD, n % 3)
        fault_free = len(api_requests(p))

        sandbox_of(p.sandbox).faults.set([Fault("status", status=429, probability=0.3)])
        p.log.clear()
        for n in range(10):
            await p.ask(DASHBOARD, n % 3)
        with_faults = len(api_requests(p))
        throttled = len([e for e in api_requests(p) if e.status == 429])

    assert throttled > 0
    assert fault_free < with_faults <= 2 * fault_free


async def test_bc_down_opens_the_breaker_then_operations_fail_fast_and_recover_by_themselves(
    shared_store: SandboxStore,
) -> None:
    fake = FakeTime()
    resilience = ResilienceSettings(breaker_failures=3, breaker_reset_seconds=30.0)
    async with portal(shared_store, resilience=resilience, bc_clock=fake.clock()) as p:
        sandbox_of(p.sandbox).faults.set([Fault("reset")])
        first = await p.ask(ME)
        assert codes(first) == {"BC_UNAVAILABLE"}

        p.log.clear()
        for _ in range(5):
            assert codes(await p.ask(ME)) == {"BC_UNAVAILABLE"}
        assert api_requests(p) == []  # fail fast: BC was not asked

        sandbox_of(p.sandbox).faults.clear()
        fake.advance(30.0)
        recovered = await p.ask(ME)
        assert "errors" not in recovered
        assert "errors" not in await p.ask(ME)


async def test_one_hundred_fifty_keyed_lookups_in_one_tick_are_two_batches(
    shared_store: SandboxStore,
) -> None:
    limits = OperationLimits(max_aliases=200, max_root_fields=200, max_tokens=5_000, cost_budget=50_000)
    async with portal(shared_store, edge=EdgeSettings(limits=limits)) as p:
        customer = p.development.customers[0]
        mine = sorted(
            row["number"]
            for row in rows(shared_store, customer.company_id, "salesInvoices")
            if row["customerNumber"] == customer.customer_number
        )[:150]
        numbers = mine + [f"NONE-{n:04}" for n in range(150 - len(mine))]
        query = (
            "{ "
            + " ".join(f'i{n}: invoice(number: "{x}") {{ number }}' for n, x in enumerate(numbers))
            + " }"
        )
        p.log.clear()
        body = await p.ask(query)

    assert "errors" not in body, body["errors"][:2]
    assert [body["data"][f"i{n}"] for n in range(150)] == [
        {"number": x} if x in mine else None for x in numbers
    ]
    batches = [e for e in p.log.entries if e.entity_set == "$batch"]
    assert len(batches) == 2
    assert len([e for e in p.log.entries if e.entity_set == "salesInvoices"]) == 150


async def test_the_same_lookups_without_batch_are_one_or_read_per_thirty_keys(
    shared_store: SandboxStore,
) -> None:
    limits = OperationLimits(max_aliases=200, max_root_fields=200, max_tokens=5_000, cost_budget=50_000)
    off = ResilienceSettings(batch=False)
    async with portal(shared_store, resilience=off, edge=EdgeSettings(limits=limits)) as p:
        query = (
            "{ " + " ".join(f'i{n}: invoice(number: "NONE-{n:04}") {{ number }}' for n in range(150)) + " }"
        )
        p.log.clear()
        body = await p.ask(query)

    assert "errors" not in body
    assert [e.entity_set for e in p.log.entries if e.entity_set] == ["salesInvoices"] * 5


async def test_without_the_portal_api_its_fields_are_capability_unavailable_and_readyz_says_so(
    shared_store: SandboxStore,
) -> None:
    async with portal(shared_store, profile="no-portal") as p:
        shipment = next(
            row["number"]
            for row in rows(shared_store, p.development.customers[0].company_id, "salesShipments")
            if row["customerNumber"] == p.development.customers[0].customer_number
        )
        body = await p.ask(
            f'{{ me {{ number }} shipment(number: "{shipment}") {{ number trackingNumber }} }}'
        )
        ready = await p.client.get("/readyz")

    assert body["data"]["me"]["number"] == p.development.customers[0].customer_number
    assert body["data"]["shipment"]["number"] == shipment
    assert body["data"]["shipment"]["trackingNumber"] is None
    assert codes(body) == {"CAPABILITY_UNAVAILABLE"}
    report = ready.json()
    assert ready.status_code == 200
    assert report["bc"]["reachable"] is True
    assert report["capabilities"]["api/bcgateway/portal/v1.0"]["present"] is False
    assert report["capabilities"]["api/v2.0"]["present"] is True
    assert "salesShipments" in report["capabilities"]["api/v2.0"]["entitySets"]


async def test_readyz_answers_from_the_last_refresh_without_asking_bc(shared_store: SandboxStore) -> None:
    async with portal(shared_store) as p:
        p.log.clear()
        probes = [await p.client.get("/readyz") for _ in range(40)]

    assert {probe.status_code for probe in probes} == {200}
    assert probes[-1].json()["bc"] == {"reachable": True, "breaker": "closed"}
    assert p.log.entries == []  # 40 probes, zero BC requests
    assert p.log.token_requests == 0


async def test_readyz_reports_bc_unreachable_once_the_breaker_opens(shared_store: SandboxStore) -> None:
    fake = FakeTime()
    resilience = ResilienceSettings(breaker_failures=2)
    async with portal(shared_store, resilience=resilience, bc_clock=fake.clock()) as p:
        sandbox_of(p.sandbox).faults.set([Fault("reset")])
        before = await p.client.get("/readyz")
        failed = await p.ask(ME)  # the operations that find BC gone open the breaker
        p.log.clear()
        ready = await p.client.get("/readyz")

    assert before.status_code == 200  # no probe has asked BC; traffic has not failed yet
    assert codes(failed) == {"BC_UNAVAILABLE"}
    assert ready.status_code == 503
    assert ready.json()["status"] == "unavailable"
    assert ready.json()["bc"] == {"reachable": False, "breaker": "open"}
    assert p.log.entries == []


async def test_each_request_writes_one_access_line_with_its_bc_cost_and_outcome(
    shared_store: SandboxStore, caplog: pytest.LogCaptureFixture
) -> None:
    # Without $batch, so that a fault can hit the invoices read alone.
    async with portal(shared_store, resilience=ResilienceSettings(batch=False)) as p:
        with caplog.at_level(logging.INFO, logger="gateway.access"):
            p.log.clear()
            await p.ask("query Dashboard " + DASHBOARD)
            bc_requests = len(p.log.entries)
            sandbox_of(p.sandbox).faults.set([Fault("status", status=503, entity_set="salesInvoices")])
            partial = await p.ask('query Dashboard { me { number } invoice(number: "ANY-1") { number } }')

    lines = [r.access for r in caplog.records if r.name == "gateway.access"]  # type: ignore[attr-defined]
    assert len(lines) == 2
    customer = p.development.customers[0].customer_number
    ok, degraded = lines
    assert (ok["operation"], ok["customer"], ok["outcome"], ok["error_codes"]) == (
        "Dashboard",
        customer,
        "ok",
        [],
    )
    assert ok["bc_calls"] == bc_requests  # BC time sums requests that may overlap: no order with duration
    assert ok["bc_ms"] > 0
    assert ok["cost"] > 1
    assert partial["data"]["me"]["number"] == customer  # other fields still resolve
    assert (degraded["outcome"], degraded["error_codes"]) == ("partial", ["BC_UNAVAILABLE"])
