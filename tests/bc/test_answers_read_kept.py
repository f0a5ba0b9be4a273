"""Reads worth making only if they cost BC nothing (``AnswerCache.kept``, behind
``BCSession.kept_only``): a kept, current answer, or nothing — never BC, never a claim that
makes another replica wait."""

from __future__ import annotations

import asyncio

import pytest

from gateway.bc import DataKind
from gateway.store import MemoryStore, RedisStore
from tests.bc.test_answers import COMPANY, ROWS, Reads, WallClock, cache, invoices_key

pytestmark = pytest.mark.anyio


async def test_only_a_kept_current_answer_is_given() -> None:
    clock, reads = WallClock(), Reads()
    answers = cache(MemoryStore(), clock)
    key = invoices_key()

    before = await answers.kept(key)
    await answers.read(key, reads)
    clock.now += 5
    kept = await answers.kept(key)
    await answers.invalidate(COMPANY, "10000", [(DataKind.INVOICES, False)])
    after_a_change = await answers.kept(key)

    assert before is None
    assert kept is not None
    assert (kept.kept, kept.rows, kept.age) == (True, ROWS, 5.0)
    assert after_a_change is None
    assert reads.count == 1  # only the ordinary read asked BC


async def test_an_expired_answer_is_none() -> None:
    clock, reads = WallClock(), Reads()
    answers = cache(MemoryStore(), clock)
    await answers.read(invoices_key(), reads)
    clock.now += 16  # past the invoices' 15 s

    assert await answers.kept(invoices_key()) is None


async def test_another_replicas_answer_is_found_and_a_miss_claims_nothing(
    redis_replicas: tuple[RedisStore, RedisStore],
) -> None:
    clock, reads = WallClock(), Reads()
    one, two = (cache(store, clock, fill_wait_seconds=60) for store in redis_replicas)
    shared, missing = invoices_key(), invoices_key(**{"$skip": "1"})
    try:
        await one.read(shared, reads)
        from_redis = await two.kept(shared)
        assert await two.kept(missing) is None
        # Had the miss claimed the read, this replica would wait out the claim (a minute).
        async with asyncio.timeout(10):
            await one.read(missing, reads)
    finally:
        await one.aclose()
        await two.aclose()

    assert from_redis is not None
    assert (from_redis.kept, from_redis.rows) == (True, ROWS)
    assert reads.count == 2
