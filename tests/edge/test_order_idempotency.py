"""Idempotency of ordering against the sandbox: one key, one order in BC — through sequential and
concurrent retries, a lost answer, and a gateway restart."""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Callable
from dataclasses import replace
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
from tests.edge.writes_support import (
    bc_writes,
    customer,
    gateway_client,
    items,
    orders_of,
    place,
)

pytestmark = [pytest.mark.anyio, pytest.mark.writes]


def cart(store: SandboxStore, company: str, quantity: str = "2") -> list[dict[str, str]]:
    return [{"itemNumber": item["number"], "quantity": quantity} for item in items(store, company)[:2]]


async def test_a_sequential_retry_with_the_same_key_replays_the_order_without_writing(
    client: httpx.AsyncClient, store: SandboxStore, token_for: Callable[..., str], bc_log: Any
) -> None:
    company, number = customer(store)
    token = token_for(number, company)
    before = len(orders_of(store, company, number))
    request = {"lines": cart(store, company), "idempotencyKey": "retry-1"}
    bc_log.clear()

    first = await place(client, token, request)
    reads_after_first = bc_log.count()
    second = await place(client, token, request)

    assert first["__typename"] == "PlacedOrder", first
    assert second == first
    assert len(orders_of(store, company, number)) == before + 1
    assert bc_log.count(entity_set="salesOrders", method="POST") == 1
    assert bc_log.count() == reads_after_first  # the replay asked BC nothing at all


async def test_the_key_can_come_from_the_idempotency_key_header(
    client: httpx.AsyncClient, store: SandboxStore, token_for: Callable[..., str], bc_log: Any
) -> None:
    company, number = customer(store)
    token = token_for(number, company)
    request = {"lines": cart(store, company)}
    bc_log.clear()

    first = await place(client, token, request, headers={"Idempotency-Key": "header-key"})
    second = await place(client, token, request, headers={"Idempotency-Key": "header-key"})

    assert first["__typename"] == "PlacedOrder"
    assert second == first
    assert bc_log.count(entity_set="salesOrders", method="POST") == 1


async def test_without_a_key_nothing_is_written(
    client: httpx.AsyncClient, store: SandboxStore, token_for: Callable[..., str], bc_log: Any
) -> None:
    company, number = customer(store)
    bc_log.clear()

    result = await place(client, token_for(number, company), {"lines": cart(store, company)})

    assert result["code"] == "IDEMPOTENCY_KEY_REQUIRED"
    assert bc_log.count() == 0


async def test_the_same_key_with_other_quantities_is_refused_without_a_write(
    client: httpx.AsyncClient, store: SandboxStore, token_for: Callable[..., str], bc_log: Any
) -> None:
    company, number = customer(store)
    token = token_for(number, company)
    await place(client, token, {"lines": cart(store, company, "2"), "idempotencyKey": "reused"})
    bc_log.clear()

    result = await place(client, token, {"lines": cart(store, company, "5"), "idempotencyKey": "reused"})

    assert result["__typename"] == "WriteError"
    assert result["code"] == "IDEMPOTENCY_KEY_REUSED"
    assert bc_writes(bc_log) == 0
    assert bc_log.count() == 0


async def test_ten_concurrent_calls_with_one_key_create_one_order_and_agree_on_it(
    client: httpx.AsyncClient, store: SandboxStore, token_for: Callable[..., str], bc_log: Any
) -> None:
    company, number = customer(store)
    token = token_for(number, company)
    before = len(orders_of(store, company, number))
    request = {"lines": cart(store, company), "idempotencyKey": "stampede"}
    bc_log.clear()

    results = await asyncio.gather(*(place(client, token, request) for _ in range(10)))

    assert bc_log.count(entity_set="salesOrders", method="POST") == 1
    assert len(orders_of(store, company, number)) == before + 1
    assert {result["__typename"] for result in results} == {"PlacedOrder"}
    assert len({result["order"]["number"] for result in results}) == 1


async def test_two_customers_may_use_the_same_key(
    client: httpx.AsyncClient, store: SandboxStore, token_for: Callable[..., str], bc_log: Any
) -> None:
    company, number = customer(store)
    other = next(
        r["number"]
        for r in store.table(company, "v2.0", "customers")
        if r["blocked"] == "_x0020_" and r["number"] != number
    )
    bc_log.clear()

    mine = await place(
        client, token_for(number, company), {"lines": cart(store, company), "idempotencyKey": "k"}
    )
    theirs = await place(
        client, token_for(other, company), {"lines": cart(store, company), "idempotencyKey": "k"}
    )

    assert mine["order"]["number"] != theirs["order"]["number"]
    assert bc_log.count(entity_set="salesOrders", method="POST") == 2


