"""The one path every change BC reports takes, whether notified (webhooks) or polled.

Owners attached (``owners``), then this replica's answer cache forgets what the change makes
stale (``invalidation``), then the event is published on the shared store (``publisher``) for
the other replicas and the GraphQL subscriptions.
"""

from __future__ import annotations

from gateway.bc import BCClient
from gateway.store import Store
from gateway.webhooks.dispatch import Dispatcher
from gateway.webhooks.invalidation import AnswerInvalidation
from gateway.webhooks.owners import OwnerDirectory
from gateway.webhooks.publisher import EventPublisher
from gateway.webhooks.stats import WebhookStats


def change_dispatcher(
    bc: BCClient, store: Store, stats: WebhookStats, *, replay_window_seconds: float
) -> Dispatcher:
    """A dispatcher with owners, the answer cache's invalidation (when it caches) and the publisher."""
    learned = bc.answers.owners if bc.answers is not None else None
    dispatcher = Dispatcher(
        store.kv,
        stats,
        replay_window_seconds=replay_window_seconds,
        owners=OwnerDirectory(bc.owners, store.kv, stats, learned=learned),
        publisher=EventPublisher(store.channels, stats),
    )
    if bc.answers is not None:
        # This replica forgets what a change makes stale before the other replicas hear of it.
        invalidation = AnswerInvalidation(bc.answers, stats)
        dispatcher.add_handler(invalidation)
        dispatcher.on_resync(invalidation.resync)
    return dispatcher
