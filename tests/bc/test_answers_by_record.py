"""Answers read by a record's key go with that record's generation, lists with the customer's
(docs/caching.md, "Invalidation by record"): a change that names its record drops that record's
answers and the customer's lists, nothing else of theirs; one that cannot name it drops them all."""

from __future__ import annotations

from typing import Any

import pytest

from gateway.bc import Answer, AnswerCache, DataKind
from gateway.bc._answer_generations import record_generation_key
from gateway.bc._answer_keys import ReadKey, read_key
from gateway.bc._answer_policy import Stale, invalidated_by_change, invalidated_by_write, keyed_record
from gateway.store import MemoryStore, RedisStore
from tests.bc.test_answers import COMPANY, WallClock, cache
from tests.bc.test_answers_by_key import BC, KeyedReads

pytestmark = pytest.mark.anyio

Rows = list[dict[str, Any]]
ORDERS = DataKind.ORDERS


def order_key(number: str, customer: str = "10000") -> ReadKey:
    """The read of one order by number, as ``BCSession.fetch_by_key`` keys it."""
    literal = f"'{number}'"
    record = keyed_record("salesOrders", "number", literal)
    key = read_key(
        "api/v2.0", COMPANY, customer, "salesOrders", {"$filter": f"number eq {literal}"}, record=record
    )
    assert key is not None
    return key


def list_key(customer: str = "10000") -> ReadKey:
    key = read_key("api/v2.0", COMPANY, customer, "salesOrders", {"$top": "5"})
    assert key is not None
    return key


async def read(answers: AnswerCache, numbers: list[str], customer: str = "10000") -> KeyedReads:
    reads = KeyedReads(BC, numbers)
    keys = [order_key(n, customer) for n in numbers]
    whole = read_key("api/v2.0", COMPANY, customer, "salesOrders", {"$filter": " or ".join(numbers)})
    assert whole is not None
    await answers.read_by_key(whole, lambda: keys, reads)
    return reads


class ListReads:
    def __init__(self) -> None:
        self.count = 0

    async def __call__(self) -> Rows:
        self.count += 1
        return BC["S-1"] + BC["S-2"]


async def test_a_change_that_names_its_order_drops_that_orders_answers_and_the_lists_only() -> None:
    answers = cache(MemoryStore(), WallClock())
    listed = ListReads()
    await read(answers, ["S-1", "S-2"])
    await read(answers, ["S-1"], "20000")
    await answers.read(list_key(), listed)

    await answers.record_changed(COMPANY, "salesOrders", "10000", identifiers={"number": "s-1"})

    assert (await read(answers, ["S-1", "S-2"])).asked == [["S-1"]]  # BC compares without case
    assert (await read(answers, ["S-1"], "20000")).asked == []  # another customer's S-1
    await answers.read(list_key(), listed)
    assert listed.count == 2  # a changed order may join or leave any list


async def test_a_change_that_cannot_name_its_order_drops_every_answer_of_the_kind() -> None:
    answers = cache(MemoryStore(), WallClock())
    await read(answers, ["S-1", "S-2"])
    await read(answers, ["S-1"], "20000")

    await answers.record_changed(COMPANY, "salesOrders", "10000", identifiers={"number": None})

    assert (await read(answers, ["S-1", "S-2"])).asked == [["S-1", "S-2"]]
    assert (await read(answers, ["S-1"], "20000")).asked == []
    await answers.record_changed(COMPANY, "salesOrders")  # an owner nobody knows: company-wide
    assert (await read(answers, ["S-1"], "20000")).asked == [["S-1"]]


async def test_a_shipment_drops_its_orders_answers_not_its_customers_other_orders() -> None:
    answers = cache(MemoryStore(), WallClock())
    await read(answers, ["S-1", "S-2"])

    await answers.record_changed(
        COMPANY, "salesShipments", "10000", identifiers={"number": "SH-9", "orderNumber": "S-2"}
    )

    assert (await read(answers, ["S-1", "S-2"])).asked == [["S-2"]]


