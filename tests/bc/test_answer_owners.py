"""Whose records a kept answer holds: learned from BC's rows, once per answer kept, never on a hit
(gateway/bc/_answer_owners.py; the webhook side is tests/webhooks/test_deleted_owners.py)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx
import pytest
import respx

from gateway.bc import AnswerCache, BCClient, BCSettings, CacheSettings, CustomerScope, Query, scoped
from gateway.bc._answer_owners import OWNERS_GENERATION
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


class EvictingValues:
    """The in-process store's values, with what Redis under memory pressure does: a value goes
    before its time to live (``evict``), and the server's loss mark moves (``INFO evicted_keys``)."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner
        self.evicted = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    async def evict(self, key: str) -> None:
        assert await self._inner.delete(key)
        self.evicted += 1

    async def losses(self) -> str:
        return f"run-1:{self.evicted}"


class EvictingStore(FlakyStore):
    def __init__(self) -> None:
        super().__init__()
        self.values = EvictingValues(self.inner.kv)

    @property
    def kv(self) -> Any:
        return self.values


async def read_orders(
    settings: BCSettings, router: respx.MockRouter, fake_time: FakeTime, answers: AnswerCache, times: int
) -> list[list[dict[str, Any]]]:
    """Customer 10000's sales orders, ``times`` times; ``bc_reads(router)`` says how many BC answered."""
    scope = CustomerScope(company_id=COMPANY_ID, customer_number="10000")
    router.get(f"{COMPANY_PATH}/salesOrders", name="orders").respond(json={"value": ROWS})
    transport = httpx.MockTransport(router.async_handler)
    async with BCClient(settings, transport=transport, clock=fake_time.clock(), answers=answers) as bc:
        return [await bc.session(scope).fetch(scoped(Query("salesOrders"), scope)) for _ in range(times)]


def bc_reads(router: respx.MockRouter) -> int:
    return int(router.routes["orders"].call_count)


async def test_a_kept_read_remembers_its_rows_owner_once(
    settings: BCSettings, router: respx.MockRouter, fake_time: FakeTime
) -> None:
    answers = AnswerCache(CacheSettings(), MemoryStore())

    await read_orders(settings, router, fake_time, answers, times=3)  # one miss, two hits

    recalled = await answers.owners.recall(COMPANY_ID, "salesOrders", [ORDER_A, ORDER_B, FOREIGN])
    assert {i: (o.number, o.customer_number) for i, o in recalled.owners.items()} == {
        ORDER_A: ("S-ORD1", "10000"),
        ORDER_B.lower(): ("S-ORD2", "10000"),
    }
    assert recalled.complete  # FOREIGN is in no kept answer: the scope check dropped its row
    assert answers.owners.stats["learned"] == 2  # written once, with the miss; hits write nothing
    assert answers.stats[("orders", "hit")] == 2


async def test_an_answer_whose_owners_cannot_be_remembered_is_not_kept(
    settings: BCSettings, router: respx.MockRouter, fake_time: FakeTime, caplog: pytest.LogCaptureFixture
) -> None:
    answers = AnswerCache(CacheSettings(), BrokenWrites())

    reads = await read_orders(settings, router, fake_time, answers, times=2)

    # The reads are answered, from BC each time: kept, the orders could be deleted unnoticed.
    assert [[row["number"] for row in rows] for rows in reads] == [["S-ORD1", "S-ORD2"]] * 2
    assert bc_reads(router) == 2
    assert answers.stats[("orders", "unkept")] == 2
    assert "answer_owners_unavailable" in caplog.text
    # And a deletion BC reports now cannot be traced: it goes to every customer.
    assert not (await answers.owners.recall(COMPANY_ID, "salesOrders", [ORDER_A])).complete


async def test_a_read_that_holds_a_record_deleted_meanwhile_is_not_kept(
    settings: BCSettings, router: respx.MockRouter, fake_time: FakeTime
) -> None:
    answers = AnswerCache(CacheSettings(), MemoryStore())
    # BC's deletion of S-ORD1 is processed while a read that still has it is on its way back:
    # no kept answer held the order, so the deletion made nobody's answers stale ...
    assert (await answers.owners.recall(COMPANY_ID, "salesOrders", [ORDER_A])).complete

    await read_orders(settings, router, fake_time, answers, times=2)

    # ... and the read that has it is not kept either: the next one asks BC again.
    assert bc_reads(router) == 2
    assert answers.owners.stats["outdated"] == 2


async def test_an_evicted_owner_entry_makes_every_customers_answers_read_again_once(
    settings: BCSettings, router: respx.MockRouter, fake_time: FakeTime, caplog: pytest.LogCaptureFixture
) -> None:
    store = EvictingStore()
    answers = AnswerCache(CacheSettings(), store)
    await read_orders(settings, router, fake_time, answers, times=1)
    await store.values.evict(answers.owners.key(COMPANY_ID, "salesOrders", ORDER_A))

    deleted = await answers.owners.recall(COMPANY_ID, "salesOrders", [ORDER_A])
    await read_orders(settings, router, fake_time, answers, times=1)
    never_read = await answers.owners.recall(COMPANY_ID, "salesOrders", [FOREIGN])

    assert not deleted.complete  # not found, but it may have been lost: not proof of anything
    assert bc_reads(router) == 2  # the owners generation moved: the kept answer was read again
    assert answers.owners.stats["lost"] == 1
    assert "answer_owners_lost" in caplog.text
    assert never_read.complete  # nothing lost since: a missing entry is proof again


async def test_the_owners_generation_is_lost_with_the_store_and_made_anew(
    settings: BCSettings, router: respx.MockRouter, fake_time: FakeTime
) -> None:
    store = EvictingStore()
    answers = AnswerCache(CacheSettings(), store)
    await read_orders(settings, router, fake_time, answers, times=1)
    await store.values.evict(OWNERS_GENERATION)

    await read_orders(settings, router, fake_time, answers, times=1)

    assert bc_reads(router) == 2
