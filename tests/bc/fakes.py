"""A fake clock for the BC client: time moves only when the client sleeps (or a test says so)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from gateway.bc import Clock


class FakeTime:
    def __init__(self, random: Callable[[], float] = lambda: 1.0) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []
        self._random = random

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds
        await asyncio.sleep(0)  # a real sleep lets other tasks run; so does this one

    def advance(self, seconds: float) -> None:
        self.now += seconds

    def clock(self) -> Clock:
        return Clock(now=self.monotonic, sleep=self.sleep, random=self._random)
