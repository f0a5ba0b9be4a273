"""From accepted notifications to typed events, each processed once across every replica.

A notification is claimed in the shared store under its replay key (``KeyValue.claim`` with the
replay window as TTL) before anything is done with it, so BC's retries and a replayed body are
recognised on whichever replica they land.  ``created``/``updated``/``deleted`` become a
:class:`RecordChanged` for every registered :class:`ChangeHandler`; ``collection`` becomes a
:class:`ResourceResync` for every registered resync hook.  Later consumers (cache invalidation,
GraphQL subscriptions) register themselves here, or listen to the events published on the store.
"""

from __future__ import annotations

import contextlib
import logging
import uuid
from collections.abc import Awaitable, Callable
from typing import Protocol

from gateway.store import KeyValue, StoreUnavailable
from gateway.webhooks.events import ChangeType, Notification, RecordChanged, ResourceResync
from gateway.webhooks.inbox import Inbox
from gateway.webhooks.stats import WebhookStats

log = logging.getLogger("gateway.webhooks")

ResyncHook = Callable[[ResourceResync], Awaitable[None]]


class ChangeHandler(Protocol):
    async def record_changed(self, event: RecordChanged) -> None:
        """React to one record BC created, updated or deleted."""


class Dispatcher:
    def __init__(self, kv: KeyValue, stats: WebhookStats, *, replay_window_seconds: float) -> None:
        self._kv = kv
        self._stats = stats
        self._window = replay_window_seconds
        self._handlers: list[ChangeHandler] = []
        self._resync_hooks: list[ResyncHook] = []

    def add_handler(self, handler: ChangeHandler) -> None:
        self._handlers.append(handler)

    def on_resync(self, hook: ResyncHook) -> None:
        self._resync_hooks.append(hook)

    async def run(self, inbox: Inbox) -> None:
        """Process what the endpoint accepted, in order, until cancelled."""
        while True:
            for notification in await inbox.take():
                await self.process(notification)

    async def process(self, notification: Notification) -> None:
        """Hand ``notification`` on, unless it was processed already."""
        key = f"webhooks:seen:{notification.replay_key}"
        token = uuid.uuid4().hex.encode()
        try:
            if await self._kv.claim(key, token, ttl_seconds=self._window) is not None:
                self._stats.replays += 1
                return
        except StoreUnavailable:
            # Invalidations are idempotent: processing twice beats missing a change.
            self._stats.unclaimed += 1
        try:
            await self._dispatch(notification)
        except Exception:
            self._stats.failed += 1
            log.exception("webhook_processing_failed", extra={"entity_set": notification.entity_set})
            await self._forget(key, token)  # so that BC's next retry or a replay is processed
            return
        self._stats.processed += 1

    async def resync(self, request: ResourceResync) -> None:
        """Run every resync hook for ``request``."""
        self._stats.resyncs += 1
        for hook in self._resync_hooks:
            await hook(request)

    async def _dispatch(self, notification: Notification) -> None:
        if notification.change_type is ChangeType.COLLECTION:
            await self.resync(
                ResourceResync(
                    notification.company_id,
                    notification.route,
                    notification.entity_set,
                    notification.since,
                    "collection",
                )
            )
            return
        if notification.record_id is None:  # parse_notifications guarantees one
            raise ValueError("a record notification without a record id")
        event = RecordChanged(
            notification.company_id,
            notification.route,
            notification.entity_set,
            notification.record_id,
            notification.change_type,
            notification.last_modified,
        )
        for handler in self._handlers:
            await handler.record_changed(event)

    async def _forget(self, key: str, token: bytes) -> None:
        with contextlib.suppress(StoreUnavailable):
            await self._kv.delete(key, expected=token)
