"""Whose records a kept answer holds: learned from BC's rows, once per answer kept, never on a hit
(gateway/bc/_answer_owners.py; the webhook side is tests/webhooks/test_deleted_owners.py)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx
import pytest
import respx

from gateway.bc import AnswerCache, BCClient, BCSettings, CacheSettings, CustomerScope, Query, scoped
from gateway.store import MemoryStore, StoreUnavailable
from tests.bc.conftest import COMPANY_ID, COMPANY_PATH
from tests.bc.fakes import FakeTime
from tests.bc.test_answers import FlakyStore

pytestmark = pytest.mark.anyio

ORDER_A = "0a2b3c4d-0000-4000-8000-000000000001"
ORDER_B = "0A2B3C4D-0000-4000-8000-000000000002"  # BC may send a GUID in capitals
FOREIGN = "0a2b3c4d-0000-4000-8000-000000000003"
ROWS = [
    {"id": ORDER_A, "number": "S-ORD1", "customerNumber": "10000"},
    {"id": ORDER_B, "number": "S-ORD2", "customerNumber": "10000"},
    # A row of another customer (BC dropped the filter): the scope check drops it, never learned.
    {"id": FOREIGN, "number": "S-ORD3", "customerNumber": "20000"},
]


class RefusedWrites:
    """The in-process store's values, except that ``put_many`` fails (Redis refusing writes)."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    async def put_many(self, values: Mapping[str, bytes], *, ttl_seconds: float) -> None:
        raise StoreUnavailable("the shared store (Redis) failed to store values")


class BrokenWrites(FlakyStore):
    """A store that reads and answers, but cannot write several values."""

    @property
    def kv(self) -> Any:
        return RefusedWrites(self.inner.kv)


async def read_orders(
    settings: BCSettings, router: respx.MockRouter, fake_time: FakeTime, answers: AnswerCache, times: int
) -> list[list[dict[str, Any]]]:
    scope = CustomerScope(company_id=COMPANY_ID, customer_number="10000")
    router.get(f"{COMPANY_PATH}/salesOrders").respond(json={"value": ROWS})
    transport = httpx.MockTransport(router.async_handler)
    async with BCClient(settings, transport=transport, clock=fake_time.clock(), answers=answers) as bc:
        return [await bc.session(scope).fetch(scoped(Query("salesOrders"), scope)) for _ in range(times)]


async def test_a_kept_read_remembers_its_rows_owner_once(
    settings: BCSettings, router: respx.MockRouter, fake_time: FakeTime
) -> None:
    answers = AnswerCache(CacheSettings(), MemoryStore())

    await read_orders(settings, router, fake_time, answers, times=3)  # one miss, two hits

    owners = await answers.owners.recall(COMPANY_ID, "salesOrders", [ORDER_A, ORDER_B, FOREIGN])
    assert {i: (o.number, o.customer_number) for i, o in owners.items()} == {
        ORDER_A: ("S-ORD1", "10000"),
        ORDER_B.lower(): ("S-ORD2", "10000"),
    }
    assert answers.owners.stats["learned"] == 2  # written once, with the miss; hits write nothing
    assert answers.stats[("orders", "hit")] == 2


async def test_a_store_that_fails_the_write_does_not_fail_the_read(
    settings: BCSettings, router: respx.MockRouter, fake_time: FakeTime, caplog: pytest.LogCaptureFixture
) -> None:
    answers = AnswerCache(CacheSettings(), BrokenWrites())

    reads = await read_orders(settings, router, fake_time, answers, times=2)

    assert [[row["number"] for row in rows] for rows in reads] == [["S-ORD1", "S-ORD2"]] * 2
    assert answers.owners.stats["unavailable"] == 1  # counted and logged: a deletion goes company-wide
    assert "answer_owners_unavailable" in caplog.text
    assert await answers.owners.recall(COMPANY_ID, "salesOrders", [ORDER_A]) == {}
