"""The records the gateway wrote, remembered with the time BC answered the write with, so that BC's
notification of the same change is recognised as its echo (``gateway/bc/_own_writes.py``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx
import pytest
import respx

from gateway.bc import AnswerCache, BCClient, BCSettings, CacheSettings, CustomerScope
from gateway.bc._own_writes import echo_covered
from gateway.store import MemoryStore
from tests.bc.conftest import COMPANY_ID, COMPANY_PATH
from tests.bc.fakes import FakeTime
from tests.bc.test_answers import FlakyStore

pytestmark = pytest.mark.anyio

ORDER = "0a2b3c4d-0000-4000-8000-0000000000a1"
WRITTEN = dt.datetime(2026, 6, 15, 9, 0, 0, 250_000, tzinfo=dt.UTC)
ANSWER = {
    "id": ORDER,
    "number": "S-ORD9",
    "customerNumber": "10000",
    "lastModifiedDateTime": "2026-06-15T09:00:00.25Z",
}


async def place(
    settings: BCSettings,
    router: respx.MockRouter,
    fake_time: FakeTime,
    answers: AnswerCache,
    answer: dict[str, Any],
) -> None:
    """Customer 10000 creates a sales order; BC answers ``answer``."""
    scope = CustomerScope(company_id=COMPANY_ID, customer_number="10000")
    router.post(f"{COMPANY_PATH}/salesOrders").respond(201, json=answer)
    transport = httpx.MockTransport(router.async_handler)
    async with BCClient(settings, transport=transport, clock=fake_time.clock(), answers=answers) as bc:
        await bc.session(scope).create("salesOrders", {"customerNumber": "10000"})


def test_only_sets_whose_write_forgets_what_their_notification_would_have_echoes() -> None:
    assert echo_covered("salesOrders")
    assert echo_covered("customerQueries")
    # A shipment's notification forgets the owner's orders and shipments; nobody writes one.
    assert not echo_covered("salesShipments")
    assert not echo_covered("items")


async def test_a_notification_at_or_before_the_written_time_is_the_writes_echo(
    settings: BCSettings, router: respx.MockRouter, fake_time: FakeTime
) -> None:
    answers = AnswerCache(CacheSettings(), MemoryStore())
    await place(settings, router, fake_time, answers, ANSWER)
    own = answers.own_writes

    # BC registers a change a moment before it stamps the record: the stamp itself, or earlier.
    at_the_stamp = await own.echoes(COMPANY_ID, "salesOrders", ORDER.upper(), WRITTEN)
    registered_before = await own.echoes(
        COMPANY_ID, "salesOrders", ORDER, WRITTEN - dt.timedelta(milliseconds=4)
    )
    later = await own.echoes(COMPANY_ID, "salesOrders", ORDER, WRITTEN + dt.timedelta(milliseconds=1))
    other_record = await own.echoes(COMPANY_ID, "salesOrders", ORDER.replace("a1", "a2"), WRITTEN)
    other_set = await own.echoes(COMPANY_ID, "salesShipments", ORDER, WRITTEN)

    assert (at_the_stamp, registered_before) == (True, True)
    assert (later, other_record, other_set) == (False, False, False)
    assert own.stats == {"remembered": 1, "echo": 2, "unrecognised": 2}


async def test_a_write_whose_invalidation_could_not_reach_the_store_is_not_remembered(
    settings: BCSettings, router: respx.MockRouter, fake_time: FakeTime
) -> None:
    store = FlakyStore()
    answers = AnswerCache(CacheSettings(), store)
    store.down = True  # only this replica knows its answers are stale: the notification must tell the others

    await place(settings, router, fake_time, answers, ANSWER)
    store.down = False

    assert not await answers.own_writes.echoes(COMPANY_ID, "salesOrders", ORDER, WRITTEN)
    assert answers.own_writes.stats["remembered"] == 0


async def test_an_answer_without_its_time_is_not_remembered(
    settings: BCSettings, router: respx.MockRouter, fake_time: FakeTime
) -> None:
    answers = AnswerCache(CacheSettings(), MemoryStore())

    await place(settings, router, fake_time, answers, {**ANSWER, "lastModifiedDateTime": None})

    assert not await answers.own_writes.echoes(COMPANY_ID, "salesOrders", ORDER, WRITTEN)
    assert answers.own_writes.stats["unremembered"] == 1


async def test_a_store_that_does_not_answer_the_lookup_recognises_no_echo(
    settings: BCSettings, router: respx.MockRouter, fake_time: FakeTime
) -> None:
    store = FlakyStore()
    answers = AnswerCache(CacheSettings(), store)
    await place(settings, router, fake_time, answers, ANSWER)

    store.down = True
    echo = await answers.own_writes.echoes(COMPANY_ID, "salesOrders", ORDER, WRITTEN)

    assert not echo
    assert answers.own_writes.stats["unavailable"] == 1
