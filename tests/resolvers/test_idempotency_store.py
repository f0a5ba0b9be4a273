"""The idempotency key store on the shared store: reservations, replay, mismatch, waiting, expiry,
and leases — the same code on the in-process store and on a real Redis.

Each test builds two key stores on one backend: two replicas of one deployment on Redis (two
connections, one prefix), two users of one ``MemoryStore`` in process.  What only real time can
show (a lease renewed while its holder lives) runs on Redis alone; what needs a day to pass runs
on the in-process store, whose clock the test moves.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest

from gateway.resolvers.idempotency import DEFAULT_TTL_SECONDS, SharedKeyStore
from gateway.store import MemoryStore, RedisStore, Store, StoreUnavailable
from tests.redis_server import RedisServer, redis_store
from tests.store.conftest import FakeClock

pytestmark = pytest.mark.anyio

LEASE = 0.3  # seconds: short, so that Redis (which keeps real time) lets it run out quickly


class Text:
    """A codec for plain text results; ``unreadable`` results fail to decode (another version's)."""

    def encode(self, value: str) -> bytes:
        return value.encode()

    def decode(self, data: bytes) -> str:
        if data.startswith(b"unreadable"):
            raise ValueError("written by another version")
        return data.decode()


@dataclass
class Replicas:
    """Two key stores on one backend, and a way to let time pass for it."""

    first: SharedKeyStore[str]
    second: SharedKeyStore[str]
    stores: tuple[Store, ...]
    clock: FakeClock | None  # the in-process store's; None: Redis keeps real time

    async def advance(self, seconds: float) -> None:
        if self.clock is not None:
            self.clock.now += seconds
        else:
            await asyncio.sleep(seconds)


def _keys(store: Store) -> SharedKeyStore[str]:
    return SharedKeyStore(store.kv, store.channels, Text(), lease_seconds=LEASE, poll_seconds=0.05)


@pytest.fixture(params=["memory", "redis"])
async def replicas(request: pytest.FixtureRequest) -> AsyncIterator[Replicas]:
    clock: FakeClock | None = None
    stores: tuple[Store, ...]
    if request.param == "memory":
        clock = FakeClock()
        stores = (MemoryStore(clock=clock),)
        first, second = _keys(stores[0]), _keys(stores[0])
    else:
        server: RedisServer = request.getfixturevalue("redis_server")
        one = redis_store(server)
        stores = (one, redis_store(server, prefix=one.prefix))
        first, second = _keys(stores[0]), _keys(stores[1])
    yield Replicas(first, second, stores, clock)
    for keys in (first, second):
        await keys.aclose()
    for store in stores:
        await store.aclose()


async def test_the_first_reservation_owns_the_key_and_a_duplicate_sees_it_in_progress(
    replicas: Replicas,
) -> None:
    assert (await replicas.first.reserve("k", "a")).state == "new"
    assert (await replicas.second.reserve("k", "a")).state == "in_progress"


async def test_of_many_concurrent_reservations_on_both_replicas_exactly_one_owns_the_key(
    replicas: Replicas,
) -> None:
    answers = await asyncio.gather(
        *((replicas.first if n % 2 else replicas.second).reserve("k", "a") for n in range(20))
    )
    assert sorted(answer.state for answer in answers) == ["in_progress"] * 19 + ["new"]


async def test_a_completed_key_replays_its_result_on_the_other_replica_for_the_same_payload_only(
    replicas: Replicas,
) -> None:
    await replicas.first.reserve("k", "a")
    await replicas.first.complete("k", "order 1")

    replay = await replicas.second.reserve("k", "a")
    other = await replicas.second.reserve("k", "b")

    assert (replay.state, replay.result) == ("completed", "order 1")
    assert other.state == "mismatch"


async def test_a_key_in_progress_refuses_a_different_payload_at_once(replicas: Replicas) -> None:
    await replicas.first.reserve("k", "a")
    assert (await replicas.second.reserve("k", "b")).state == "mismatch"


async def test_a_released_key_can_be_reserved_again(replicas: Replicas) -> None:
    await replicas.first.reserve("k", "a")
    await replicas.first.release("k")

    assert (await replicas.second.reserve("k", "a")).state == "new"


async def test_a_waiting_duplicate_on_the_other_replica_wakes_when_the_first_completes(
    replicas: Replicas,
) -> None:
    await replicas.first.reserve("k", "a")
    waiting = asyncio.create_task(replicas.second.wait("k", 60))
    await asyncio.sleep(0.05)
    assert not waiting.done()

    await replicas.first.complete("k", "order 1")
    await asyncio.wait_for(waiting, 5)

    assert (await replicas.second.reserve("k", "a")).result == "order 1"


async def test_a_wait_is_bounded(replicas: Replicas) -> None:
    await replicas.first.reserve("k", "a")

    await replicas.second.wait("k", 0)

    assert (await replicas.second.reserve("k", "a")).state == "in_progress"


async def test_a_holder_that_died_loses_the_key_after_its_lease_and_the_next_request_owns_it(
    replicas: Replicas,
) -> None:
    await replicas.first.reserve("k", "a")
    await replicas.first.aclose()  # the replica is gone: nobody renews, releases or completes

    still_held = await replicas.second.reserve("k", "a")
    await replicas.advance(LEASE + 0.1)
    taken_over = await replicas.second.reserve("k", "a")

    assert still_held.state == "in_progress"
    assert taken_over.state == "new"


async def test_a_waiter_takes_the_key_over_once_a_dead_holders_lease_ran_out(replicas: Replicas) -> None:
    await replicas.first.reserve("k", "a")
    await replicas.first.aclose()
    waiting = asyncio.create_task(replicas.second.wait("k", 30))
    await asyncio.sleep(0.05)

    await replicas.advance(LEASE + 0.1)  # no notice comes: the waiter finds out by looking again
    await asyncio.wait_for(waiting, 5)

    assert (await replicas.second.reserve("k", "a")).state == "new"


async def test_a_result_this_version_cannot_read_lets_the_next_request_own_the_key(
    replicas: Replicas,
) -> None:
    await replicas.first.reserve("k", "a")
    await replicas.first.complete("k", "unreadable by this version")

    assert (await replicas.second.reserve("k", "a")).state == "new"
    assert (await replicas.first.reserve("k", "a")).state == "in_progress"


async def test_a_record_this_version_cannot_read_at_all_counts_as_a_write_in_progress(
    replicas: Replicas,
) -> None:
    """A newer version's record may be a write in progress: never write past it (docs/store.md
    names the key: ``idempotency:<sha256 of the key>``)."""
    name = "idempotency:" + hashlib.sha256(b"k").hexdigest()
    await replicas.stores[0].kv.put(name, b'{"v": 2, "owner": "a newer gateway"}', ttl_seconds=60)

    assert (await replicas.first.reserve("k", "a")).state == "in_progress"
    waiting = asyncio.create_task(replicas.second.wait("k", 0.2))
    await asyncio.sleep(0.1)
    assert not waiting.done()  # it waits as for any write in progress
    await waiting


async def test_a_live_holder_keeps_its_key_beyond_its_lease(redis_server: RedisServer) -> None:
    one = redis_store(redis_server)
    other = redis_store(redis_server, prefix=one.prefix)
    lease = 2 * LEASE  # renewals every third of it must not miss their beat on a busy machine
    holder = SharedKeyStore(one.kv, one.channels, Text(), lease_seconds=lease)
    rival = _keys(other)
    try:
        assert (await holder.reserve("k", "a")).state == "new"
        await asyncio.sleep(3 * lease)  # renewed every third of the lease all along
        assert (await rival.reserve("k", "a")).state == "in_progress"
        await holder.complete("k", "order 1")
        assert (await rival.reserve("k", "a")).result == "order 1"
    finally:
        for keys in (holder, rival):
            await keys.aclose()
        for store in (one, other):
            await store.aclose()


async def test_a_holder_whose_lease_ran_out_does_not_overwrite_the_request_that_took_over(
    caplog: pytest.LogCaptureFixture,
) -> None:
    clock = FakeClock()
    store = MemoryStore(clock=clock)
    stalled, successor, third = _keys(store), _keys(store), _keys(store)
    await stalled.reserve("k", "a")
    clock.now += LEASE + 0.1  # the stalled holder did not renew in time
    assert (await successor.reserve("k", "a")).state == "new"

    with caplog.at_level(logging.WARNING, logger="gateway.writes.keys"):
        await stalled.complete("k", "late answer")
    held_by_successor = await third.reserve("k", "a")
    await successor.complete("k", "order 1")

    assert held_by_successor.state == "in_progress"
    assert (await third.reserve("k", "a")).result == "order 1"
    assert [r.getMessage() for r in caplog.records] == ["idempotency_lease_lost"]
    for keys in (stalled, successor, third):
        await keys.aclose()


async def test_completed_keys_are_kept_24_hours_and_then_forgotten() -> None:
    clock = FakeClock()
    store = MemoryStore(clock=clock)
    keys = _keys(store)
    await keys.reserve("k", "a")
    await keys.complete("k", "order 1")

    clock.now += DEFAULT_TTL_SECONDS - 1
    kept = await keys.reserve("k", "a")
    clock.now += 1
    forgotten = await keys.reserve("k", "a")

    assert kept.state == "completed"
    assert forgotten.state == "new"
    await keys.aclose()


async def test_a_reservation_raises_store_unavailable_while_redis_is_down(own_server: RedisServer) -> None:
    store: RedisStore = redis_store(own_server)
    keys = _keys(store)
    try:
        own_server.stop()
        with pytest.raises(StoreUnavailable):
            await keys.reserve("k", "a")
        own_server.start()
        assert (await keys.reserve("k", "a")).state == "new"
    finally:
        await keys.aclose()
        await store.aclose()


def test_a_store_refuses_to_keep_keys_for_less_than_24_hours() -> None:
    store = MemoryStore()
    with pytest.raises(ValueError, match="24 hours"):
        SharedKeyStore(store.kv, store.channels, Text(), ttl_seconds=3600)
