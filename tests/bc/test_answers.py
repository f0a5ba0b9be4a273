"""The answer cache on its own: keys, exact bytes, generations, one read for many, a store that fails,
and two replicas on one real Redis."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import pytest

from gateway.bc import AnswerCache, CacheSettings, DataKind, Entity
from gateway.bc._answer_codec import StoredAnswer, UnencodableAnswer, decode_answer, encode_answer
from gateway.bc._answer_keys import ReadKey, read_key, read_keys_by_filter
from gateway.bc._answer_policy import keyed_record
from gateway.store import MemoryStore, RedisStore

pytestmark = pytest.mark.anyio

COMPANY = uuid.UUID("11111111-2222-3333-4444-555555555555")
ROWS: list[dict[str, Any]] = [
    {
        "@odata.etag": 'W/"JzIwOzE7MDA7Jw=="',
        "number": "S-INV-1",
        "amount": Decimal("1000.00"),
        "rate": Decimal("0.125"),
        "big": Decimal("1.5E+3"),
        "count": 3,
        "open": True,
        "note": 'quote " and \\ and ünïcode',
        "lines": [{"sequence": 10000, "unitPrice": Decimal("12.50")}],
    }
]


class WallClock:
    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    def __call__(self) -> float:
        return self.now


class Reads:
    """A ``produce`` that counts how often BC was asked, optionally waiting to be let go."""

    def __init__(self, rows: list[dict[str, Any]] | None = None) -> None:
        self.rows = rows if rows is not None else ROWS
        self.count = 0
        self.gate: asyncio.Event | None = None
        self.started = asyncio.Event()

    async def __call__(self) -> list[dict[str, Any]]:
        self.count += 1
        self.started.set()
        if self.gate is not None:
            await self.gate.wait()
        return self.rows


def invoices_key(customer: str = "10000", **params: str) -> ReadKey:
    key = read_key("api/v2.0", COMPANY, customer, "salesInvoices", {"$top": "5", **params})
    assert key is not None
    return key


def cache(store: Any, clock: WallClock, **settings: Any) -> AnswerCache:
    return AnswerCache(CacheSettings(**settings), store, wall_clock=clock)


def test_an_answer_is_the_same_bytes_back_decimals_exactly() -> None:
    stored = StoredAnswer(ROWS, 1_700_000_000.25, ("a", ""))
    back = decode_answer(encode_answer(stored))
    assert back == stored
    assert back is not None
    assert [str(back.rows[0][k]) for k in ("amount", "rate", "big")] == ["1000.00", "0.125", "1.5E+3"]
    assert str(back.rows[0]["lines"][0]["unitPrice"]) == "12.50"
    assert isinstance(back.rows[0]["count"], int)


def test_a_text_that_looks_like_a_marked_decimal_is_not_kept_rather_than_changed() -> None:
    rows = [{"amount": Decimal("1.5"), "note": "\x00D2.5"}]
    with pytest.raises(UnencodableAnswer):
        encode_answer(StoredAnswer(rows, 0.0, ()))


def test_bytes_of_another_version_are_no_answer() -> None:
    assert decode_answer(json.dumps([{"v": 99, "at": "1", "gens": []}, []]).encode()) is None
    assert decode_answer(b"not json") is None


def test_customer_owned_reads_are_keyed_by_customer_and_shared_sets_are_not() -> None:
    mine, yours = invoices_key("10000"), invoices_key("20000")
    items_a = read_key("api/v2.0", COMPANY, "10000", "items", {"$top": "5"})
    items_b = read_key("api/v2.0", COMPANY, "20000", "items", {"$top": "5"})
    assert mine.storage != yours.storage
    assert (mine.customer, mine.kind) == ("10000", DataKind.INVOICES)
    assert items_a == items_b
    assert items_a is not None
    assert items_a.customer is None
    assert invoices_key(**{"$filter": "a"}).storage != invoices_key(**{"$filter": "b"}).storage
    assert read_key("api/v2.0", COMPANY, "10000", "generalLedgerSetup", {}) is None  # never kept


@pytest.mark.parametrize(
    ("entity_set", "customer"), [("salesOrders", "10000"), ("items", "10000"), ("generalLedgerSetup", "1")]
)
def test_keys_worked_out_together_are_each_reads_own_key(entity_set: str, customer: str) -> None:
    # The keys of a read by key's reads, one per key, are worked out in one pass: each must be
    # exactly the key its read has alone, or a key kept by one would never be found by the other.
    params = {"$select": "number,id", "$expand": "lines", "$orderby": "number", "$top": "9", "$filter": "x"}
    # Each with the record it is of (where a change can name it), as ``read_key`` takes it.
    filters = [
        ("number eq 'S-1'", keyed_record(entity_set, "number", "'S-1'")),
        ("number eq 'S-2'", keyed_record(entity_set, "number", "'S-2'")),
        ("(number eq 'S-1') and id eq 3", None),
    ]
    together = read_keys_by_filter("api/v2.0", COMPANY, customer, entity_set, params, filters)
    alone = [
        read_key("api/v2.0", COMPANY, customer, entity_set, {**params, "$filter": f}, record=record)
        for f, record in filters
    ]
    assert together == [key for key in alone if key is not None]
    # Whatever ``params`` had as its ``$filter`` (or none), each filter given replaces it.
    without_filter = {k: v for k, v in params.items() if k != "$filter"}
    assert read_keys_by_filter("api/v2.0", COMPANY, customer, entity_set, without_filter, filters) == together


async def test_a_kept_answer_is_served_until_its_kinds_time_is_up() -> None:
    clock, reads = WallClock(), Reads()
    answers = cache(MemoryStore(), clock, invoices_ttl=15.0)
    key = invoices_key()

    first = await answers.read(key, reads)
    clock.now += 14.9
    kept = await answers.read(key, reads)
    clock.now += 0.1
    again = await answers.read(key, reads)

    assert (first.kept, kept.kept, again.kept) == (False, True, False)
    assert kept.age == pytest.approx(14.9)
    assert kept.rows == ROWS
    assert reads.count == 2


async def test_a_write_replaces_the_generation_of_its_customer_and_kind_only() -> None:
    clock, reads = WallClock(), Reads()
    answers = cache(MemoryStore(), clock)
    mine, yours = invoices_key("10000"), invoices_key("20000")
    orders = read_key("api/v2.0", COMPANY, "10000", "salesOrders", {})
    assert orders is not None
    for key in (mine, yours, orders):
        await answers.read(key, reads)

    await answers.invalidate(COMPANY, "10000", [(DataKind.INVOICES, False)])
    results = [await answers.read(key, reads) for key in (mine, yours, orders)]

    assert [answer.kept for answer in results] == [False, True, True]


async def test_a_company_wide_change_reaches_every_customers_answers_of_that_kind() -> None:
    clock, reads = WallClock(), Reads()
    answers = cache(MemoryStore(), clock)
    keys = [invoices_key("10000"), invoices_key("20000")]
    for key in keys:
        await answers.read(key, reads)

    await answers.record_changed(COMPANY, "salesInvoices")  # a webhook that names no customer

    assert [(await answers.read(key, reads)).kept for key in keys] == [False, False]


async def test_identical_reads_at_once_are_one_bc_read() -> None:
    reads = Reads()
    reads.gate = asyncio.Event()
    answers = cache(MemoryStore(), WallClock())
    key = invoices_key()

    pending = [asyncio.ensure_future(answers.read(key, reads)) for _ in range(5)]
    await asyncio.sleep(0)
    reads.gate.set()
    done = await asyncio.gather(*pending)

    assert reads.count == 1
    assert all(answer.rows == ROWS for answer in done)
    assert answers.stats[("invoices", "joined")] == 4


async def test_when_the_first_reader_fails_the_others_read_bc_themselves() -> None:
    answers = cache(MemoryStore(), WallClock())
    key = invoices_key()
    gate = asyncio.Event()
    calls = 0

    async def failing_then_fine() -> list[dict[str, Any]]:
        nonlocal calls
        calls += 1
        if calls == 1:
            await gate.wait()
            raise ConnectionResetError("BC went away")
        return ROWS

    first = asyncio.ensure_future(answers.read(key, failing_then_fine))
    await asyncio.sleep(0)
    second = asyncio.ensure_future(answers.read(key, failing_then_fine))
    await asyncio.sleep(0)
    gate.set()

    with pytest.raises(ConnectionResetError):
        await first
    assert (await second).rows == ROWS
    assert calls == 2


class UnreachableValues:
    async def get(self, key: str) -> bytes | None:
        raise ConnectionError("down")

    async def get_many(self, keys: Sequence[str]) -> list[bytes | None]:
        raise ConnectionError("down")

    async def put(self, key: str, value: bytes, *, ttl_seconds: float) -> None:
        raise ConnectionError("down")

    async def claim(self, key: str, value: bytes, *, ttl_seconds: float) -> bytes | None:
        raise ConnectionError("down")

    async def delete(self, key: str, *, expected: bytes | None = None) -> bool:
        raise ConnectionError("down")


class FlakyStore:
    """An in-process store whose values can be switched unreachable."""

    def __init__(self) -> None:
        self.inner = MemoryStore()
        self.down = False

    @property
    def kv(self) -> Any:
        return UnreachableValues() if self.down else self.inner.kv

    @property
    def channels(self) -> Any:
        return self.inner.channels

    @property
    def replicated(self) -> bool:
        return False


async def test_while_the_store_is_unreachable_reads_go_to_bc_and_writes_invalidate_once_it_is_back() -> None:
    store, reads = FlakyStore(), Reads()
    answers = cache(store, WallClock())
    key = invoices_key()
    await answers.read(key, reads)  # kept

    store.down = True
    during = [await answers.read(key, reads) for _ in range(2)]
    await answers.invalidate(COMPANY, "10000", [(DataKind.INVOICES, False)])  # cannot reach it yet
    store.down = False
    after = await answers.read(key, reads)

    assert [answer.kept for answer in during] == [False, False]
    assert after.kept is False  # the write's invalidation was made before anything was served
    assert reads.count == 4


async def test_memory_keeps_the_most_recently_used_answers_within_its_rows() -> None:
    clock, reads = WallClock(), Reads()
    answers = cache(MemoryStore(), clock, memory_rows=2)
    keys = [invoices_key(**{"$skip": str(n)}) for n in range(3)]
    for key in keys:
        await answers.read(key, reads)

    assert answers.kept_in_memory == 2
    assert (await answers.read(keys[0], reads)).kept is False  # the oldest went first
    assert (await answers.read(keys[2], reads)).kept is True


class Invoice(Entity, frozen=True, kw_only=True):
    number: str
    amount: Decimal = Decimal(0)


async def test_a_kept_answer_is_decoded_into_its_model_once_and_shared_by_later_readers() -> None:
    clock, reads = WallClock(), Reads()
    answers = cache(MemoryStore(), clock)
    key = invoices_key()

    first = await answers.read(key, reads, Invoice)
    kept = await answers.read(key, reads, Invoice)
    plain = await answers.read(key, reads)

    assert first.rows == [Invoice(number="S-INV-1", amount=Decimal("1000.00"))]
    assert kept.kept is True
    assert kept.rows[0] is first.rows[0]  # the same frozen model, not decoded again
    assert plain.rows == ROWS
    assert reads.count == 1


async def test_rows_decoded_into_a_model_count_twice_against_the_memory() -> None:
    clock, reads = WallClock(), Reads()
    answers = cache(MemoryStore(), clock, memory_rows=2)
    decoded, plain = invoices_key(**{"$skip": "0"}), invoices_key(**{"$skip": "1"})
    await answers.read(decoded, reads, Invoice)  # one row, held plain and as Invoice: two
    await answers.read(plain, reads)

    assert answers.kept_in_memory == 1
    assert (await answers.read(decoded, reads, Invoice)).kept is False


async def test_two_replicas_share_answers_and_invalidations_through_redis(
    redis_replicas: tuple[RedisStore, RedisStore],
) -> None:
    clock, reads = WallClock(), Reads()
    one, two = (cache(store, clock) for store in redis_replicas)
    key = invoices_key()
    try:
        await one.read(key, reads)
        from_redis = await two.read(key, reads)
        await one.invalidate(COMPANY, "10000", [(DataKind.INVOICES, False)])
        after_write = await two.read(key, reads)
    finally:
        await one.aclose()
        await two.aclose()

    assert from_redis.kept is True
    assert from_redis.rows == ROWS  # decimals and all, through Redis's bytes
    assert str(from_redis.rows[0]["amount"]) == "1000.00"
    assert after_write.kept is False
    assert reads.count == 2


class Watched:
    """A replica's store whose failed claims (another replica is reading) are announced."""

    def __init__(self, inner: RedisStore) -> None:
        self.inner = inner
        self.lost_a_claim = asyncio.Event()

    @property
    def kv(self) -> Any:
        watched = self

        class Values:
            def __getattr__(self, name: str) -> Any:
                return getattr(watched.inner.kv, name)

            async def claim(self, key: str, value: bytes, *, ttl_seconds: float) -> bytes | None:
                held = await watched.inner.kv.claim(key, value, ttl_seconds=ttl_seconds)
                if held is not None:
                    watched.lost_a_claim.set()
                return held

        return Values()

    @property
    def channels(self) -> Any:
        return self.inner.channels

    @property
    def replicated(self) -> bool:
        return True


