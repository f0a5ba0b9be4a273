"""The change poller of one gateway replica, as ``create_app`` opens it in the lifespan when BC's
webhooks are off and polling is on (docs/changes.md)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from gateway.bc import BCClient
from gateway.store import Store
from gateway.webhooks.pipeline import change_dispatcher
from gateway.webhooks.poll_coverage import PollCoverage
from gateway.webhooks.poller import ChangePoller
from gateway.webhooks.settings import ChangePollSettings
from gateway.webhooks.stats import WebhookStats

# Polled changes are never replayed by BC: the window only sizes the dispatcher's claims, unused.
_NO_REPLAYS = 1.0


class ChangePollService:
    def __init__(
        self,
        settings: ChangePollSettings,
        bc: BCClient,
        store: Store,
        *,
        now: Callable[[], float],
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.settings = settings
        self.stats = WebhookStats()
        self.dispatcher = change_dispatcher(bc, store, self.stats, replay_window_seconds=_NO_REPLAYS)
        self.poller = ChangePoller(bc, store.kv, settings, self.dispatcher, self.stats, now=now, sleep=sleep)
        if bc.answers is not None:
            # Keep what the polls cover for longer, as long as they do.
            bc.answers.follow(PollCoverage(self.poller, settings, now))

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        """The poller in the background, for the duration of the context."""
        task = asyncio.create_task(self.poller.run(), name="change-poller")
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    def readiness(self) -> dict[str, Any]:
        """What ``/readyz`` shows: the last poll, per company the sets polled and since when."""
        return {
            "enabled": True,
            "everySeconds": self.settings.every_seconds,
            "pollingHere": self.poller.lease.held,
            **self.poller.report.as_json(),
        }
