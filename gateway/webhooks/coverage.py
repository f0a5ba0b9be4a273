"""Which kinds of cached answers BC's webhooks keep fresh now, and since when (docs/caching.md).

The answer cache keeps an answer of a customer-owned kind for ``GATEWAY_CACHE_TTL_WITH_WEBHOOKS_SECONDS``
instead of its own time to live while every entity set whose changes make that kind stale
(``gateway.bc.notified_by``, the invalidation table itself) has an active subscription, and only
for answers read since the last of them became active: an answer read before may miss a change
that nobody notified.  What the subscriptions are is the manager's report, which every replica
has (the lease holder's own, the others' read from the shared store), so all replicas agree.
A report older than a pass's interval and a lease — nobody is keeping the subscriptions, or
their passes fail — says nothing, and the kinds' own times to live apply.

A subscription BC lost is noticed at the manager's next pass, created again (a new one, active
from then) and its entity set resynced: every answer it covers is read again (``manager.py``).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable

from gateway.bc import DataKind, notified_by
from gateway.webhooks.manager import Report, SubscriptionManager
from gateway.webhooks.settings import WebhookSettings

# (company, entity set) → (active since, expires), as wall-clock seconds.
_Active = dict[tuple[uuid.UUID, str], tuple[float, float]]


class SubscriptionCoverage:
    """``gateway.bc.Coverage`` read from ``manager``'s current report."""

    def __init__(
        self, manager: SubscriptionManager, settings: WebhookSettings, now: Callable[[], dt.datetime]
    ) -> None:
        self._manager = manager
        self._now = now
        self._max_age = settings.check_every_seconds + settings.lease_seconds
        self._read: tuple[Report, float, _Active] | None = None

    def covered_since(self, company: uuid.UUID, kind: DataKind, *, keyed: bool = False) -> float | None:
        sets = notified_by(kind, keyed=keyed)
        if not sets:
            return None
        checked_at, active = self._active()
        now = self._now().timestamp()
        if now - checked_at > self._max_age:
            return None
        since = 0.0
        for entity_set in sets:
            found = active.get((company, entity_set))
            if found is None or found[1] <= now:
                return None
            since = max(since, found[0])
        return since

    def _active(self) -> tuple[float, _Active]:
        """The current report's check time and active subscriptions (parsed once per report)."""
        report = self._manager.report
        if self._read is None or self._read[0] is not report:
            self._read = (report, *_parse(report))
        return self._read[1], self._read[2]


def _parse(report: Report) -> tuple[float, _Active]:
    if report.checked_at is None:
        return float("-inf"), {}
    active: _Active = {}
    for entry in report.subscriptions:
        if entry.get("state") == "active" and entry.get("activeSince") and entry.get("expires"):
            key = (uuid.UUID(entry["company"]), entry["entitySet"])
            active[key] = (_seconds(entry["activeSince"]), _seconds(entry["expires"]))
    return _seconds(report.checked_at), active


def _seconds(text: str) -> float:
    return dt.datetime.fromisoformat(text).timestamp()