class DropAfterOrderCommits(httpx.AsyncBaseTransport):
    """In front of the sandbox: BC commits the order, then the connection drops (once)."""

    def __init__(self, inner: httpx.AsyncBaseTransport, *, then_unreachable: bool = False) -> None:
        self.inner = inner
        self.dropped = False
        self.then_unreachable = then_unreachable

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self.dropped and self.then_unreachable:
            raise httpx.ConnectError("connection refused", request=request)
        response = await self.inner.handle_async_request(request)
        if not self.dropped and request.method == "POST" and request.url.path.endswith("/salesOrders"):
            self.dropped = True
            await response.aread()
            raise httpx.ReadError("connection reset by peer", request=request)
        return response


COMMIT_THEN_DROP = Fault(kind="reset", when="after", method="POST", entity_set="salesOrders", times=1)


async def test_an_order_committed_before_the_connection_dropped_is_found_not_duplicated(
    client: httpx.AsyncClient,
    sandbox: Starlette,
    store: SandboxStore,
    token_for: Callable[..., str],
    bc_log: Any,
) -> None:
    company, number = customer(store)
    token = token_for(number, company)
    before = len(orders_of(store, company, number))
    request = {"lines": cart(store, company), "idempotencyKey": "lost-answer"}
    sandbox_of(sandbox).faults.set([COMMIT_THEN_DROP])
    bc_log.clear()

    result = await place(client, token, request)
    retried = await place(client, token, request)

    assert result["__typename"] == "PlacedOrder", result
    assert retried == result
    assert len(orders_of(store, company, number)) == before + 1
    assert bc_log.count(entity_set="salesOrders", method="POST") == 1


async def test_after_a_lost_answer_a_fresh_gateway_instance_returns_the_same_order(
    development: Development,
    sandbox: Starlette,
    store: SandboxStore,
    token_for: Callable[..., str],
    bc_log: Any,
) -> None:
    company, number = customer(store)
    token = token_for(number, company)
    before = len(orders_of(store, company, number))
    request = {"lines": cart(store, company), "idempotencyKey": "fresh-instance"}
    sandbox_of(sandbox).faults.set([COMMIT_THEN_DROP])

    async with gateway_client(development) as first_instance:
        bc_log.clear()
        first = await place(first_instance, token, request)
    sandbox_of(sandbox).faults.clear()
    async with gateway_client(development) as fresh_instance:
        retried = await place(fresh_instance, token, request)

    assert retried["__typename"] == "PlacedOrder", retried
    assert retried["order"] == first["order"]
    assert len(orders_of(store, company, number)) == before + 1
    assert bc_log.count(entity_set="salesOrders", method="POST") == 1


async def test_when_bc_stays_unreachable_after_a_lost_answer_a_restarted_gateway_finds_the_order(
    development: Development, store: SandboxStore, token_for: Callable[..., str], bc_log: Any
) -> None:
    company, number = customer(store)
    token = token_for(number, company)
    before = len(orders_of(store, company, number))
    request = {"lines": cart(store, company), "idempotencyKey": "restart"}
    # BC commits, the answer is lost, and BC stays unreachable: this instance cannot confirm.
    flaky = DropAfterOrderCommits(development.bc_transport, then_unreachable=True)

    async with gateway_client(replace(development, bc_transport=flaky)) as first_instance:
        bc_log.clear()
        first = await place(first_instance, token, request)
    async with gateway_client(development) as fresh_instance:
        retried = await place(fresh_instance, token, request)

    assert first["code"] == "BC_UNAVAILABLE"
    assert retried["__typename"] == "PlacedOrder", retried
    assert len(orders_of(store, company, number)) == before + 1
    assert bc_log.count(entity_set="salesOrders", method="POST") == 1
    created = next(o for o in orders_of(store, company, number) if o["number"] == retried["order"]["number"])
    assert created["customerNumber"] == number


