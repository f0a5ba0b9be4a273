"""The sandbox's webhook machinery: subscriptions, pending changes, and BC's sending job.

``record`` is called for every change a write or a staff action makes; ``deliver_due`` is BC's
job: it runs ``delay_seconds`` after the first pending change (or when a retry is due), sends one
POST per notification URL with every pending notification of that URL's subscriptions, and
decides from the answer what to keep.  Time comes from the sandbox's clock, so tests advance a
fake clock and call ``deliver_due`` instead of sleeping; ``run`` is the loop a server runs.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import anyio
import httpx

from gateway.sandbox.body import bc_timestamp
from gateway.sandbox.journal import UndoJournal
from gateway.sandbox.webhooks.config import WebhookConfig
from gateway.sandbox.webhooks.delivery import delivered, handshake, post_notifications, should_retry
from gateway.sandbox.webhooks.feed import Change, ChangeType, Notification, Pending
from gateway.sandbox.webhooks.registry import Subscription, SubscriptionRegistry
from gateway.sandbox.webhooks.resources import collection_url, entity_url

log = logging.getLogger("gateway.sandbox.webhooks")

_RECENT = 100  # deliveries kept for /_sandbox/webhooks
_IDLE_SECONDS = 3600.0  # the loop's longest sleep when nothing is pending


@dataclass(frozen=True)
class Delivery:
    """One notification POST: where, what, and the subscriber's answer (``None``: no answer)."""

    url: str
    entries: tuple[dict[str, Any], ...]
    status: int | None
    at: dt.datetime


