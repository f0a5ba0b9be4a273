"""What only a real Redis shows: replicas sharing it, prefixes apart, an outage and the recovery."""

from __future__ import annotations

import asyncio

import pytest
from redis.asyncio import Redis

from gateway.store import MemoryStore, RedisStore, StoreSettings, StoreUnavailable, open_store
from tests.redis_server import RedisServer, free_port, redis_store

pytestmark = pytest.mark.anyio


async def test_a_claim_on_one_replica_is_seen_by_the_other(
    redis_replicas: tuple[RedisStore, RedisStore],
) -> None:
    first, second = redis_replicas
    answers = await asyncio.gather(
        first.kv.claim("order-key", b"A", ttl_seconds=10), second.kv.claim("order-key", b"B", ttl_seconds=10)
    )
    assert answers in ([None, b"A"], [b"B", None])  # exactly one claimed; the other sees its value
    assert await first.kv.get("order-key") == await second.kv.get("order-key")


async def test_slots_are_counted_across_replicas(redis_replicas: tuple[RedisStore, RedisStore]) -> None:
    first, second = redis_replicas
    held = [await first.slots.acquire("bc", limit=3, lease_seconds=10) for _ in range(2)]
    assert await second.slots.acquire("bc", limit=3, lease_seconds=10) is not None
    assert await second.slots.acquire("bc", limit=3, lease_seconds=10) is None
    assert held[0] is not None
    await second.slots.release("bc", held[0])  # a token is the lease, whichever replica holds it
    assert await first.slots.held("bc") == 2


async def test_a_message_published_on_one_replica_reaches_the_other(
    redis_replicas: tuple[RedisStore, RedisStore],
) -> None:
    first, second = redis_replicas
    async with second.channels.subscribe("released") as messages:
        await first.channels.publish("released", b"slot")
        assert await asyncio.wait_for(anext(messages), 5) == b"slot"


async def test_two_deployments_with_different_prefixes_share_nothing(redis_server: RedisServer) -> None:
    one, other = redis_store(redis_server), redis_store(redis_server)
    try:
        assert await one.kv.claim("key", b"one", ttl_seconds=10) is None
        assert await other.kv.claim("key", b"other", ttl_seconds=10) is None
        assert await one.slots.acquire("bc", limit=1, lease_seconds=10) is not None
        assert await other.slots.acquire("bc", limit=1, lease_seconds=10) is not None
    finally:
        await one.aclose()
        await other.aclose()


async def test_a_burst_larger_than_the_connection_pool_waits_for_connections(
    redis_server: RedisServer,
) -> None:
    store = redis_store(redis_server)
    try:
        claims = await asyncio.gather(*(store.kv.claim(f"k{n}", b"v", ttl_seconds=10) for n in range(300)))
        assert claims == [None] * 300
    finally:
        await store.aclose()


async def test_the_store_opens_on_a_unix_socket(redis_server: RedisServer) -> None:
    store = redis_store(redis_server, url=redis_server.unix_url)
    try:
        await store.kv.put("k", b"v", ttl_seconds=10)
        assert await store.kv.get("k") == b"v"
    finally:
        await store.aclose()


async def test_without_a_url_the_store_is_the_in_process_one() -> None:
    store = open_store(StoreSettings())
    assert isinstance(store, MemoryStore)
    assert not store.replicated


def test_a_url_of_another_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="redis://"):
        StoreSettings("http://127.0.0.1:6379")


async def test_a_redis_nobody_listens_on_is_unavailable_and_ping_says_so() -> None:
    store = open_store(StoreSettings(f"redis://127.0.0.1:{free_port()}/0", timeout_seconds=0.5))
    try:
        assert not await store.ping()
        with pytest.raises(StoreUnavailable):
            await store.kv.get("k")
        with pytest.raises(StoreUnavailable):
            await store.slots.acquire("bc", limit=5, lease_seconds=10)
    finally:
        await store.aclose()


async def test_a_stopped_redis_is_unavailable_and_the_store_recovers_when_it_is_back(
    own_server: RedisServer,
) -> None:
    store = redis_store(own_server)
    try:
        await store.kv.put("k", b"v", ttl_seconds=60)
        own_server.stop()
        assert not await store.ping()
        for operation in (
            store.kv.get("k"),
            store.kv.claim("k", b"w", ttl_seconds=60),
            store.buckets.take("c", 1, per_second=1, burst=5),
            store.windows.admit("bc", limit=10, window_seconds=60),
            store.slots.acquire("bc", limit=5, lease_seconds=10),
            store.channels.publish("news", b"x"),
        ):
            with pytest.raises(StoreUnavailable):
                await operation
        own_server.start()  # same port, empty: nothing was persisted
        assert await store.ping()
        assert await store.kv.claim("k", b"w", ttl_seconds=60) is None
    finally:
        await store.aclose()


async def test_a_subscription_ends_with_store_unavailable_when_redis_goes(own_server: RedisServer) -> None:
    store = redis_store(own_server)
    try:
        async with store.channels.subscribe("news") as messages:
            own_server.stop()
            with pytest.raises(StoreUnavailable):
                await asyncio.wait_for(anext(messages), 10)
        with pytest.raises(StoreUnavailable):
            async with store.channels.subscribe("news"):
                pass
    finally:
        await store.aclose()


async def test_the_loss_mark_moves_when_redis_evicts_a_value_or_restarts(own_server: RedisServer) -> None:
    """What the answer cache's owners generation checks (docs/caching.md, "A deleted record's owner")."""
    store = redis_store(own_server)
    admin = Redis.from_url(own_server.url)
    try:
        first = await store.kv.losses()
        assert await store.kv.losses() == first  # nothing lost, the same mark
        used = int((await admin.info("memory"))["used_memory"])
        await admin.config_set("maxmemory-policy", "allkeys-random")
        await admin.config_set("maxmemory", str(used + 200_000))
        for index in range(100):  # 1 MB into 200 KB of room: Redis evicts
            await store.kv.put(f"filler-{index}", b"x" * 10_000, ttl_seconds=60)
        evicted = await store.kv.losses()
        await admin.aclose()
        own_server.stop()
        own_server.start()
        restarted = await store.kv.losses()
    finally:
        await store.aclose()

    assert len({first, evicted, restarted}) == 3
