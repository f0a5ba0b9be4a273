"""The in-memory idempotency key store: reservations, replay, mismatch, waiting, and expiry."""

from __future__ import annotations

import asyncio

import pytest

from gateway.resolvers.idempotency import DEFAULT_TTL_SECONDS, InMemoryKeyStore

pytestmark = pytest.mark.anyio


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_the_first_reservation_owns_the_key_and_a_duplicate_sees_it_in_progress() -> None:
    store: InMemoryKeyStore[str] = InMemoryKeyStore()

    assert (await store.reserve("k", "a")).state == "new"
    assert (await store.reserve("k", "a")).state == "in_progress"


async def test_a_completed_key_replays_its_result_for_the_same_payload_only() -> None:
    store: InMemoryKeyStore[str] = InMemoryKeyStore()
    await store.reserve("k", "a")
    await store.complete("k", "order 1")

    replay = await store.reserve("k", "a")
    other = await store.reserve("k", "b")

    assert (replay.state, replay.result) == ("completed", "order 1")
    assert other.state == "mismatch"


async def test_a_released_key_can_be_reserved_again() -> None:
    store: InMemoryKeyStore[str] = InMemoryKeyStore()
    await store.reserve("k", "a")
    await store.release("k")

    assert (await store.reserve("k", "a")).state == "new"


async def test_a_waiting_duplicate_wakes_when_the_first_completes() -> None:
    store: InMemoryKeyStore[str] = InMemoryKeyStore()
    await store.reserve("k", "a")

    async def finish() -> None:
        await asyncio.sleep(0)
        await store.complete("k", "order 1")

    await asyncio.gather(store.wait("k", 60), finish())

    assert (await store.reserve("k", "a")).result == "order 1"


async def test_a_wait_is_bounded() -> None:
    store: InMemoryKeyStore[str] = InMemoryKeyStore()
    await store.reserve("k", "a")

    await store.wait("k", 0)

    assert (await store.reserve("k", "a")).state == "in_progress"


async def test_keys_are_kept_24_hours_and_then_forgotten() -> None:
    clock = Clock()
    store: InMemoryKeyStore[str] = InMemoryKeyStore(clock=clock)
    await store.reserve("k", "a")
    await store.complete("k", "order 1")

    clock.now += DEFAULT_TTL_SECONDS - 1
    kept = await store.reserve("k", "a")
    clock.now += 1
    forgotten = await store.reserve("k", "a")

    assert kept.state == "completed"
    assert forgotten.state == "new"


def test_a_store_refuses_to_keep_keys_for_less_than_24_hours() -> None:
    with pytest.raises(ValueError, match="24 hours"):
        InMemoryKeyStore(ttl_seconds=3600)
