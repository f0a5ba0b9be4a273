"""The webhook side of one gateway replica, as ``create_app`` opens it in the lifespan.

The endpoint (``gateway/edge/webhooks.py``) hands checked notifications to :meth:`accept`, which
answers at once; the dispatcher processes them in the background; the manager keeps BC's
subscriptions right when this replica holds the lease.  Nothing here asks BC on a probe:
:meth:`readiness` answers from what the last pass found.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable
from enum import Enum
from typing import Any

from gateway.bc import BCClient
from gateway.store import Store
from gateway.webhooks.client_state import ClientStates
from gateway.webhooks.coverage import SubscriptionCoverage
from gateway.webhooks.events import Notification
from gateway.webhooks.inbox import Inbox
from gateway.webhooks.manager import SubscriptionManager
from gateway.webhooks.pipeline import change_dispatcher
from gateway.webhooks.settings import WebhookSettings
from gateway.webhooks.stats import WebhookStats


class Verdict(Enum):
    ACCEPTED = "accepted"  # 202: queued for processing
    NOT_GENUINE = "not_genuine"  # 401: no notification carried its subscription's clientState
    BUSY = "busy"  # 503: the queue is full; BC sends it again later


class WebhookService:
    def __init__(
        self,
        settings: WebhookSettings,
        bc: BCClient,
        store: Store,
        *,
        now: Callable[[], dt.datetime],
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.settings = settings
        self.stats = WebhookStats()
        # Without a configured secret (development), one per process: only this process's
        # subscriptions exist, and they are made again when it restarts.
        self.client_states = ClientStates(settings.secret or secrets.token_bytes(32))
        self.inbox = Inbox(settings.queue_capacity)
        self.dispatcher = change_dispatcher(
            bc, store, self.stats, replay_window_seconds=settings.replay_window_seconds
        )
        self.manager = SubscriptionManager(
            bc, store.kv, settings, self.client_states, self.dispatcher, self.stats, now=now, sleep=sleep
        )
        if bc.answers is not None:
            # Keep what the subscriptions cover for longer, as long as they do.
            bc.answers.follow(SubscriptionCoverage(self.manager, settings, now))

    def accept(self, notifications: list[Notification]) -> Verdict:
        """Keep the notifications that carry their subscription's ``clientState`` and queue them.

        A body mixing genuine and other entries can only come from BC holding an old
        subscription of ours (a rotated secret): the genuine ones are processed, the others
        dropped and counted (the manager renews that subscription with the new state).
        """
        genuine = [n for n in notifications if self.client_states.genuine(n)]
        self.stats.refused_client_state += len(notifications) - len(genuine)
        if not genuine:
            return Verdict.NOT_GENUINE
        if not self.inbox.offer(genuine):
            self.stats.queue_full += 1
            return Verdict.BUSY
        self.stats.bodies_accepted += 1
        self.stats.notifications_accepted += len(genuine)
        return Verdict.ACCEPTED

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        """The dispatcher and the manager in the background, for the duration of the context."""
        tasks = [
            asyncio.create_task(self.dispatcher.run(self.inbox), name="webhook-dispatcher"),
            asyncio.create_task(self.manager.run(), name="webhook-subscription-manager"),
        ]
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    def readiness(self) -> dict[str, Any]:
        """What ``/readyz`` shows: the subscriptions as last checked, the queue, the lease."""
        return {
            "enabled": True,
            "notificationUrl": self.settings.notification_url,
            "managedHere": self.manager.lease.held,
            "queued": self.inbox.depth,
            **self.manager.report.as_json(),
        }