async def test_replicas_reading_the_same_answer_at_once_make_one_bc_read(
    redis_replicas: tuple[RedisStore, RedisStore],
) -> None:
    clock, reads = WallClock(), Reads()
    reads.gate = asyncio.Event()
    second_store = Watched(redis_replicas[1])
    one = cache(redis_replicas[0], clock, fill_wait_seconds=5.0)
    two = cache(second_store, clock, fill_wait_seconds=5.0)
    key = read_key("bcgateway/portal/v1.0", COMPANY, "10000", "itemAvailabilities", {"$top": "9"})
    assert key is not None
    try:
        first = asyncio.ensure_future(one.read(key, reads))
        await reads.started.wait()  # the first replica claimed the read and is asking BC
        second = asyncio.ensure_future(two.read(key, reads))
        await second_store.lost_a_claim.wait()  # the second found the claim: it waits
        reads.gate.set()
        answers = await asyncio.gather(first, second)
    finally:
        await one.aclose()
        await two.aclose()

    assert reads.count == 1
    assert [answer.kept for answer in answers] == [False, True]
    assert two.stats[("availability", "joined")] == 1


async def test_a_kept_answer_is_looked_up_without_reading_bc() -> None:
    """``kept``: the answer while it is current, else nothing, and BC is never asked."""
    clock = WallClock()
    answers = cache(MemoryStore(), clock, invoices_ttl=15)
    reads = Reads()
    key = invoices_key()
    assert await answers.kept(key) is None

    await answers.read(key, reads)
    found = await answers.kept(key)
    assert found is not None
    assert (list(found.rows), found.kept) == (ROWS, True)

    await answers.invalidate(COMPANY, "10000", [(DataKind.INVOICES, False)])
    assert await answers.kept(key) is None
    await answers.read(key, reads)
    clock.now += 16
    assert await answers.kept(key) is None
    assert reads.count == 2


async def test_a_kept_answer_is_looked_up_in_the_store_another_replica_filled(
    redis_replicas: tuple[RedisStore, RedisStore],
) -> None:
    clock = WallClock()
    first, second = (cache(store, clock) for store in redis_replicas)
    key = invoices_key()
    await first.read(key, Reads())

    found = await second.kept(key)

    assert found is not None
    assert list(found.rows) == ROWS
