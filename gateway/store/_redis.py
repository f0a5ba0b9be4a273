"""The shared store on Redis: every replica that points at one Redis (and one prefix) shares it.

Each compound operation is one Lua script (``_redis_scripts``), registered once per store and run
by hash, so it is atomic across replicas; buckets, windows and slots read Redis's clock, never a
replica's.  Every key is ``{prefix}:{kind}:{key}``, so deployments can share a Redis.  Every
Redis error or timeout becomes :class:`StoreUnavailable` at the call that met it
(``_redis_boundary``), and nowhere else.
"""

from __future__ import annotations

import math
import secrets
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, cast

from redis.asyncio import Redis

from . import _redis_scripts as scripts
from ._interfaces import Buckets, Channels, KeyValue, Slots, StoreUnavailable, Windows
from ._redis_boundary import Boundary, Keys
from ._redis_channels import RedisChannels

__all__ = ["RedisStore"]

TokenFactory = Callable[[], str]


def _ms(seconds: float) -> int:
    return max(1, math.ceil(seconds * 1000))


def _us(seconds: float) -> int:
    return max(1, math.ceil(seconds * 1_000_000))


class _RedisKeyValue:
    def __init__(self, client: Redis, prefix: str, boundary: Boundary) -> None:
        self._client = client
        self._redis = boundary
        self._key = Keys(prefix, "kv")
        self._counter = Keys(prefix, "counter")  # apart from values, as in MemoryStore
        self._claim = client.register_script(scripts.CLAIM)
        self._swap = client.register_script(scripts.SWAP)
        self._delete_expected = client.register_script(scripts.DELETE_EXPECTED)
        self._increment = client.register_script(scripts.INCREMENT)

    async def get(self, key: str) -> bytes | None:
        async with self._redis("read a value"):
            return _bytes_or_none(await self._client.get(self._key(key)))

    async def get_many(self, keys: Sequence[str]) -> list[bytes | None]:
        if not keys:
            return []
        async with self._redis("read values"):
            values = await self._client.mget([self._key(key) for key in keys])
        return [_bytes_or_none(value) for value in values]

    async def put(self, key: str, value: bytes, *, ttl_seconds: float) -> None:
        async with self._redis("store a value"):
            await self._client.set(self._key(key), value, px=_ms(ttl_seconds))

    async def put_many(self, values: Mapping[str, bytes], *, ttl_seconds: float) -> None:
        if not values:
            return
        async with self._redis("store values"):
            pipeline = self._client.pipeline(transaction=False)  # one round trip, not atomic
            for key, value in values.items():
                pipeline.set(self._key(key), value, px=_ms(ttl_seconds))
            await pipeline.execute()

    async def claim(self, key: str, value: bytes, *, ttl_seconds: float) -> bytes | None:
        async with self._redis("claim a key"):
            present = await self._claim(keys=[self._key(key)], args=[value, _ms(ttl_seconds)])
        return _bytes_or_none(present)

    async def swap(self, key: str, expected: bytes, value: bytes, *, ttl_seconds: float) -> bool:
        async with self._redis("swap a value"):
            swapped = await self._swap(keys=[self._key(key)], args=[expected, value, _ms(ttl_seconds)])
        return bool(swapped)

    async def delete(self, key: str, *, expected: bytes | None = None) -> bool:
        async with self._redis("delete a value"):
            if expected is None:
                removed = await self._client.delete(self._key(key))
            else:
                removed = await self._delete_expected(keys=[self._key(key)], args=[expected])
        return bool(removed)

    async def increment(self, key: str, *, ttl_seconds: float) -> int:
        async with self._redis("increment a counter"):
            return int(await self._increment(keys=[self._counter(key)], args=[_ms(ttl_seconds)]))

    async def losses(self) -> str:
        # A restart is a new run id (with appendonly, the last second of writes may be gone);
        # an eviction moves the counter.  Both are server-wide, whatever the prefix.
        async with self._redis("read the server's state"):
            info = await self._client.info("default")
        return f"{info['run_id']}:{info['evicted_keys']}"


