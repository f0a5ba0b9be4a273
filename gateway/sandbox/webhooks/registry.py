"""BC's webhook subscriptions of one environment: create, renew, delete, expire, the limit.

A subscription lives ``lifetime_seconds`` (3 days) from its creation or last renewal; an expired
one is gone (BC's job deletes it before sending anything), so reads never show it.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, replace
from typing import Any

from gateway.sandbox.body import bc_timestamp
from gateway.sandbox.odata.serialize import etag
from gateway.sandbox.webhooks.resources import Resource

SANDBOX_USER_ID = "00000000-0000-0000-0000-000000000001"


@dataclass(frozen=True)
class Subscription:
    subscription_id: str
    route: str  # the API route it was created on ("v2.0", "bcgateway/portal/v1.0")
    notification_url: str
    resource: str  # as the subscriber wrote it; notifications repeat it
    target: Resource
    client_state: str
    created: dt.datetime
    modified: dt.datetime
    expires: dt.datetime
    timestamp: int

    def row(self) -> dict[str, Any]:
        """The ``subscriptions`` entity's properties, as BC's API v2.0 returns them."""
        return {
            "subscriptionId": self.subscription_id,
            "notificationUrl": self.notification_url,
            "resource": self.resource,
            "timestamp": self.timestamp,
            "userId": SANDBOX_USER_ID,
            "lastModifiedDateTime": bc_timestamp(self.modified),
            "clientState": self.client_state,
            "expirationDateTime": _seconds(self.expires),
            "systemCreatedAt": bc_timestamp(self.created),
            "systemCreatedBy": SANDBOX_USER_ID,
            "systemModifiedAt": bc_timestamp(self.modified),
            "systemModifiedBy": SANDBOX_USER_ID,
        }

    @property
    def etag(self) -> str:
        return etag(self.row())

    @property
    def expiration_text(self) -> str:
        return _seconds(self.expires)


class SubscriptionRegistry:
    """The environment's subscriptions, all routes together (the limit is per environment)."""

    def __init__(self, lifetime_seconds: float) -> None:
        self._lifetime = dt.timedelta(seconds=lifetime_seconds)
        self._subscriptions: dict[str, Subscription] = {}
        self._timestamps = 0

    def active(self, now: dt.datetime) -> list[Subscription]:
        """Live subscriptions in creation order; expired ones are dropped for good."""
        for expired in [s for s in self._subscriptions.values() if s.expires <= now]:
            del self._subscriptions[expired.subscription_id]
        return list(self._subscriptions.values())

    def on_route(self, route: str, now: dt.datetime) -> list[Subscription]:
        return [s for s in self.active(now) if s.route == route]

    def get(self, subscription_id: str, now: dt.datetime) -> Subscription | None:
        return next((s for s in self.active(now) if s.subscription_id == subscription_id), None)

    def create(
        self,
        route: str,
        notification_url: str,
        resource: str,
        target: Resource,
        client_state: str,
        now: dt.datetime,
    ) -> Subscription:
        subscription = Subscription(
            subscription_id=uuid.uuid4().hex,
            route=route,
            notification_url=notification_url,
            resource=resource,
            target=target,
            client_state=client_state,
            created=now,
            modified=now,
            expires=now + self._lifetime,
            timestamp=self._next_timestamp(),
        )
        self._subscriptions[subscription.subscription_id] = subscription
        return subscription

    def renew(self, subscription: Subscription, now: dt.datetime, **changes: Any) -> Subscription:
        """The subscription with ``changes`` applied, living another lifetime from ``now``."""
        renewed = replace(
            subscription,
            **changes,
            modified=now,
            expires=now + self._lifetime,
            timestamp=self._next_timestamp(),
        )
        self._subscriptions[renewed.subscription_id] = renewed
        return renewed

    def delete(self, subscription_id: str) -> bool:
        return self._subscriptions.pop(subscription_id, None) is not None

    def _next_timestamp(self) -> int:
        self._timestamps += 1
        return self._timestamps


def _seconds(moment: dt.datetime) -> str:
    """``expirationDateTime`` as BC writes it: whole seconds, ``2025-10-02T10:21:44Z``."""
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
