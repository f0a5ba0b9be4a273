"""Reads read ahead that are on their way to a session's next ``$batch``.

A read ahead (``BCSession.riding_along``) goes to BC only in a ``$batch`` with a read the
operation needs.  When the needed read is one the answer cache never serves (a write's read-back)
it reaches the batch at once, while the reads ahead first ask the cache — with Redis, a round trip
— and would miss it.  A read ahead that says it is on its way (``riding_along(wait=True)``) holds
the batch's flush until it arrives (it needs BC) or is answered otherwise (kept, or failed), and
never for longer than ``PATIENCE_SECONDS``: a store that is slow costs the read ahead, never the
operation more than that.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from typing import Final

__all__ = ["PATIENCE_SECONDS", "OnTheirWay"]

# A shared store's round trip is a millisecond or two; BC's, tens of milliseconds.
PATIENCE_SECONDS: Final = 0.05


class OnTheirWay:
    """The count of reads ahead set out and not yet arrived, and a wait for them."""

    def __init__(self) -> None:
        self._count = 0
        self._all_arrived = asyncio.Event()
        self._all_arrived.set()

    def ready(self) -> Awaitable[None] | None:
        """What a batch's flush waits for first: ``None`` when no read ahead is on its way."""
        return None if self._count == 0 else self._wait()

    async def _wait(self) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._all_arrived.wait(), PATIENCE_SECONDS)

    def set_out(self) -> Callable[[], None]:
        """One more read ahead on its way; the callable says it arrived (once counts)."""
        self._count += 1
        self._all_arrived.clear()
        arrived = False

        def arrive() -> None:
            nonlocal arrived
            if not arrived:
                arrived = True
                self._count -= 1
                if self._count == 0:
                    self._all_arrived.set()

        return arrive
