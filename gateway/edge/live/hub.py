"""This replica's GraphQL subscriptions, and the store channels they hear BC's changes on.

Every replica publishes the changes it processes on ``bc-events:{company}`` (the shared store's
channels: Redis pub/sub in a fleet).  The hub listens to a company's channel while at least one
subscription of that company runs here, and offers each change to the subscriptions of the
customer who owns the record (``changes.customer_changes``) — so a subscriber hears a change
whichever replica BC's notification reached.  A lost connection to the store is listened again
after ``retry_seconds``; what was published meanwhile is not heard (the store's channels deliver
at most once), and the next change of those records is.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from gateway.edge.live.changes import ANYONE, customer_changes
from gateway.edge.live.feed import Feed
from gateway.store import Channels, StoreUnavailable
from gateway.webhooks import RecordChanged, channel_for, decode_event

log = logging.getLogger("gateway.edge.live")


@dataclass
class HubStats:
    """Counters for ``/metrics`` and tests."""

    events_heard: int = 0
    changes_offered: int = 0
    undecodable: int = 0
    listen_failures: int = 0


class LiveHub:
    def __init__(
        self,
        channels: Channels,
        *,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        retry_seconds: float = 1.0,
    ) -> None:
        self._channels = channels
        self._sleep = sleep
        self._retry_seconds = retry_seconds
        self._feeds: dict[uuid.UUID, set[Feed]] = {}
        self._listeners: dict[uuid.UUID, asyncio.Task[None]] = {}
        # Listeners told to stop and not finished yet: their store connection is still closing.
        self._stopping: set[asyncio.Task[None]] = set()
        self._listening: set[uuid.UUID] = set()
        self.stats = HubStats()

    def join(self, feed: Feed) -> None:
        """Offer ``feed`` its customer's changes from now on (its company's channel is listened to)."""
        feeds = self._feeds.setdefault(feed.company_id, set())
        feeds.add(feed)
        if feed.company_id not in self._listeners:
            task = asyncio.create_task(self._listen(feed.company_id), name=f"live-{feed.company_id}")
            self._listeners[feed.company_id] = task

    def leave(self, feed: Feed) -> None:
        feeds = self._feeds.get(feed.company_id)
        if feeds is None:
            return
        feeds.discard(feed)
        if not feeds:
            del self._feeds[feed.company_id]
            task = self._listeners.pop(feed.company_id, None)
            if task is not None:
                task.cancel()
                self._stopping.add(task)
                task.add_done_callback(self._stopping.discard)
            self._listening.discard(feed.company_id)

    def listening(self, company_id: uuid.UUID) -> bool:
        """Whether the company's channel is listened to now (its subscription confirmed)."""
        return company_id in self._listening

    @property
    def feeds(self) -> int:
        """Subscriptions running here."""
        return sum(len(feeds) for feeds in self._feeds.values())

    @property
    def feeds_listening(self) -> int:
        """Those whose resolver listens already (it says to which changes when it starts)."""
        return sum(1 for feeds in self._feeds.values() for feed in feeds if feed.listening)

    def deliver(self, event: RecordChanged) -> None:
        """Offer ``event`` to the subscriptions here that may hear it."""
        feeds = self._feeds.get(event.company_id, ())
        for customer, change in customer_changes(event):
            for feed in feeds:
                if customer is ANYONE or feed.customer_number == customer:
                    feed.offer(change)
                    self.stats.changes_offered += 1

    async def aclose(self) -> None:
        """Stops listening, and waits until every listener has closed its channel (before the
        store itself closes: a listener cut short would leave its Redis connection open)."""
        tasks = [*self._listeners.values(), *self._stopping]
        self._listeners.clear()
        self._feeds.clear()
        self._listening.clear()
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _listen(self, company_id: uuid.UUID) -> None:
        while True:
            try:
                async with self._channels.subscribe(channel_for(company_id)) as messages:
                    self._listening.add(company_id)
                    async for message in messages:
                        self._heard(message)
            except StoreUnavailable:
                self.stats.listen_failures += 1
                log.warning("live_channel_lost", extra={"company": str(company_id)})
            self._listening.discard(company_id)
            await self._sleep(self._retry_seconds)

    def _heard(self, message: bytes) -> None:
        try:
            event = decode_event(message)
        except (ValueError, KeyError, TypeError):
            self.stats.undecodable += 1
            return
        self.stats.events_heard += 1
        if isinstance(event, RecordChanged):
            self.deliver(event)
