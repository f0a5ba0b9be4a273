"""The edge's shared state on a real Redis: one rate-limit budget per customer for every replica,
APQ documents registered once for all, company names and currencies read from BC once for the
fleet — and what each does while Redis cannot be reached."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Any
from uuid import UUID

import pytest
from starlette.applications import Starlette

from gateway.bc import BCClient, CustomerScope
from gateway.edge.apq import RegisteredDocuments
from gateway.edge.companies import LocalCurrencies
from gateway.edge.company_names import CompanyNames
from gateway.edge.development import Development
from gateway.edge.logs import keep_request_urls_out_of_logs
from gateway.edge.persisted import PersistedQueries, PersistedQueryError, sha256_of
from gateway.edge.ratelimit import RateLimit, StoreRateLimiter
from gateway.edge.shared_facts import SharedFacts
from gateway.sandbox.app import sandbox_of
from gateway.store import RedisStore
from tests.edge.conftest import FakeClock
from tests.redis_server import RedisServer, redis_store

pytestmark = pytest.mark.anyio

LIMIT = RateLimit(per_minute=60, burst=4)
QUERY = "{ me { number } }"


def _persisted(document: str) -> dict[str, Any]:
    return {"persistedQuery": {"version": 1, "sha256Hash": sha256_of(document)}}


@pytest.fixture
async def outage_replicas(own_server: RedisServer) -> AsyncIterator[tuple[RedisStore, RedisStore]]:
    """Two replicas on a Redis of the test's own, which it may stop and start."""
    first = redis_store(own_server)
    second = redis_store(own_server, prefix=first.prefix)
    yield first, second
    await first.aclose()
    await second.aclose()


async def test_a_customers_budget_spent_on_one_replica_is_spent_on_the_other(
    redis_replicas: tuple[RedisStore, RedisStore],
) -> None:
    first, second = (StoreRateLimiter(store.buckets) for store in redis_replicas)

    spent = [await first.take("customer:c:1", 1, LIMIT) for _ in range(4)]
    refused = await second.take("customer:c:1", 1, LIMIT)
    other_customer = await second.take("customer:c:2", 1, LIMIT)

    assert all(decision.allowed for decision in spent)
    assert not refused.allowed
    assert refused.retry_after_seconds == 1
    assert other_customer.allowed


async def test_while_redis_is_down_each_replica_keeps_its_share_of_the_budget_then_shares_again(
    outage_replicas: tuple[RedisStore, RedisStore],
    own_server: RedisServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    clock = FakeClock()
    limiter = StoreRateLimiter(outage_replicas[0].buckets, replicas=2, clock=clock)
    other = StoreRateLimiter(outage_replicas[1].buckets, replicas=2, clock=clock)
    own_server.stop()

    with caplog.at_level(logging.WARNING, logger="gateway.edge.ratelimit"):
        while_down = [(await limiter.take("customer:c:1", 1, LIMIT)).allowed for _ in range(3)]
        own_server.start()
        still_local = await limiter.take("customer:c:2", 1, LIMIT)  # the store is asked again later
        clock.advance(5)
        shared = [(await limiter.take("customer:c:3", 1, LIMIT)).allowed for _ in range(4)]
        on_the_other = await other.take("customer:c:3", 1, LIMIT)

    assert while_down == [True, True, False]  # half of the burst of 4: two replicas
    assert still_local.allowed
    assert shared == [True] * 4
    assert not on_the_other.allowed
    assert [r.getMessage() for r in caplog.records] == ["rate_limit_local", "rate_limit_shared_again"]


async def test_an_apq_hash_registered_on_one_replica_runs_on_the_other(
    redis_replicas: tuple[RedisStore, RedisStore],
) -> None:
    first, second = (
        PersistedQueries("apq", registered=RegisteredDocuments(store.kv)) for store in redis_replicas
    )

    with pytest.raises(PersistedQueryError, match="PersistedQueryNotFound"):
        await second.resolve(None, _persisted(QUERY))
    resolved = await first.resolve(QUERY, _persisted(QUERY))
    assert resolved.register_as is not None
    await first.register(resolved.register_as, QUERY)  # the gate does this once the document passed

    assert (await second.resolve(None, _persisted(QUERY))).document == QUERY


async def test_while_redis_is_down_an_unknown_hash_asks_for_the_document_and_the_document_runs(
    outage_replicas: tuple[RedisStore, RedisStore], own_server: RedisServer
) -> None:
    first, second = (
        PersistedQueries("apq", registered=RegisteredDocuments(store.kv)) for store in outage_replicas
    )
    own_server.stop()

    with pytest.raises(PersistedQueryError, match="PersistedQueryNotFound"):
        await second.resolve(None, _persisted(QUERY))
    resolved = await second.resolve(QUERY, _persisted(QUERY))
    await second.register(sha256_of(QUERY), QUERY)  # not shared, and no error
    own_server.start()

    assert resolved.document == QUERY
    with pytest.raises(PersistedQueryError, match="PersistedQueryNotFound"):
        await first.resolve(None, _persisted(QUERY))


def _bc(development: Development) -> BCClient:
    keep_request_urls_out_of_logs()  # as create_app does: this BC client runs without the app
    return BCClient(development.bc_settings, transport=development.bc_transport)


async def test_company_names_and_currencies_are_read_from_bc_once_for_two_replicas(
    development: Development, sandbox: Starlette, redis_replicas: tuple[RedisStore, RedisStore]
) -> None:
    customer = development.customers[0]
    scope = CustomerScope(company_id=UUID(customer.company_id), customer_number=customer.customer_number)
    log = sandbox_of(sandbox).log
    log.clear()
    async with _bc(development) as first_bc, _bc(development) as second_bc:
        names, currencies = [], []
        for bc, store in zip((first_bc, second_bc), redis_replicas, strict=True):
            facts = SharedFacts(store.kv, FakeClock(), ttl_seconds=300)
            names.append(await CompanyNames(bc, facts).get())
            currencies.append(await LocalCurrencies(facts).of(bc.session(scope)))

    assert names[0] == names[1]
    assert str(customer.company_id) in {str(company) for company in names[0]}
    assert currencies[0] == currencies[1] != ""
    assert log.count("companies") == 1
    assert log.count("generalLedgerSetup") == 1


async def test_while_redis_is_down_company_names_and_currencies_are_read_through_to_bc(
    development: Development,
    sandbox: Starlette,
    outage_replicas: tuple[RedisStore, RedisStore],
    own_server: RedisServer,
) -> None:
    customer = development.customers[0]
    scope = CustomerScope(company_id=UUID(customer.company_id), customer_number=customer.customer_number)
    log = sandbox_of(sandbox).log
    own_server.stop()
    log.clear()
    async with _bc(development) as bc:
        facts = SharedFacts(outage_replicas[0].kv, FakeClock(), ttl_seconds=300)
        names = await CompanyNames(bc, facts).get()
        currency = await LocalCurrencies(facts).of(bc.session(scope))
        again = await CompanyNames(bc, facts).get()  # kept by this replica for a while

    assert names == again
    assert UUID(customer.company_id) in names
    assert currency
    assert log.count("companies") == 1
    assert log.count("generalLedgerSetup") == 1
