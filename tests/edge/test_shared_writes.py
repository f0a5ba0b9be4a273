"""Writes on a shared store: two gateway apps on one Redis and one sandbox are two replicas.

One key is one order across both, a duplicate on one waits for the other's answer, and while Redis
cannot be reached a write is refused with STORE_UNAVAILABLE before anything reaches BC — then,
Redis back, the same key writes once.  (The same, with real processes and a SIGKILL, is in
``test_replicas.py``.)
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from gateway.edge.development import Development
from gateway.resolvers.context import WritePolicy
from gateway.sandbox.app import sandbox_of
from gateway.sandbox.faults import Fault
from gateway.sandbox.store import SandboxStore
from gateway.settings import Settings
from gateway.store import StoreSettings
from tests.edge.writes_support import customer, gateway_client, items, orders_of, place
from tests.redis_server import RedisServer

pytestmark = [pytest.mark.anyio, pytest.mark.writes]


def _cart(store: SandboxStore, company: str) -> list[dict[str, str]]:
    return [{"itemNumber": item["number"], "quantity": "2"} for item in items(store, company)[:2]]


def _on_redis(server: RedisServer, prefix: str, *, timeout_seconds: float = 0.2, **writes: Any) -> Settings:
    store = StoreSettings(server.url, prefix=prefix, timeout_seconds=timeout_seconds)
    return dataclasses.replace(Settings(), store=store, writes=WritePolicy(**writes))


@contextlib.asynccontextmanager
async def _replicas(
    development: Development, settings: Settings
) -> AsyncIterator[tuple[httpx.AsyncClient, httpx.AsyncClient]]:
    async with (
        gateway_client(development, settings) as first,
        gateway_client(development, settings) as second,
    ):
        yield first, second


async def test_twenty_sends_of_one_key_split_over_two_replicas_make_one_order_and_one_answer(
    development: Development,
    store: SandboxStore,
    redis_server: RedisServer,
    token_for: Callable[..., str],
    bc_log: Any,
    sandbox: Starlette,
) -> None:
    company, number = customer(store)
    token = token_for(number, company)
    before = len(orders_of(store, company, number))
    request = {"lines": _cart(store, company), "idempotencyKey": "two-replicas"}
    # BC takes its time over the order, so the duplicates arrive while it is being written.
    sandbox_of(sandbox).faults.set(
        [Fault("latency", latency_ms=100, method="POST", entity_set="salesOrders")]
    )

    # Redis's answers may wait out a collection of the whole suite's heap: 0.2 s (what the outage
    # tests want, to refuse fast) made one of the twenty STORE_UNAVAILABLE now and then.
    split = _on_redis(redis_server, "test-writes-split", timeout_seconds=2.0)
    async with _replicas(development, split) as (first, second):
        results = await asyncio.gather(
            *(place(first if n % 2 else second, token, request) for n in range(20))
        )

    assert bc_log.count(entity_set="salesOrders", method="POST") == 1
    assert len(orders_of(store, company, number)) == before + 1
    assert {result["__typename"] for result in results} == {"PlacedOrder"}, results
    assert all(result == results[0] for result in results)


async def test_while_redis_is_down_a_write_is_refused_before_bc_and_once_back_the_key_writes_once(
    development: Development,
    store: SandboxStore,
    own_server: RedisServer,
    token_for: Callable[..., str],
    bc_log: Any,
    caplog: pytest.LogCaptureFixture,
) -> None:
    company, number = customer(store)
    token = token_for(number, company)
    before = len(orders_of(store, company, number))
    request = {"lines": _cart(store, company), "idempotencyKey": "outage"}
    me = {"query": "{ me { number } }"}

    async with gateway_client(development, _on_redis(own_server, "test-writes-outage")) as client:
        own_server.stop()
        bc_log.clear()
        with caplog.at_level(logging.INFO, logger="gateway.audit.write"):
            refused = await place(client, token, request)
        audited = [r.write["outcome"] for r in caplog.records if r.name == "gateway.audit.write"]  # type: ignore[attr-defined]
        posts_while_down = bc_log.count(method="POST")
        read = await client.post("/graphql", json=me, headers={"authorization": f"Bearer {token}"})
        own_server.start()
        placed = await place(client, token, request)
        replayed = await place(client, token, request)

    assert refused["code"] == "STORE_UNAVAILABLE"
    assert "Nothing was written" in refused["message"]
    assert posts_while_down == 0
    assert audited == ["STORE_UNAVAILABLE"]
    assert read.json() == {"data": {"me": {"number": number}}}
    assert placed["__typename"] == "PlacedOrder", placed
    assert replayed == placed
    assert len(orders_of(store, company, number)) == before + 1
    assert bc_log.count(entity_set="salesOrders", method="POST") == 1


async def test_a_duplicate_query_on_the_other_replica_waits_and_answers_with_the_first_ones_query(
    development: Development,
    store: SandboxStore,
    redis_server: RedisServer,
    token_for: Callable[..., str],
    bc_log: Any,
    sandbox: Starlette,
) -> None:
    company, number = customer(store)
    token = token_for(number, company)
    mutation = (
        "mutation($input: SubmitQueryInput!) { submitQuery(input: $input) { __typename "
        "... on CustomerQuery { number } ... on WriteError { code } } }"
    )
    headers = {"authorization": f"Bearer {token}"}
    sandbox_of(sandbox).faults.set([Fault("latency", latency_ms=100, method="POST")])

    async def submit(client: httpx.AsyncClient, key: str) -> dict[str, Any]:
        body = {"category": "OTHER", "subject": "Same", "message": "Same words", "idempotencyKey": key}
        answer = await client.post(
            "/graphql", json={"query": mutation, "variables": {"input": body}}, headers=headers
        )
        result: dict[str, Any] = answer.json()["data"]["submitQuery"]
        return result

    async with _replicas(development, _on_redis(redis_server, "test-writes-content")) as (first, second):
        results = await asyncio.gather(*(submit(first if n % 2 else second, f"k{n}") for n in range(6)))

    assert {result["__typename"] for result in results} == {"CustomerQuery"}
    assert len({result["number"] for result in results}) == 1
    assert bc_log.count(entity_set="customerQueries", method="POST") == 1
