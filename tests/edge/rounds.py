"""BC round trips as a user waits for them: requests in flight together are one round.

The sandbox answers in no time, so two requests the gateway means to send together may never
overlap in a test, and two it sends one after the other may.  ``RoundTransport`` gives every
request the same latency instead: a request the gateway sends while a round is open joins it;
the round stays open while the gateway keeps sending (until ``SETTLE_TICKS`` event-loop
iterations pass with no new request), then every request of it goes to BC and all its answers
come back together.  A read that needs an answer of the round is therefore in the next round,
and ``len(rounds)`` is the operation's latency in round trips.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

import httpx

# Loop iterations without a new request before a round leaves: well past the iterations the
# gateway's reads take to join one $batch (gateway/bc/_coalesce.py) and a loader's dispatch.
SETTLE_TICKS = 50


@dataclass
class _Round:
    requests: list[str] = field(default_factory=list)
    sent: asyncio.Event = field(default_factory=asyncio.Event)
    answered: asyncio.Event = field(default_factory=asyncio.Event)
    waiting: int = 0
    settling: asyncio.Future[None] | None = None  # the task that sends it


class RoundTransport(httpx.AsyncBaseTransport):
    """Wraps the transport to BC; ``rounds`` lists each round's requests ("POST $batch", "GET items")."""

    def __init__(self, inner: httpx.AsyncBaseTransport, settle_ticks: int = SETTLE_TICKS) -> None:
        self.inner = inner
        self.settle_ticks = settle_ticks
        self._rounds: list[_Round] = []
        self._open: _Round | None = None

    @property
    def rounds(self) -> list[list[str]]:
        return [sorted(round_.requests) for round_ in self._rounds]

    def clear(self) -> None:
        self._rounds.clear()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if "/api/" not in request.url.path:  # the token endpoint: no read of the operation's
            return await self.inner.handle_async_request(request)
        round_ = self._open
        if round_ is None:
            round_ = self._open = _Round()
            self._rounds.append(round_)
            round_.settling = asyncio.ensure_future(self._send_when_settled(round_))
        round_.requests.append(f"{request.method} {request.url.path.rsplit('/', 1)[-1]}")
        round_.waiting += 1
        await round_.sent.wait()
        try:
            return await self.inner.handle_async_request(request)
        finally:
            round_.waiting -= 1
            if round_.waiting == 0:
                round_.answered.set()
            await round_.answered.wait()

    async def _send_when_settled(self, round_: _Round) -> None:
        seen = -1
        while seen != len(round_.requests):
            seen = len(round_.requests)
            for _ in range(self.settle_ticks):
                await asyncio.sleep(0)  # one loop iteration: no time passes
        self._open = None
        round_.sent.set()
