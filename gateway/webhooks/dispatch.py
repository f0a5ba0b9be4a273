"""From accepted notifications to typed events, each processed once across every replica.

A notification is claimed in the shared store under its replay key (``KeyValue.claim`` with the
replay window as TTL) before anything is done with it, so BC's retries and a replayed body are
recognised on whichever replica they land.  ``created``/``updated``/``deleted`` become a
:class:`RecordChanged` for every registered :class:`ChangeHandler`; ``collection`` becomes a
:class:`ResourceResync` for every registered resync hook.  The changes of one body have their
owners attached together (``owners``), and the publisher hears each event last.  Consumers on
this replica register here (the answer cache); the others listen to the events published on the
store (GraphQL subscriptions, on every replica).
"""

from __future__ import annotations

import contextlib
import logging
import uuid
from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Protocol

from gateway.store import KeyValue, StoreUnavailable
from gateway.webhooks.events import ChangeType, Notification, RecordChanged, ResourceResync
from gateway.webhooks.inbox import Inbox
from gateway.webhooks.stats import WebhookStats

if TYPE_CHECKING:
    from gateway.webhooks.owners import OwnerDirectory
    from gateway.webhooks.publisher import EventPublisher

log = logging.getLogger("gateway.webhooks")

ResyncHook = Callable[[ResourceResync], Awaitable[None]]


class ChangeHandler(Protocol):
    async def record_changed(self, event: RecordChanged) -> None:
        """React to one record BC created, updated or deleted."""


class Dispatcher:
    """``owners`` attaches whose record each change is; ``publisher`` hears every change and
    resync after the handlers and hooks (so the other replicas learn of a change only once this
    one has acted on it: the answer cache has forgotten what it knew)."""

    def __init__(
        self,
        kv: KeyValue,
        stats: WebhookStats,
        *,
        replay_window_seconds: float,
        owners: OwnerDirectory | None = None,
        publisher: EventPublisher | None = None,
    ) -> None:
        self._kv = kv
        self._stats = stats
        self._window = replay_window_seconds
        self._owners = owners
        self._publisher = publisher
        self._handlers: list[ChangeHandler] = []
        self._resync_hooks: list[ResyncHook] = []

    def add_handler(self, handler: ChangeHandler) -> None:
        self._handlers.append(handler)

    def on_resync(self, hook: ResyncHook) -> None:
        self._resync_hooks.append(hook)

    async def run(self, inbox: Inbox) -> None:
        """Process what the endpoint accepted, in order, until cancelled."""
        while True:
            await self.process_all(await inbox.take())

    async def process(self, notification: Notification) -> None:
        """Hand ``notification`` on, unless it was processed already."""
        await self.process_all([notification])

    async def process_all(self, notifications: Sequence[Notification]) -> None:
        """Hand on those of ``notifications`` not processed already, their owners read together."""
        claimed = [claim for claim in [await self._claim(n) for n in notifications] if claim is not None]
        changes = [_change(notification) for notification, _ in claimed]
        owned = iter(await self._attach_owners([c for c in changes if c is not None]))
        for (notification, token), change in zip(claimed, changes, strict=True):
            await self._hand_on(notification, token, next(owned) if change is not None else None)

    async def process_changes(self, changes: Sequence[RecordChanged]) -> None:
        """Hand on changes learned by polling BC (``poller.py``), which makes sure each comes
        once: their owners attached, then the handlers and the publisher, as for notifications.
        A failure is raised: the poll does not count as done, and its changes come again."""
        for change in await self._attach_owners(list(changes)):
            await self._changed(change)
            self._stats.processed += 1

    async def resync(self, request: ResourceResync) -> None:
        """Run every resync hook for ``request``."""
        self._stats.resyncs += 1
        for hook in self._resync_hooks:
            await hook(request)
        if self._publisher is not None:
            await self._publisher.resync(request)

    async def _claim(self, notification: Notification) -> tuple[Notification, bytes] | None:
        token = uuid.uuid4().hex.encode()
        try:
            if await self._kv.claim(_seen(notification), token, ttl_seconds=self._window) is not None:
                self._stats.replays += 1
                return None
        except StoreUnavailable:
            # Invalidations are idempotent: processing twice beats missing a change.
            self._stats.unclaimed += 1
        return notification, token

    async def _attach_owners(self, changes: list[RecordChanged]) -> list[RecordChanged]:
        if self._owners is None or not changes:
            return changes
        return await self._owners.attach(changes)

    async def _hand_on(self, notification: Notification, token: bytes, change: RecordChanged | None) -> None:
        try:
            if change is None:
                await self.resync(_resync(notification))
            else:
                await self._changed(change)
        except Exception:
            self._stats.failed += 1
            log.exception("webhook_processing_failed", extra={"entity_set": notification.entity_set})
            await self._forget(_seen(notification), token)  # so that BC's next retry or a replay is processed
            return
        self._stats.processed += 1

    async def _changed(self, event: RecordChanged) -> None:
        for handler in self._handlers:
            await handler.record_changed(event)
        if self._publisher is not None:
            await self._publisher.record_changed(event)

    async def _forget(self, key: str, token: bytes) -> None:
        with contextlib.suppress(StoreUnavailable):
            await self._kv.delete(key, expected=token)


def _seen(notification: Notification) -> str:
    return f"webhooks:seen:{notification.replay_key}"


def _resync(notification: Notification) -> ResourceResync:
    return ResourceResync(
        notification.company_id,
        notification.route,
        notification.entity_set,
        notification.since,
        "collection",
    )


def _change(notification: Notification) -> RecordChanged | None:
    """The change a record notification reports (``None`` for a collection)."""
    if notification.change_type is ChangeType.COLLECTION:
        return None
    if notification.record_id is None:  # parse_notifications guarantees one
        raise ValueError("a record notification without a record id")
    return RecordChanged(
        notification.company_id,
        notification.route,
        notification.entity_set,
        notification.record_id,
        notification.change_type,
        notification.last_modified,
    )
