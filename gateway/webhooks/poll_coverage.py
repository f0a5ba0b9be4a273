"""Which kinds of cached answers the change poller keeps fresh now, and since when (docs/changes.md).

The same promise as ``coverage.py`` makes for webhooks: an answer of a customer-owned kind is kept
``GATEWAY_CACHE_TTL_WITH_WEBHOOKS_SECONDS`` instead of its own time to live while every entity set
whose changes make it stale (``gateway.bc.notified_by``) is polled for its company, and only if it
was read since the polls of the last of those sets began: what changed before may not have been
seen.  The poller's report says so (the lease holder's own; the others' read from the store); it
says nothing once the last poll failed, or the last successful one is older than
``stale_after_seconds``: changes are not being seen, and the kinds' own times to live apply.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

from gateway.bc import DataKind, notified_by
from gateway.webhooks.poller import ChangePoller
from gateway.webhooks.settings import ChangePollSettings


class PollCoverage:
    """``gateway.bc.Coverage`` read from ``poller``'s current report."""

    def __init__(self, poller: ChangePoller, settings: ChangePollSettings, now: Callable[[], float]) -> None:
        self._poller = poller
        self._now = now
        self._max_age = settings.stale_after_seconds

    def covered_since(self, company: uuid.UUID, kind: DataKind, *, keyed: bool = False) -> float | None:
        sets = notified_by(kind, keyed=keyed)
        report = self._poller.report
        if not sets or report.failing or report.polled_at is None:
            return None
        if self._now() - report.polled_at > self._max_age:
            return None
        covered = report.companies.get(company)
        if covered is None or not sets <= covered.keys():
            return None
        return max(covered[name] for name in sets)