def test_what_each_change_names() -> None:
    def named(entity_set: str, **identifiers: str | None) -> dict[DataKind, tuple[str, ...] | None]:
        stale = invalidated_by_change(entity_set, owner_known=True, identifiers=identifiers)
        assert not any(item.company_wide for item in stale)
        return {item.kind: item.records for item in stale}

    assert named("salesOrders", number="S-1") == {ORDERS: ("order:'s-1'",)}
    assert named("salesShipments", number="SH-1", orderNumber="S-1") == {
        DataKind.SHIPMENTS: ("shipment:'sh-1'", "order:'s-1'"),
        ORDERS: ("order:'s-1'",),
    }
    assert named("salesInvoices", number="I-1", orderNumber="S-1") == {
        DataKind.INVOICES: ("invoice:'i-1'", "order:'s-1'"),
        ORDERS: ("order:'s-1'",),
        DataKind.ACCOUNT: None,
    }
    # An invoice of no order (combined shipments, a prepayment) or of an order not remembered.
    assert named("salesInvoices", number="I-1", orderNumber=None) == {
        DataKind.INVOICES: None,
        ORDERS: None,
        DataKind.ACCOUNT: None,
    }
    # A credit memo changes the invoices it is applied to, which it does not name.
    assert named("salesCreditMemos", number="C-1") == {DataKind.INVOICES: None, DataKind.ACCOUNT: None}
    assert named("customers", number="10000") == {DataKind.ACCOUNT: None}
    assert invalidated_by_change("salesOrders", owner_known=False) == (Stale(ORDERS, company_wide=True),)


def test_a_written_order_names_its_number_and_a_lost_answer_names_nothing() -> None:
    assert invalidated_by_write("salesOrders", {"number": "S-9", "id": "x"}) == (
        Stale(ORDERS, records=("order:'s-9'",)),
    )
    assert invalidated_by_write("salesOrders", None) == (Stale(ORDERS),)
    assert invalidated_by_write("customerQueryMessages", {"number": "Q-1"}) == (Stale(DataKind.QUERIES),)


async def test_rows_of_a_list_are_kept_by_record_only_if_nothing_changed_since_the_list_was_read() -> None:
    answers = cache(MemoryStore(), WallClock())

    async def listed_while(change: bool) -> Answer:
        async def produce() -> Rows:
            if change:  # BC's notification is processed while the list is on its way
                await answers.record_changed(COMPANY, "salesOrders", "10000", identifiers={"number": "S-1"})
            return BC["S-1"] + BC["S-2"]

        return await answers.read(list_key(), produce)

    stale = await listed_while(change=True)
    assert stale.source is not None
    await answers.keep_by_key([order_key("S-1"), order_key("S-2")], [BC["S-1"], BC["S-2"]], stale.source)
    assert (await read(answers, ["S-1", "S-2"])).asked == [["S-1", "S-2"]]  # none kept from it

    await answers.invalidate(COMPANY, "10000", [(ORDERS, False)])
    fine = await listed_while(change=False)
    assert fine.source is not None
    await answers.keep_by_key([order_key("S-1"), order_key("S-2")], [BC["S-1"], BC["S-2"]], fine.source)
    reads = await read(answers, ["S-1", "S-2"])
    assert reads.asked == []
    await answers.record_changed(COMPANY, "salesOrders", "10000", identifiers={"number": "S-2"})
    assert (await read(answers, ["S-1", "S-2"])).asked == [["S-2"]]


async def test_a_records_generation_lost_after_a_change_never_revives_its_old_answer() -> None:
    store = MemoryStore()
    answers = cache(store, WallClock())
    await read(answers, ["S-1"])
    await answers.record_changed(COMPANY, "salesOrders", "10000", identifiers={"number": "S-1"})
    assert await store.kv.delete(record_generation_key(COMPANY, "10000", ORDERS, "order:'s-1'"))

    assert (await read(answers, ["S-1"])).asked == [["S-1"]]


async def test_one_replicas_change_of_an_order_reaches_the_other_replicas_answers_of_it(
    redis_replicas: tuple[RedisStore, RedisStore],
) -> None:
    clock = WallClock()
    one, two = (cache(store, clock) for store in redis_replicas)
    await read(one, ["S-1", "S-2"])
    assert (await read(two, ["S-1", "S-2"])).asked == []

    await one.record_changed(COMPANY, "salesOrders", "10000", identifiers={"number": "S-1"})

    assert (await read(two, ["S-1", "S-2"])).asked == [["S-1"]]
    assert (await read(one, ["S-1", "S-2"])).asked == []  # the second replica read it for both
