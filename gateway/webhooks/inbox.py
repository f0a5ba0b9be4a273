"""Accepted notifications waiting to be processed, bounded by how many they are."""

from __future__ import annotations

import asyncio
from collections import deque

from gateway.webhooks.events import Notification


class Inbox:
    """A queue of notification batches holding at most ``capacity`` notifications in all: a body
    that does not fit is refused whole (BC then sends it again later)."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self._batches: deque[list[Notification]] = deque()
        self._held = 0
        self._ready = asyncio.Event()

    @property
    def depth(self) -> int:
        """Notifications waiting."""
        return self._held

    def offer(self, batch: list[Notification]) -> bool:
        if self._held + len(batch) > self.capacity:
            return False
        self._batches.append(batch)
        self._held += len(batch)
        self._ready.set()
        return True

    async def take(self) -> list[Notification]:
        """The oldest batch, waiting for one if there is none."""
        while not self._batches:
            self._ready.clear()
            await self._ready.wait()
        batch = self._batches.popleft()
        self._held -= len(batch)
        return batch