async def test_every_write_attempt_is_audited_without_the_token_or_the_key(
    client: httpx.AsyncClient,
    store: SandboxStore,
    token_for: Callable[..., str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    company, number = customer(store)
    token = token_for(number, company)
    request = {"lines": cart(store, company), "idempotencyKey": "audited"}

    with caplog.at_level(logging.INFO, logger="gateway.audit.write"):
        first = await place(client, token, request)
        await place(client, token, request)

    records = [r.write for r in caplog.records if r.name == "gateway.audit.write"]  # type: ignore[attr-defined]
    assert [r["outcome"] for r in records] == ["created", "replayed"]
    for record in records:
        assert record["idempotency_key_sha256"] == hashlib.sha256(b"audited").hexdigest()
        assert record["mutation"] == "placeOrder"
        assert record["customer"] == number
        assert record["document_number"] == first["order"]["number"]
        assert len(record["payload_digest"]) == 64
        assert "audited" not in repr(record)
    assert token not in caplog.text


@pytest.mark.parametrize(
    "fault",
    [
        Fault(kind="status", status=503, method="POST", entity_set="salesOrders", times=1),
        Fault(kind="status", status=429, retry_after=0, method="POST", entity_set="salesOrders", times=1),
        Fault(kind="reset", when="before", method="POST", entity_set="salesOrders", times=1),
    ],
    ids=["503", "429", "reset-before"],
)
async def test_an_order_post_is_never_retried_by_the_gateway_and_the_clients_retry_creates_it_once(
    client: httpx.AsyncClient,
    sandbox: Starlette,
    store: SandboxStore,
    token_for: Callable[..., str],
    bc_log: Any,
    fault: Fault,
) -> None:
    company, number = customer(store)
    token = token_for(number, company)
    before = len(orders_of(store, company, number))
    request = {"lines": cart(store, company), "idempotencyKey": "unconfirmed"}
    sandbox_of(sandbox).faults.set([fault])
    bc_log.clear()

    first = await place(client, token, request)
    posts_after_first = order_posts(bc_log)
    retried = await place(client, token, request)

    assert first["code"] == "BC_UNAVAILABLE"
    assert posts_after_first == 1
    assert retried["__typename"] == "PlacedOrder", retried
    assert order_posts(bc_log) == 2
    assert len(orders_of(store, company, number)) == before + 1


def order_posts(log: Any) -> int:
    # By path: a request the sandbox refuses early (a status fault) is logged before its entity set.
    return sum(1 for e in log.entries if e.method == "POST" and e.path.endswith("/salesOrders"))


async def test_a_duplicate_that_cannot_wait_gets_in_progress_and_writes_nothing(
    development: Development,
    sandbox: Starlette,
    store: SandboxStore,
    token_for: Callable[..., str],
    bc_log: Any,
) -> None:
    company, number = customer(store)
    token = token_for(number, company)
    before = len(orders_of(store, company, number))
    request = {"lines": cart(store, company), "idempotencyKey": "impatient"}
    settings = replace(Settings(), writes=WritePolicy(in_progress_wait_seconds=0))
    sandbox_of(sandbox).faults.set(
        [Fault(kind="latency", latency_ms=50, method="POST", entity_set="salesOrders")]
    )

    async with gateway_client(development, settings) as client:
        bc_log.clear()
        results = await asyncio.gather(place(client, token, request), place(client, token, request))

    assert sorted(r["__typename"] for r in results) == ["PlacedOrder", "WriteError"]
    assert [r["code"] for r in results if r["__typename"] == "WriteError"] == ["IN_PROGRESS"]
    assert bc_log.count(entity_set="salesOrders", method="POST") == 1
    assert len(orders_of(store, company, number)) == before + 1


async def test_a_refused_attempt_is_audited_with_its_digest_and_outcome(
    client: httpx.AsyncClient,
    store: SandboxStore,
    token_for: Callable[..., str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    company, number = customer(store)

    with caplog.at_level(logging.INFO, logger="gateway.audit.write"):
        await place(
            client, token_for(number, company), {"lines": cart(store, company, "0"), "idempotencyKey": "z"}
        )

    records = [r.write for r in caplog.records if r.name == "gateway.audit.write"]  # type: ignore[attr-defined]
    assert [(r["outcome"], r["idempotency_key_sha256"], r["customer"]) for r in records] == [
        ("VALIDATION_FAILED", hashlib.sha256(b"z").hexdigest(), number)
    ]
    assert len(records[0]["payload_digest"]) == 64
    assert records[0]["document_number"] is None


async def test_the_same_quantity_spelled_differently_is_the_same_payload(
    client: httpx.AsyncClient, store: SandboxStore, token_for: Callable[..., str], bc_log: Any
) -> None:
    company, number = customer(store)
    token = token_for(number, company)
    bc_log.clear()

    first = await place(client, token, {"lines": cart(store, company, "2"), "idempotencyKey": "spelled"})
    second = await place(client, token, {"lines": cart(store, company, "2.000"), "idempotencyKey": "spelled"})

    assert second == first
    assert bc_log.count(entity_set="salesOrders", method="POST") == 1
