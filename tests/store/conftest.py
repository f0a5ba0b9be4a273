"""Every store backend runs the same contract tests (tests/store/test_contract.py).

A backend is a store plus a way to let time pass: the in-memory store moves its fake clock; a
backend on a real server (Redis) must let real time pass, so contract tests keep their TTLs short.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass

import pytest

from gateway.store import MemoryStore, Store


@dataclass
class Backend:
    store: Store
    advance: Callable[[float], Awaitable[None]]


class FakeClock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


async def _memory() -> AsyncIterator[Backend]:
    clock = FakeClock()

    async def advance(seconds: float) -> None:
        clock.now += seconds

    yield Backend(MemoryStore(clock=clock), advance)


BACKENDS: dict[str, Callable[[], AsyncIterator[Backend]]] = {"memory": _memory}


@pytest.fixture(params=sorted(BACKENDS))
async def backend(request: pytest.FixtureRequest) -> AsyncIterator[Backend]:
    factory = BACKENDS[request.param]
    async for made in factory():
        try:
            yield made
        finally:
            await made.store.aclose()
