"""BC's webhooks on the gateway's side (docs/webhooks.md).

- ``events``: BC's notification bodies parsed and checked; the typed events made of them
  (:class:`RecordChanged`, :class:`ResourceResync`) and their JSON on ``bc-events:{company}``.
- ``client_state``: each subscription's secret, derived per resource, compared in constant time.
- ``dispatch``: each notification processed once across replicas; handlers and resync hooks.
- ``publisher``: the handler that publishes every event on the shared store.
- ``plan``/``manager``: which subscriptions the gateway wants, kept alive by the lease holder.
- ``service``: all of it for one replica, opened in the app's lifespan.
- ``pipeline``: the one path of every change, notified or polled (owners, invalidation, publisher).
- ``watermark``/``poller``/``poll_coverage``/``poll_service``: BC's changes learned by polling when
  its webhooks cannot reach the gateway (docs/changes.md).

Imports ``gateway.bc`` (the subscriptions API) and ``gateway.store``; nothing of HTTP: the
endpoint lives in ``gateway/edge/webhooks.py``.
"""

from __future__ import annotations

from .dispatch import ChangeHandler, Dispatcher, ResyncHook
from .events import (
    ChangeType,
    Event,
    MalformedNotification,
    Notification,
    RecordChanged,
    ResourceResync,
    channel_for,
    decode_event,
    encode_event,
    parse_notifications,
)
from .poll_service import ChangePollService
from .service import Verdict, WebhookService
from .settings import ChangePollSettings, WebhookSettings
from .stats import WebhookStats

__all__ = [
    "ChangeHandler",
    "ChangePollService",
    "ChangePollSettings",
    "ChangeType",
    "Dispatcher",
    "Event",
    "MalformedNotification",
    "Notification",
    "RecordChanged",
    "ResourceResync",
    "ResyncHook",
    "Verdict",
    "WebhookService",
    "WebhookSettings",
    "WebhookStats",
    "channel_for",
    "decode_event",
    "encode_event",
    "parse_notifications",
]