class _RedisBuckets:
    def __init__(self, client: Redis, prefix: str, boundary: Boundary) -> None:
        self._redis = boundary
        self._key = Keys(prefix, "bucket")
        self._take = client.register_script(scripts.TAKE)

    async def take(self, key: str, cost: float, *, per_second: float, burst: float) -> float:
        async with self._redis("take from a bucket"):
            wait = await self._take(keys=[self._key(key)], args=[repr(cost), repr(per_second), repr(burst)])
        return float(wait)


class _RedisWindows:
    def __init__(self, client: Redis, prefix: str, boundary: Boundary, new_token: TokenFactory) -> None:
        self._redis = boundary
        self._key = Keys(prefix, "window")
        self._admit = client.register_script(scripts.ADMIT)
        self._new_token = new_token  # each event is a member of a sorted set: it needs a name

    async def admit(self, key: str, *, limit: int, window_seconds: float) -> float:
        args: list[int | str] = [limit, _us(window_seconds), self._new_token()]
        async with self._redis("count an event"):
            wait_us = await self._admit(keys=[self._key(key)], args=args)
        return int(wait_us) / 1_000_000


class _RedisSlots:
    def __init__(self, client: Redis, prefix: str, boundary: Boundary, new_token: TokenFactory) -> None:
        self._client = client
        self._redis = boundary
        self._key = Keys(prefix, "slots")
        self._acquire = client.register_script(scripts.ACQUIRE)
        self._renew = client.register_script(scripts.RENEW)
        self._held = client.register_script(scripts.HELD)
        self._new_token = new_token

    async def acquire(self, pool: str, *, limit: int, lease_seconds: float) -> str | None:
        token = self._new_token()
        async with self._redis("acquire a slot"):
            taken = await self._acquire(keys=[self._key(pool)], args=[limit, _us(lease_seconds), token])
        return token if taken else None

    async def renew(self, pool: str, token: str, *, lease_seconds: float) -> bool:
        async with self._redis("renew a slot"):
            return bool(await self._renew(keys=[self._key(pool)], args=[_us(lease_seconds), token]))

    async def release(self, pool: str, token: str) -> None:
        async with self._redis("release a slot"):
            await self._client.zrem(self._key(pool), token)

    async def held(self, pool: str) -> int:
        async with self._redis("count slots"):
            return int(await self._held(keys=[self._key(pool)], args=[]))


def _bytes_or_none(value: Any) -> bytes | None:
    return None if value is None else bytes(value)


class RedisStore:
    """The :class:`~gateway.store.Store` of a fleet, on one ``redis.asyncio.Redis`` client.

    ``client`` must answer bytes (``decode_responses=False``): :func:`~gateway.store.open_store`
    builds such a client from a URL.  Each command may take ``timeout_seconds`` (``None``: as long
    as Redis takes), then it is ``StoreUnavailable``.  ``new_token`` names slot leases and window
    events (random by default).
    """

    def __init__(
        self,
        client: Redis,
        *,
        prefix: str,
        timeout_seconds: float | None = None,
        new_token: TokenFactory = lambda: secrets.token_hex(12),
    ) -> None:
        if not prefix or any(c.isspace() for c in prefix):
            raise ValueError("the key prefix must be a non-empty word without spaces")
        self._client = client
        self.prefix = prefix
        # Typed as the interfaces, so mypy proves each part implements its interface.
        self._redis = boundary = Boundary(timeout_seconds)
        self.kv: KeyValue = _RedisKeyValue(client, prefix, boundary)
        self.buckets: Buckets = _RedisBuckets(client, prefix, boundary)
        self.windows: Windows = _RedisWindows(client, prefix, boundary, new_token)
        self.slots: Slots = _RedisSlots(client, prefix, boundary, new_token)
        self.channels: Channels = RedisChannels(client, Keys(prefix, "channel"), boundary)

    @property
    def replicated(self) -> bool:
        return True

    async def ping(self) -> bool:
        try:
            async with self._redis("answer a ping"):
                # redis-py 7 types the asyncio client's ping as the sync one's union.
                return bool(await cast("Awaitable[bool]", self._client.ping()))
        except StoreUnavailable:
            return False

    async def aclose(self) -> None:
        await self._client.aclose()
