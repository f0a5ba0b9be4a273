"""Publish every event on the shared store, where every replica's consumers can hear it."""

from __future__ import annotations

from gateway.store import Channels
from gateway.webhooks.events import Event, RecordChanged, ResourceResync, channel_for, encode_event
from gateway.webhooks.stats import WebhookStats


class EventPublisher:
    """A change handler and a resync hook: both publish on ``bc-events:{company}``."""

    def __init__(self, channels: Channels, stats: WebhookStats) -> None:
        self._channels = channels
        self._stats = stats

    async def record_changed(self, event: RecordChanged) -> None:
        await self._publish(event)

    async def resync(self, event: ResourceResync) -> None:
        await self._publish(event)

    async def _publish(self, event: Event) -> None:
        await self._channels.publish(channel_for(event.company_id), encode_event(event))
        self._stats.events_published += 1
