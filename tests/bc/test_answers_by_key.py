"""Answers kept one per key (``AnswerCache.read_by_key``, ``keep_by_key``): a key read before,
alone or among others, is served kept; only the rest are read; generations and ages hold per key.
docs/caching.md, "One answer per key"."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from gateway.bc import Answer, AnswerCache, AnswerSource, DataKind
from gateway.bc._answer_keys import ReadKey, read_key
from gateway.store import MemoryStore, RedisStore
from tests.bc.test_answers import COMPANY, WallClock, cache

pytestmark = pytest.mark.anyio

Rows = list[dict[str, Any]]


def order_key(number: str, customer: str = "10000") -> ReadKey:
    key = read_key("api/v2.0", COMPANY, customer, "salesOrders", {"$filter": f"number eq '{number}'"})
    assert key is not None
    return key


def whole_key(numbers: list[str], customer: str = "10000") -> ReadKey:
    if len(numbers) == 1:
        return order_key(numbers[0], customer)
    keys = " or ".join(f"number eq '{n}'" for n in numbers)
    key = read_key("api/v2.0", COMPANY, customer, "salesOrders", {"$filter": f"({keys})"})
    assert key is not None
    return key


async def read(answers: AnswerCache, reads: KeyedReads, customer: str = "10000") -> list[Answer]:
    """``reads.numbers`` read by key, as ``BCSession.fetch_by_key`` asks the cache."""
    keys = [order_key(n, customer) for n in reads.numbers]
    return await answers.read_by_key(whole_key(reads.numbers, customer), lambda: keys, reads)


class KeyedReads:
    """A ``produce`` for ``read_by_key``: the rows BC holds per key; records the keys asked."""

    def __init__(self, rows: dict[str, Rows], numbers: list[str], *, exact: bool = True) -> None:
        self.rows, self.numbers, self.exact = rows, numbers, exact
        self.asked: list[list[str]] = []

    async def __call__(self, places: list[int]) -> tuple[list[Rows], bool]:
        wanted = [self.numbers[place] for place in places]
        self.asked.append(wanted)
        return [self.rows.get(number, []) for number in wanted], self.exact


BC = {"S-1": [{"number": "S-1"}], "S-2": [{"number": "S-2"}], "S-3": [{"number": "S-3"}]}


async def test_keys_read_before_are_served_kept_and_only_the_rest_are_read() -> None:
    clock = WallClock()
    answers = cache(MemoryStore(), clock)
    await read(answers, KeyedReads(BC, ["S-1", "S-2", "S-4"]))
    clock.now += 3

    second = KeyedReads(BC, ["S-2", "S-3", "S-4"])
    found = await read(answers, second)

    assert second.asked == [["S-3"]]  # S-2, and S-4's "no such order", were kept
    assert [list(answer.rows) for answer in found] == [BC["S-2"], BC["S-3"], []]
    assert [(answer.kept, answer.age) for answer in found] == [(True, 3.0), (False, 0.0), (True, 3.0)]
    alone = KeyedReads(BC, ["S-3"])
    assert (await read(answers, alone))[0].kept
    assert alone.asked == []


async def test_the_same_keys_again_are_found_without_working_out_each_keys_read() -> None:
    clock = WallClock()
    answers = cache(MemoryStore(), clock)
    await read(answers, KeyedReads(BC, ["S-1"]))
    clock.now += 4
    await read(answers, KeyedReads(BC, ["S-1", "S-2"]))  # S-1 kept, S-2 read now
    clock.now += 1
    worked_out: list[str] = []

    def keys() -> list[ReadKey]:
        worked_out.append("keys")
        return [order_key("S-1"), order_key("S-2")]

    again = KeyedReads(BC, ["S-1", "S-2"])
    found = await answers.read_by_key(whole_key(["S-1", "S-2"]), keys, again)

    assert (again.asked, worked_out) == ([], [])
    assert [(list(answer.rows), answer.age) for answer in found] == [(BC["S-1"], 5.0), (BC["S-2"], 1.0)]
    assert answers.stats[("orders", "hit")] == 3  # S-1 on the second read, both on the third

    await answers.invalidate(COMPANY, "10000", [(DataKind.ORDERS, False)])
    await answers.read_by_key(whole_key(["S-1", "S-2"]), keys, stale := KeyedReads(BC, ["S-1", "S-2"]))
    assert (stale.asked, worked_out) == ([["S-1", "S-2"]], ["keys"])


async def test_a_customers_write_makes_every_key_of_that_kind_stale_and_no_other_customers() -> None:
    answers = cache(MemoryStore(), WallClock())
    numbers = ["S-1", "S-2"]
    for customer in ("10000", "20000"):
        await read(answers, KeyedReads(BC, numbers), customer)

    await answers.invalidate(COMPANY, "10000", [(DataKind.ORDERS, False)])

    mine, theirs, one = KeyedReads(BC, numbers), KeyedReads(BC, numbers), KeyedReads(BC, ["S-2"])
    await read(answers, mine, "10000")
    await read(answers, theirs, "20000")
    assert (mine.asked, theirs.asked) == ([numbers], [])
    await answers.invalidate(COMPANY, "10000", [(DataKind.ORDERS, False)])
    await read(answers, one, "10000")
    assert one.asked == [["S-2"]]


async def test_rows_that_cannot_be_told_apart_by_key_are_served_but_not_kept() -> None:
    answers = cache(MemoryStore(), WallClock())
    numbers = ["S-1", "S-2"]
    found = await read(answers, KeyedReads(BC, numbers, exact=False))
    assert [answer.source for answer in found] == [None, None]  # a response built on it is not kept

    again = KeyedReads(BC, numbers)
    await read(answers, again)
    assert again.asked == [numbers]


class HeldReads(KeyedReads):
    """``KeyedReads`` whose BC answers only once ``release`` is set (or fails, with ``error``)."""

    def __init__(self, rows: dict[str, Rows], numbers: list[str], release: asyncio.Event) -> None:
        super().__init__(rows, numbers)
        self.release = release
        self.error: Exception | None = None

    async def __call__(self, places: list[int]) -> tuple[list[Rows], bool]:
        answer = await super().__call__(places)
        await self.release.wait()
        if self.error is not None:
            raise self.error
        return answer


async def settle() -> None:
    """Let every task run until it waits (for BC, or for a read in flight)."""
    for _ in range(20):
        await asyncio.sleep(0)


async def test_a_key_being_read_is_not_read_again_by_a_read_at_the_same_time() -> None:
    answers = cache(MemoryStore(), WallClock())
    release = asyncio.Event()
    first = HeldReads(BC, ["S-1", "S-2"], release)
    second = KeyedReads(BC, ["S-2", "S-3"])

    async def read_again() -> Rows:
        raise AssertionError("S-1 was read from BC a second time")

    reading = asyncio.create_task(read(answers, first))
    await settle()  # the first read is at BC
    joining = asyncio.create_task(read(answers, second))
    alone = asyncio.create_task(answers.read(order_key("S-1"), read_again))
    await settle()
    release.set()
    found, joined, single = await reading, await joining, await alone

    assert (first.asked, second.asked) == ([["S-1", "S-2"]], [["S-3"]])  # S-2 waited for the first
    assert [list(a.rows) for a in found] == [BC["S-1"], BC["S-2"]]
    assert [list(a.rows) for a in joined] == [BC["S-2"], BC["S-3"]]
    assert list(single.rows) == BC["S-1"]
    assert answers.stats[("orders", "joined")] == 2


async def test_a_key_whose_read_failed_is_read_by_those_who_waited_for_it() -> None:
    answers = cache(MemoryStore(), WallClock())
    release = asyncio.Event()
    first = HeldReads(BC, ["S-1", "S-2"], release)
    first.error = ConnectionError("BC went away")
    second = KeyedReads(BC, ["S-2", "S-3"])

    reading = asyncio.create_task(read(answers, first))
    await settle()
    joining = asyncio.create_task(read(answers, second))
    await settle()
    release.set()
    with pytest.raises(ConnectionError):
        await reading

    assert [list(a.rows) for a in await joining] == [BC["S-2"], BC["S-3"]]
    assert second.asked == [["S-3"], ["S-2"]]  # its own keys, then the one it had waited for


async def test_keys_of_two_customers_are_never_one_read() -> None:
    answers = cache(MemoryStore(), WallClock())
    keys = [order_key("S-1", "10000"), order_key("S-2", "20000")]
    with pytest.raises(ValueError, match="one company, owner and kind"):
        await answers.read_by_key(whole_key(["S-1", "S-2"]), lambda: keys, KeyedReads(BC, []))


async def test_rows_of_a_list_kept_by_key_are_as_old_as_the_list_and_go_with_its_generation() -> None:
    clock = WallClock()
    answers = cache(MemoryStore(), clock)
    listed = await answers.read(order_key("list"), _list_of(BC["S-1"] + BC["S-2"]))
    assert listed.source is not None
    await answers.keep_by_key([order_key("S-1"), order_key("S-2")], [BC["S-1"], BC["S-2"]], listed.source)
    clock.now += 5

    reads = KeyedReads(BC, ["S-1"])
    found = await read(answers, reads)
    assert (reads.asked, found[0].age) == ([], 5.0)

    await answers.invalidate(COMPANY, "10000", [(DataKind.ORDERS, False)])
    await read(answers, again := KeyedReads(BC, ["S-2"]))
    assert again.asked == [["S-2"]]


async def test_rows_are_kept_by_key_under_their_own_reads_generations_only() -> None:
    answers = cache(MemoryStore(), WallClock())
    invoices = read_key("api/v2.0", COMPANY, "10000", "salesInvoices", {})
    assert invoices is not None
    listed = await answers.read(invoices, _list_of([]))
    assert isinstance(listed.source, AnswerSource)
    with pytest.raises(ValueError, match="generations"):
        await answers.keep_by_key([order_key("S-1")], [BC["S-1"]], listed.source)


async def test_a_key_one_replica_read_is_served_kept_by_another(
    redis_replicas: tuple[RedisStore, RedisStore],
) -> None:
    clock = WallClock()
    one, two = (cache(store, clock) for store in redis_replicas)
    await read(one, KeyedReads(BC, ["S-1", "S-2"]))

    reads, both = KeyedReads(BC, ["S-2"]), KeyedReads(BC, ["S-1", "S-2"])
    found = await read(two, reads)
    await read(two, both)

    assert (reads.asked, both.asked, found[0].kept, list(found[0].rows)) == ([], [], True, BC["S-2"])
    await one.invalidate(COMPANY, "10000", [(DataKind.ORDERS, False)])
    await read(two, again := KeyedReads(BC, ["S-2"]))
    assert again.asked == [["S-2"]]


def _list_of(rows: Rows) -> Any:
    async def produce() -> Rows:
        return rows

    return produce
