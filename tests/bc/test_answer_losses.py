"""A generation the store loses — expired, evicted, or gone with a Redis restart — never makes an
old kept answer current again: it is made anew, with a token no answer was read under
(docs/caching.md, "Invalidation").  Before, an absent generation read as ``""``, the value the
first answers of a kind were kept under, so losing it revived answers a change had made stale."""

from __future__ import annotations

import pytest

from gateway.bc import DataKind
from gateway.bc._answer_generations import generation_key
from gateway.store import MemoryStore
from tests.bc.test_answers import COMPANY, Reads, WallClock, cache, invoices_key
from tests.redis_server import RedisServer, redis_store

pytestmark = pytest.mark.anyio

CHANGED = [{"number": "S-INV-1", "remainingAmount": 0}]


async def test_an_answer_made_stale_stays_stale_when_its_generation_is_lost() -> None:
    store, clock, reads = MemoryStore(), WallClock(), Reads()
    answers = cache(store, clock)
    key = invoices_key()
    await answers.read(key, reads)  # kept
    await answers.invalidate(COMPANY, "10000", [(DataKind.INVOICES, False)])  # BC paid the invoice
    reads.rows = CHANGED
    assert await store.kv.delete(generation_key(COMPANY, "10000", DataKind.INVOICES))  # lost

    answer = await answers.read(key, reads)

    assert (reads.count, answer.rows) == (2, CHANGED)


async def test_a_redis_restart_never_revives_an_answer_a_replica_still_holds(own_server: RedisServer) -> None:
    store, clock, reads = redis_store(own_server), WallClock(), Reads()
    try:
        answers = cache(store, clock)
        key = invoices_key()
        await answers.read(key, reads)  # kept, in Redis and in this replica's memory
        await answers.invalidate(COMPANY, "10000", [(DataKind.INVOICES, False)])
        reads.rows = CHANGED
        own_server.stop()  # Redis restarts empty: the new generation is gone with the rest
        own_server.start()

        answer = await answers.read(key, reads)
    finally:
        await store.aclose()

    assert (reads.count, answer.rows) == (2, CHANGED)
