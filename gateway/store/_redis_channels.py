"""Channels on Redis pub/sub: a message reaches every replica subscribed at the time.

A subscription is one connection of its own.  ``subscribe`` waits for Redis to confirm every
channel before the context is entered, so nothing published after that is missed; a lost
connection ends the subscription with ``StoreUnavailable`` (subscribers re-read their source
after subscribing again, as the interface says).
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from redis.asyncio import Redis
from redis.asyncio.client import PubSub

from ._interfaces import StoreUnavailable
from ._redis_boundary import Boundary, Keys

__all__ = ["RedisChannels"]


class RedisChannels:
    def __init__(self, client: Redis, key: Keys, boundary: Boundary, *, confirm_seconds: float = 5.0) -> None:
        self._client = client
        self._redis = boundary
        self._key = key
        self._confirm_seconds = confirm_seconds

    async def publish(self, channel: str, message: bytes) -> None:
        async with self._redis("publish a message"):
            await self._client.publish(self._key(channel), message)

    @asynccontextmanager
    async def subscribe(self, *channels: str) -> AsyncIterator[AsyncIterator[bytes]]:
        pubsub = self._client.pubsub()
        try:
            async with self._redis("subscribe"):
                await pubsub.subscribe(*(self._key(channel) for channel in channels))
                early = await self._confirmed(pubsub, len(channels))
            yield _messages(pubsub, early, Boundary(None))
        finally:
            with contextlib.suppress(StoreUnavailable):
                async with self._redis("unsubscribe"):
                    await pubsub.aclose()  # type: ignore[no-untyped-call]  # redis-py leaves it unannotated

    async def _confirmed(self, pubsub: PubSub, count: int) -> list[bytes]:
        """Read until Redis confirmed ``count`` channels; messages seen meanwhile are kept."""
        confirmed, early = 0, []
        while confirmed < count:
            message = await pubsub.get_message(timeout=self._confirm_seconds)
            if message is None:
                raise StoreUnavailable("Redis did not confirm the subscription in time")
            if message["type"] == "subscribe":
                confirmed += 1
            elif message["type"] == "message":
                early.append(bytes(message["data"]))
        return early


async def _messages(pubsub: PubSub, early: list[bytes], waiting: Boundary) -> AsyncIterator[bytes]:
    for data in early:
        yield data
    while True:
        async with waiting("receive a message"):
            message: dict[str, Any] | None = await pubsub.get_message(timeout=None)
        if message is not None and message["type"] == "message":
            yield bytes(message["data"])