class Webhooks:
    def __init__(
        self,
        config: WebhookConfig,
        now: Callable[[], dt.datetime],
        write_lock: Callable[[], anyio.Lock],
    ) -> None:
        self.config = config
        self.now = now
        self.subscriptions = SubscriptionRegistry(config.lifetime_seconds)
        self.deliveries: deque[Delivery] = deque(maxlen=_RECENT)
        self.transport: httpx.AsyncBaseTransport | None = None  # None: the network
        self._write_lock = write_lock
        self._pending: dict[str, Pending] = {}
        self._due_at: dt.datetime | None = None
        self._wake: anyio.Event | None = None
        self._delivering: anyio.Lock | None = None

    def deliver_through(self, transport: httpx.AsyncBaseTransport | None) -> None:
        """Reach notification URLs through ``transport`` (``None``: the network)."""
        self.transport = transport

    # -- changes -----------------------------------------------------------------------------

    def record(
        self,
        company_id: str,
        route: str,
        entity_set: str,
        key: str,
        change_type: ChangeType,
        journal: UndoJournal | None = None,
        at: dt.datetime | None = None,
    ) -> None:
        """A record of ``entity_set`` changed: queue a notification for each live subscription to
        it.  With ``journal``, rolling the write back takes the notifications back too.  ``at``:
        when BC registered the change, its notification's ``lastModifiedDateTime`` (the write's
        own time, which it stamps on the record; now when not given)."""
        now = self.now()
        for subscription in self.subscriptions.active(now):
            target = subscription.target
            if (target.route, target.company_id, target.entity_set) != (
                route,
                company_id.lower(),
                entity_set,
            ):
                continue
            pending = self._pending.setdefault(subscription.subscription_id, Pending())
            change = Change(key.lower(), change_type, at or now, journal)
            pending.add(change, self.config.max_notifications)
            if journal is not None:
                journal.on_undo(functools.partial(pending.discard, change))
            self._schedule(now + dt.timedelta(seconds=self.config.delay_seconds))

    def pending_count(self) -> int:
        return sum(len(p.changes) + (p.folded is not None) for p in self._pending.values())

    @property
    def due_at(self) -> dt.datetime | None:
        return self._due_at

    # -- BC's job ----------------------------------------------------------------------------

    async def deliver_due(self) -> list[Delivery]:
        """Run BC's sending job if it is due; the POSTs it made."""
        if self._delivering is None:
            self._delivering = anyio.Lock()
        async with self._delivering:
            now = self.now()
            if self._due_at is None or self._due_at > now:
                return []
            # A snapshot $batch holds the write lock: its changes are sent only once it committed.
            async with self._write_lock():
                batches = self._take(now)
            self._due_at = None
            made = [await self._send(url, taken) for url, taken in batches.items()]
            self._reschedule_retries()
            return made

    def _take(self, now: dt.datetime) -> dict[str, list[tuple[Subscription, list[Notification]]]]:
        live = {s.subscription_id: s for s in self.subscriptions.active(now)}
        for gone in [key for key in self._pending if key not in live]:
            del self._pending[gone]  # expired or deleted: its notifications go with it
        batches: dict[str, list[tuple[Subscription, list[Notification]]]] = {}
        for subscription in live.values():
            pending = self._pending.get(subscription.subscription_id)
            if pending is None or pending.empty or (pending.retry_at is not None and pending.retry_at > now):
                continue
            taken = pending.take(self.config.max_notifications)
            batches.setdefault(subscription.notification_url, []).append((subscription, taken))
        return batches

    async def _send(self, url: str, taken: list[tuple[Subscription, list[Notification]]]) -> Delivery:
        entries = [_entry(subscription, n) for subscription, notes in taken for n in notes]
        status = await post_notifications(url, entries, self.transport, self.config.send_timeout_seconds)
        delivery = Delivery(url, tuple(entries), status, self.now())
        self.deliveries.append(delivery)
        if delivered(status):
            for subscription, _ in taken:
                pending = self._pending.get(subscription.subscription_id)
                if pending is not None:
                    pending.attempts, pending.retry_at = 0, None
        elif should_retry(status):
            for subscription, notes in taken:
                self._retry_later(subscription, notes)
        else:
            log.warning("webhook_rejected", extra={"status": status})
            # BC drops the notifications and every subscription of that URL.
            for subscription in self.subscriptions.active(self.now()):
                if subscription.notification_url == url:
                    self.delete(subscription.subscription_id)
        return delivery

    def _retry_later(self, subscription: Subscription, notes: list[Notification]) -> None:
        pending = self._pending.get(subscription.subscription_id)
        if pending is None:  # deleted while the POST was on its way
            return
        pending.attempts += 1
        delays = self.config.retry_delays_seconds
        if pending.attempts > len(delays):
            log.warning("webhook_subscription_failed_too_often")
            self.delete(subscription.subscription_id)
            return
        pending.restore(notes)
        pending.retry_at = self.now() + dt.timedelta(seconds=delays[pending.attempts - 1])

    def _reschedule_retries(self) -> None:
        for pending in self._pending.values():
            if not pending.empty:
                self._schedule(
                    pending.retry_at or self.now() + dt.timedelta(seconds=self.config.delay_seconds)
                )

    def _schedule(self, at: dt.datetime) -> None:
        if self._due_at is None or at < self._due_at:
            self._due_at = at
            if self._wake is not None:
                self._wake.set()

    async def run(self) -> None:
        """BC's job on the real clock: deliver whenever something is due, until cancelled."""
        while True:
            await self.deliver_due()
            self._wake = anyio.Event()
            wait = _IDLE_SECONDS
            if self._due_at is not None:
                wait = max(0.0, (self._due_at - self.now()).total_seconds())
            with anyio.move_on_after(wait):
                await self._wake.wait()

    # -- subscriptions -----------------------------------------------------------------------

    async def validate(self, notification_url: str) -> str | None:
        """BC's handshake with ``notification_url``: ``None`` when it echoed the token."""
        return await handshake(notification_url, self.transport, self.config.handshake_timeout_seconds)

    def delete(self, subscription_id: str) -> bool:
        self._pending.pop(subscription_id, None)
        return self.subscriptions.delete(subscription_id)

    def snapshot(self) -> dict[str, Any]:
        """What ``GET /_sandbox/webhooks`` shows: subscriptions, pending counts, recent POSTs."""
        now = self.now()
        return {
            "subscriptions": [
                {
                    **s.row(),
                    "route": s.route,
                    "pending": len(self._pending.get(s.subscription_id, Pending()).changes),
                }
                for s in self.subscriptions.active(now)
            ],
            "dueAt": bc_timestamp(self._due_at) if self._due_at else None,
            "deliveries": [
                {"url": d.url, "status": d.status, "at": bc_timestamp(d.at), "value": list(d.entries)}
                for d in self.deliveries
            ],
        }


def _entry(subscription: Subscription, notification: Notification) -> dict[str, Any]:
    if notification.key is None:
        since = bc_timestamp(notification.since) if notification.since else None
        resource = collection_url(subscription.resource, since)
    else:
        resource = entity_url(subscription.resource, notification.key)
    return {
        "subscriptionId": subscription.subscription_id,
        "clientState": subscription.client_state,
        "expirationDateTime": subscription.expiration_text,
        "resource": resource,
        "changeType": notification.change_type.value,
        "lastModifiedDateTime": bc_timestamp(notification.at),
    }
