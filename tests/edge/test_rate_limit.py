"""Rate limits: a token bucket per customer (and per address before sign-in), cost-weighted."""

from __future__ import annotations

from typing import Any

import pytest

from gateway.edge.ratelimit import RateLimit, StoreRateLimiter
from gateway.sandbox.store import SandboxStore
from gateway.store import MemoryStore
from tests.edge.conftest import FakeClock, GatewayFactory
from tests.edge.test_tenant_isolation import two_customers

pytestmark = pytest.mark.anyio

LIMIT = RateLimit(per_minute=60, burst=3)
ME = {"query": "{ me { number } }"}


async def test_a_bucket_refuses_when_empty_and_says_when_to_retry(clock: FakeClock) -> None:
    buckets = StoreRateLimiter(MemoryStore(clock=clock).buckets)
    decisions = [await buckets.take("a", 1, LIMIT) for _ in range(4)]
    assert [d.allowed for d in decisions] == [True, True, True, False]
    assert decisions[-1].retry_after_seconds == 1  # one unit per second refills
    clock.advance(1)
    assert (await buckets.take("a", 1, LIMIT)).allowed


async def test_a_costly_operation_spends_more_of_the_bucket(clock: FakeClock) -> None:
    buckets = StoreRateLimiter(MemoryStore(clock=clock).buckets)
    assert (await buckets.take("a", 3, LIMIT)).allowed
    refused = await buckets.take("a", 2, LIMIT)
    assert not refused.allowed
    assert refused.retry_after_seconds == 2


async def test_buckets_are_independent_per_key(clock: FakeClock) -> None:
    buckets = StoreRateLimiter(MemoryStore(clock=clock).buckets)
    for _ in range(3):
        await buckets.take("a", 1, LIMIT)
    assert not (await buckets.take("a", 1, LIMIT)).allowed
    assert (await buckets.take("b", 1, LIMIT)).allowed


async def test_one_customer_over_budget_gets_429_while_another_still_succeeds(
    gateway: GatewayFactory, shared_store: SandboxStore, token_for: Any, bc_log: Any
) -> None:
    company, a, b = two_customers(shared_store)
    first = {"authorization": f"Bearer {token_for(a, company)}"}
    second = {"authorization": f"Bearer {token_for(b, company)}"}
    async with gateway(rate_limit=RateLimit(per_minute=60, burst=5)) as client:
        answers = [await client.post("/graphql", json=ME, headers=first) for _ in range(5)]
        bc_log.clear()
        refused = await client.post("/graphql", json=ME, headers=first)
        refused_requests = list(bc_log.entries)
        other = await client.post("/graphql", json=ME, headers=second)  # the same (fake) second

    assert [answer.status_code for answer in answers] == [200] * 5
    assert refused.status_code == 429
    assert int(refused.headers["retry-after"]) >= 1
    body = refused.json()
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
    assert refused_requests == []
    assert other.status_code == 200
    assert other.json()["data"]["me"]["number"] == b


async def test_operations_are_weighed_by_their_cost(
    gateway: GatewayFactory, shared_store: SandboxStore, token_for: Any
) -> None:
    company, a, _ = two_customers(shared_store)
    headers = {"authorization": f"Bearer {token_for(a, company)}"}
    costly = {"query": "{ orders(first: 50) { nodes { number } } }"}  # cost 51
    async with gateway(rate_limit=RateLimit(per_minute=60, burst=100)) as client:
        first = await client.post("/graphql", json=costly, headers=headers)
        second = await client.post("/graphql", json=costly, headers=headers)
    assert first.status_code == 200
    assert second.status_code == 429


async def test_unauthenticated_requests_are_limited_per_address(
    gateway: GatewayFactory, clock: FakeClock, shared_store: SandboxStore, token_for: Any
) -> None:
    company, a, _ = two_customers(shared_store)
    async with gateway(ip_rate_limit=RateLimit(per_minute=60, burst=2)) as client:
        answers = [await client.post("/graphql", json=ME) for _ in range(3)]
        valid = await client.post(
            "/graphql", json=ME, headers={"authorization": f"Bearer {token_for(a, company)}"}
        )
        clock.advance(1)
        later = await client.post("/graphql", json=ME)
    assert [answer.status_code for answer in answers] == [401, 401, 429]
    assert answers[2].headers["retry-after"] == "1"
    assert valid.status_code == 200  # a signed-in customer is limited by its own bucket
    assert later.status_code == 401
