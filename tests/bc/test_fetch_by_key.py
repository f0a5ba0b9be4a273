"""``BCSession.fetch_by_key`` against a faked BC: each key's rows kept as that key's own read,
only the keys not kept asked of BC, and nothing kept by key when BC's rows cannot be told apart
by key (docs/caching.md, "One answer per key")."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from typing import Any

import httpx
import pytest
import respx

from gateway.bc import (
    AnswerCache,
    BCClient,
    BCSettings,
    CacheSettings,
    CustomerScope,
    Field,
    Query,
    RowsByKey,
    ScopedQuery,
    any_of,
    scoped,
)
from gateway.store import MemoryStore
from tests.bc.conftest import COMPANY_ID, COMPANY_PATH
from tests.bc.fakes import FakeTime

pytestmark = pytest.mark.anyio

SCOPE = CustomerScope(company_id=COMPANY_ID, customer_number="10000")
ORDERS = {
    n: {"id": f"0a2b3c4d-0000-4000-8000-00000000000{n[-1]}", "number": n, "customerNumber": "10000"}
    for n in ("S-1", "S-2", "S-3")
}


def by_number(keys: Sequence[Any]) -> ScopedQuery:
    return scoped(Query("salesOrders", filter=any_of(Field("number"), keys)), SCOPE)


class FakeOrders:
    """BC's ``salesOrders``: the rows whose number the filter names (or, ``ignoring``, all)."""

    def __init__(self, ignoring: bool = False) -> None:
        self.ignoring = ignoring
        self.filters: list[str] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        asked = request.url.params.get("$filter", "")
        self.filters.append(asked)
        rows = [row for n, row in ORDERS.items() if self.ignoring or f"'{n}'" in asked]
        return httpx.Response(200, json={"value": rows})


@pytest.fixture
async def bc(settings: BCSettings, router: respx.MockRouter, fake_time: FakeTime) -> AsyncIterator[BCClient]:
    answers = AnswerCache(CacheSettings(), MemoryStore())
    transport = httpx.MockTransport(router.async_handler)
    async with BCClient(settings, transport=transport, clock=fake_time.clock(), answers=answers) as client:
        yield client


def numbers(rows: Sequence[dict[str, Any]]) -> list[str]:
    return [row["number"] for row in rows]


async def test_only_the_keys_not_kept_are_asked_of_bc(bc: BCClient, router: respx.MockRouter) -> None:
    orders = FakeOrders()
    router.get(f"{COMPANY_PATH}/salesOrders").mock(side_effect=orders)

    first = await bc.session(SCOPE).fetch_by_key(by_number, "number", ["S-1", "S-4"], model=None)
    second = await bc.session(SCOPE).fetch_by_key(by_number, "number", ["S-4", "S-2", "S-1"], model=None)
    alone = bc.session(SCOPE)
    third = await alone.fetch(by_number(["S-2"]))

    assert (numbers(first), numbers(second), numbers(third)) == (["S-1"], ["S-2", "S-1"], ["S-2"])
    assert orders.filters == [
        "(number eq 'S-1' or number eq 'S-4') and customerNumber eq '10000'",
        "number eq 'S-2' and customerNumber eq '10000'",  # S-4 (none) and S-1 were kept
    ]
    assert alone.oldest_kept_answer_age is not None  # the plain read of one key: served kept


async def test_rows_bc_did_not_filter_as_asked_are_kept_for_no_key(
    bc: BCClient, router: respx.MockRouter
) -> None:
    orders = FakeOrders(ignoring=True)
    router.get(f"{COMPANY_PATH}/salesOrders").mock(side_effect=orders)

    for _ in range(2):
        session = bc.session(SCOPE)
        rows = await session.fetch_by_key(by_number, "number", ["S-1", "S-2"], model=None)
        assert numbers(rows) == ["S-1", "S-2", "S-3"]  # as BC sent them: the loaders drop S-3
        assert session.answer_sources is None  # nothing built on it is kept either
    await bc.session(SCOPE).fetch_by_key(by_number, "number", ["S-1"], model=None)

    assert len(orders.filters) == 3


async def test_keys_that_differ_only_by_case_are_one_plain_read(
    bc: BCClient, router: respx.MockRouter
) -> None:
    orders = FakeOrders()
    router.get(f"{COMPANY_PATH}/salesOrders").mock(side_effect=orders)

    await bc.session(SCOPE).fetch_by_key(by_number, "number", ["S-1", "s-1"], model=None)
    await bc.session(SCOPE).fetch_by_key(by_number, "number", ["S-1"], model=None)

    assert len(orders.filters) == 2  # BC compares codes without case: which key would a row answer?


async def test_each_row_of_a_list_is_kept_as_its_numbers_read(bc: BCClient, router: respx.MockRouter) -> None:
    orders = FakeOrders(ignoring=True)  # every order, as a list of them is
    router.get(f"{COMPANY_PATH}/salesOrders").mock(side_effect=orders)
    listed = scoped(Query("salesOrders", filter=Field("number").ne("")), SCOPE)

    await bc.session(SCOPE).fetch(listed, rows_by_key=RowsByKey("number", by_number))
    rows = await bc.session(SCOPE).fetch_by_key(by_number, "number", ["S-2", "S-1"], model=None)

    assert numbers(rows) == ["S-2", "S-1"]
    assert len(orders.filters) == 1  # the list's rows answered both numbers
