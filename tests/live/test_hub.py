"""The hub's channel listeners end with it: closing waits for each channel to close."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator

import pytest

from gateway.edge.live.feed import Feed
from gateway.edge.live.hub import LiveHub
from gateway.resolvers.context import Context
from tests.live.conftest import settle

pytestmark = pytest.mark.anyio


class SlowToClose:
    """Channels whose subscription takes a few turns of the loop to close, as a Redis
    connection does (an UNSUBSCRIBE and a disconnect)."""

    def __init__(self) -> None:
        self.open = 0

    @contextlib.asynccontextmanager
    async def subscribe(self, *channels: str) -> AsyncIterator[AsyncIterator[bytes]]:
        self.open += 1
        try:
            yield self._nothing()
        finally:
            for _ in range(3):
                await asyncio.sleep(0)
            self.open -= 1

    async def _nothing(self) -> AsyncIterator[bytes]:
        await asyncio.Event().wait()
        yield b""  # pragma: no cover - never reached

    async def publish(self, channel: str, message: bytes) -> None:  # pragma: no cover - unused
        pass


def no_context() -> Context:  # pragma: no cover - no change is ever delivered here
    raise AssertionError("no change is read in this test")


async def test_a_listener_stopped_by_its_last_subscriber_has_closed_its_channel_once_the_hub_closes() -> None:
    channels = SlowToClose()
    hub = LiveHub(channels)
    feed = Feed(uuid.uuid4(), "10000", no_context, queue_size=10)
    hub.join(feed)
    await settle(lambda: hub.listening(feed.company_id))

    hub.leave(feed)  # the last subscriber of the company: its listener is told to stop
    await hub.aclose()  # the replica stops next (its store closes right after)

    assert channels.open == 0
