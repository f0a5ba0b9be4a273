"""Wakes the requests of this process that wait for a key to settle, when any replica settles it.

One subscription per process on one channel, opened on first need (and again after the store
failed); a message is the name of the key that settled, and wakes every waiter of that name here.
A waiter registers *before* it reads the key, so a notice in between still wakes it.  Notices may
be lost (delivery is at most once, and a subscription ends when the store goes away): waiters
read the key again on their own at a short interval.
"""

from __future__ import annotations

import asyncio
import contextlib

from gateway.store import Channels, StoreUnavailable

__all__ = ["SettleNotices"]


class SettleNotices:
    def __init__(self, channels: Channels, channel: str) -> None:
        self._channels = channels
        self._channel = channel
        self._waiters: dict[str, set[asyncio.Event]] = {}
        self._listener: asyncio.Task[None] | None = None

    def waiter(self, name: str) -> asyncio.Event:
        if self._listener is None or self._listener.done():
            self._listener = asyncio.create_task(self._listen())
        event = asyncio.Event()
        self._waiters.setdefault(name, set()).add(event)
        return event

    def forget(self, name: str, event: asyncio.Event) -> None:
        waiting = self._waiters.get(name)
        if waiting is not None:
            waiting.discard(event)
            if not waiting:
                del self._waiters[name]

    async def publish(self, name: str) -> None:
        """Tell every replica that ``name`` settled (a lost notice only costs a waiter a poll)."""
        with contextlib.suppress(StoreUnavailable):
            await self._channels.publish(self._channel, name.encode())

    async def _listen(self) -> None:
        try:
            async with self._channels.subscribe(self._channel) as notices:
                self._wake_all()  # a key may have settled before the subscription was confirmed
                async for message in notices:
                    for event in self._waiters.get(message.decode(errors="replace"), ()):
                        event.set()
        except StoreUnavailable:
            return  # waiters poll meanwhile; the next one subscribes again

    def _wake_all(self) -> None:
        for waiting in self._waiters.values():
            for event in waiting:
                event.set()

    async def aclose(self) -> None:
        if self._listener is not None:
            self._listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._listener
