"""Reads asked for in the same event-loop tick, sent to BC together.

DataLoaders dispatch their batches on the same tick, so their reads (several loaders, several
chunks each) arrive here together; one flush a few ticks later hands them all to ``run`` (which
sends two or more as one JSON ``$batch``), and each caller gets its own rows or its own error.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Generic, TypeVar

from ._errors import BCError

__all__ = ["Coalescer"]

Q = TypeVar("Q")
# Resolvers at one level of the operation start their reads a few loop iterations apart (each
# passes through its own awaits — gather, a loader, a shared cache); waiting this many
# iterations lets them share one $batch.  An iteration costs microseconds, a round trip to BC tens
# of milliseconds.
_SETTLE_TICKS = 4
Rows = list[Any]  # model instances or plain rows, as each read asked
Run = Callable[[Sequence[Q]], Awaitable[Sequence[Rows | BCError]]]
# What a flush waits for first, if anything: reads known to be on their way to this batch.
Ready = Callable[[], Awaitable[None] | None]


class Coalescer(Generic[Q]):
    def __init__(self, run: Run[Q], *, ready: Ready = lambda: None) -> None:
        self._run = run
        self._ready = ready
        self._pending: list[tuple[Q, asyncio.Future[Rows]]] = []

    async def submit(self, request: Q) -> Rows:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Rows] = loop.create_future()
        if not self._pending:
            self._flush_after(loop, _SETTLE_TICKS)
        self._pending.append((request, future))
        return await future

    def _flush_after(self, loop: asyncio.AbstractEventLoop, ticks: int) -> None:
        if ticks == 0:
            self._flush()
        else:
            loop.call_soon(self._flush_after, loop, ticks - 1)

    def _flush(self) -> None:
        waiting = self._ready()
        if waiting is not None:  # more reads on their way: they join this batch when there
            task = asyncio.ensure_future(self._flush_when(waiting))
            task.add_done_callback(_retrieve)
        else:
            self._send()

    def _send(self) -> None:
        batch, self._pending = self._pending, []
        task = asyncio.ensure_future(self._deliver(batch))
        task.add_done_callback(_retrieve)

    async def _flush_when(self, waiting: Awaitable[None]) -> None:
        await waiting
        self._send()

    async def _deliver(self, batch: list[tuple[Q, asyncio.Future[Rows]]]) -> None:
        try:
            outcomes = await self._run([request for request, _ in batch])
        except BaseException as error:  # a programming error or cancellation: every caller sees it
            for _, future in batch:
                if not future.done():
                    future.set_exception(error)
            raise
        for (_, future), outcome in zip(batch, outcomes, strict=True):
            if future.done():
                continue  # the caller went away (cancelled)
            if isinstance(outcome, BCError):
                future.set_exception(outcome)
            else:
                future.set_result(outcome)


def _retrieve(task: asyncio.Future[None]) -> None:
    if not task.cancelled():
        task.exception()  # delivered to the callers already; do not log it as never retrieved
