"""Across replicas: a replica that finds another one reading the same answer from BC waits for it.

The replica that claimed a fill publishes the answer's key on one channel when it has stored the
answer; each replica holds one subscription to it (opened on first need, again after the store
failed) and wakes the waiters of that key.  Waiters also look again every ``POLL_SECONDS``, so
a lost notice, or one published before the subscription was confirmed, costs a short wait, never
a missed answer; past their patience they read BC themselves.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import defaultdict
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager
from typing import Final, Protocol

__all__ = ["FILLED_CHANNEL", "POLL_SECONDS", "AnswerChannels", "FillNotices"]

FILLED_CHANNEL: Final = "answers:filled"
POLL_SECONDS: Final = 0.25


class AnswerChannels(Protocol):
    async def publish(self, channel: str, message: bytes) -> None: ...
    def subscribe(self, *channels: str) -> AbstractAsyncContextManager[AsyncIterator[bytes]]: ...


class FillNotices:
    def __init__(self, channels: AnswerChannels) -> None:
        self._channels = channels
        self._waiters: defaultdict[str, set[asyncio.Event]] = defaultdict(set)
        self._listener: asyncio.Task[None] | None = None

    def waiter(self, key: str) -> asyncio.Event:
        """An event set when ``key``'s answer is announced; register before looking for it."""
        if self._listener is None or self._listener.done():
            self._listener = asyncio.create_task(self._listen())
        event = asyncio.Event()
        self._waiters[key].add(event)
        return event

    def forget(self, key: str, event: asyncio.Event) -> None:
        waiting = self._waiters.get(key)
        if waiting is not None:
            waiting.discard(event)
            if not waiting:
                del self._waiters[key]

    async def announce(self, key: str) -> None:
        with contextlib.suppress(ConnectionError):
            await self._channels.publish(FILLED_CHANNEL, key.encode())

    async def _listen(self) -> None:
        try:
            async with self._channels.subscribe(FILLED_CHANNEL) as notices:
                async for message in notices:
                    for event in self._waiters.get(message.decode(errors="replace"), ()):
                        event.set()
        except ConnectionError:
            return  # waiters poll meanwhile; the next waiter subscribes again

    async def aclose(self) -> None:
        if self._listener is not None:
            self._listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._listener
