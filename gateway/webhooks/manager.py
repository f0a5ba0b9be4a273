"""The subscription manager: the gateway's webhook subscriptions in BC, kept alive by one replica.

One pass (``reconcile``) reads BC's own list first, so a restart never duplicates anything: BC
keeps each subscription's notification URL, resource and client state, and the gateway's are
the ones with its notification URL.  Then it deletes duplicates and subscriptions no longer
wanted, renews (``PATCH`` + ``If-Match``) those that expire within the renew margin or carry an
old client state, and creates the missing ones within BC's budget.  A subscription BC forgot (404
on renew, or gone from the list) is created again, and its resource is resynced: notifications
were lost while it was missing.

Passes run on exactly one replica: the holder of a lease in the shared store, renewed every third
of its time to live.  A replica that dies stops renewing, and another takes over after at most
one lease.  The holder writes what it found to the store, so ``/readyz`` on every replica shows
it without asking BC.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from gateway.bc import (
    STANDARD_API,
    ApiRoute,
    BCClient,
    BCError,
    BCNotFound,
    BCRequestRejected,
    Company,
    WebhookSubscription,
)
from gateway.store import KeyValue, StoreUnavailable
from gateway.webhooks.client_state import ClientStates
from gateway.webhooks.dispatch import Dispatcher
from gateway.webhooks.events import ResourceResync
from gateway.webhooks.lease import Lease, holding, take_turns
from gateway.webhooks.plan import BC_SUBSCRIPTION_LIMIT, WATCHED, Wanted, resource_key, wanted_subscriptions
from gateway.webhooks.settings import WebhookSettings
from gateway.webhooks.stats import WebhookStats

log = logging.getLogger("gateway.webhooks")

LEASE_KEY = "webhooks:manager"
STATE_KEY = "webhooks:subscriptions"
_RETRY_SECONDS = 60.0  # after a failed pass


class LeaseLost(Exception):
    """Another replica holds the lease now: stop before changing anything more in BC."""


@dataclass
class Report:
    """What the last pass found (``/readyz``): per wanted subscription, and the budget."""

    checked_at: str | None = None
    leader: str | None = None
    budget: dict[str, int] = field(default_factory=dict)
    subscriptions: list[dict[str, Any]] = field(default_factory=list)

    def summary(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for entry in self.subscriptions:
            counts[entry["state"]] = counts.get(entry["state"], 0) + 1
        return counts

    def as_json(self) -> dict[str, Any]:
        return {
            "checkedAt": self.checked_at,
            "leader": self.leader,
            "budget": self.budget,
            "states": self.summary(),
            "subscriptions": self.subscriptions,
        }


class SubscriptionManager:
    def __init__(
        self,
        bc: BCClient,
        kv: KeyValue,
        settings: WebhookSettings,
        client_states: ClientStates,
        dispatcher: Dispatcher,
        stats: WebhookStats,
        *,
        now: Callable[[], dt.datetime],
        sleep: Callable[[float], Awaitable[None]],
        replica: str | None = None,
    ) -> None:
        if settings.notification_url is None:
            raise ValueError("the subscription manager needs the notification URL")
        self._bc = bc
        self._kv = kv
        self._settings = settings
        self._url: str = settings.notification_url
        self._states = client_states
        self._dispatcher = dispatcher
        self._stats = stats
        self._now = now
        self._sleep = sleep
        self.replica = replica or uuid.uuid4().hex[:12]
        self.lease = Lease(kv, LEASE_KEY, settings.lease_seconds, self.replica)
        self.report = Report()
        self._next_check: dt.datetime | None = None
        # Set whenever a report is there (after a pass here, or read from the lease holder).
        self.reported = asyncio.Event()

    # -- the loop ----------------------------------------------------------------------------

    async def run(self) -> None:
        """Take part in the election and, while holding the lease, keep BC's subscriptions right."""
        await take_turns(
            self.step,
            self.lease,
            pause_seconds=self._settings.lease_seconds / 3,
            sleep=self._sleep,
            failed=self._failed_step,
        )

    def _failed_step(self) -> None:
        self._stats.manager_errors += 1  # the subscriptions would expire if the loop ended

    async def step(self) -> None:
        """One turn: hold (or try to take) the lease; reconcile when due; read the shared report."""
        held = await holding(self.lease)
        if held and (self._next_check is None or self._now() >= self._next_check):
            try:
                await self.reconcile()
                self._next_check = self._now() + dt.timedelta(seconds=self._check_interval())
            except LeaseLost:
                log.warning("webhook_lease_lost during a pass")
            except BCError as error:
                self._stats.manager_errors += 1
                log.warning("webhook_manager_failed", extra={"bc_code": error.code})
                self._next_check = self._now() + dt.timedelta(seconds=_RETRY_SECONDS)
        if not self.lease.held:
            await self._read_report()

    def _check_interval(self) -> float:
        """Until the next pass: the check interval, or sooner when a renewal falls due."""
        seconds = self._settings.check_every_seconds
        margin = dt.timedelta(seconds=self._settings.renew_margin_seconds)
        for entry in self.report.subscriptions:
            if entry.get("expires"):
                due = dt.datetime.fromisoformat(entry["expires"]) - margin - self._now()
                seconds = min(seconds, max(_RETRY_SECONDS, due.total_seconds()))
        return seconds

    # -- one pass ----------------------------------------------------------------------------

    async def reconcile(self) -> Report:
        """Compare BC's subscriptions with the plan and make BC match it."""
        if self.report.checked_at is None:
            await self._read_report()  # a new holder goes on from what the last one found
        before = {entry["key"]: entry for entry in self.report.subscriptions}
        companies = [Company.from_row(row).id for row in await self._bc.fetch_companies()]
        offered = {
            (w.route.path, w.entity_set) for w in WATCHED if self._bc.capabilities.has(w.route, w.entity_set)
        }
        wanted = wanted_subscriptions(companies, offered)
        listed, foreign = await self._list({w.route for w in wanted})
        available = max(0, BC_SUBSCRIPTION_LIMIT - foreign)
        if len(wanted) > available:
            log.warning(
                "webhook_budget_exceeded",
                extra={"wanted": len(wanted), "available": available, "not_created": len(wanted) - available},
            )
        mine = await self._without_duplicates(listed, {w.key for w in wanted})
        entries = []
        for index, want in enumerate(wanted):
            if index >= available:
                detail = "BC's limit of 200 subscriptions is reached"
                entries.append(self._entry(want, "over_budget", detail=detail))
                continue
            entry = await self._keep(want, mine.get(want.key), before.get(want.key))
            entries.append(_active_since(entry, before.get(want.key)))
        self.report = Report(
            checked_at=_text(self._now()),
            leader=self.replica,
            budget={
                "limit": BC_SUBSCRIPTION_LIMIT,
                "others": foreign,
                "available": available,
                "wanted": len(wanted),
                "planned": min(len(wanted), available),
            },
            subscriptions=entries,
        )
        await self._write_report()
        self.reported.set()
        return self.report

    async def _list(self, routes: set[ApiRoute]) -> tuple[dict[ApiRoute, list[WebhookSubscription]], int]:
        """BC's subscriptions per route, and how many of them are not the gateway's."""
        listed: dict[ApiRoute, list[WebhookSubscription]] = {}
        foreign = 0
        for route in sorted(routes | {STANDARD_API}, key=lambda r: r.path):
            try:
                subscriptions = await self._bc.subscriptions.list(route)
            except BCNotFound:
                subscriptions = []  # a route without a subscriptions endpoint has none
            listed[route] = subscriptions
            foreign += sum(1 for s in subscriptions if not self._ours(s))
        return listed, foreign

    async def _without_duplicates(
        self, listed: dict[ApiRoute, list[WebhookSubscription]], wanted: set[str]
    ) -> dict[str, tuple[ApiRoute, WebhookSubscription]]:
        """The gateway's subscriptions by resource: one each; extra copies and unwanted ones deleted."""
        kept: dict[str, tuple[ApiRoute, WebhookSubscription]] = {}
        for route, subscriptions in listed.items():
            mine = sorted((s for s in subscriptions if self._ours(s)), key=lambda s: s.expires, reverse=True)
            for subscription in mine:
                key = resource_key(subscription.resource)
                if key in wanted and key not in kept:
                    kept[key] = (route, subscription)
                    continue
                await self._delete(route, subscription)
        return kept

    async def _keep(
        self, want: Wanted, found: tuple[ApiRoute, WebhookSubscription] | None, before: dict[str, Any] | None
    ) -> dict[str, Any]:
        """Make sure ``want`` exists and lives long enough; its report entry."""
        state = self._states.for_resource(want.company_id, want.route_name, want.entity_set)
        if found is not None:
            _, subscription = found
            margin = dt.timedelta(seconds=self._settings.renew_margin_seconds)
            stale = subscription.client_state != state
            if not stale and subscription.expires - self._now() > margin:
                return self._entry(want, "active", subscription)
            try:
                await self._check_lease()
                renewed = await self._bc.subscriptions.renew(subscription, state, want.route)
            except BCNotFound:
                log.info("webhook_subscription_forgotten", extra={"entity_set": want.entity_set})
            except BCRequestRejected as error:
                return self._failed(want, "renewal_refused", error)
            else:
                self._stats.subscriptions_renewed += 1
                return self._entry(want, "active", renewed)
        return await self._create(want, state, lost=found is not None or _was_active(before), before=before)

    async def _create(
        self, want: Wanted, state: str, *, lost: bool, before: dict[str, Any] | None
    ) -> dict[str, Any]:
        await self._check_lease()
        try:
            created = await self._bc.subscriptions.create(self._url, want.resource, state, want.route)
        except BCRequestRejected as error:
            return self._failed(want, "refused", error)
        self._stats.subscriptions_created += 1
        if lost:
            # BC forgot it: whatever changed since it was last seen alive was never notified.
            self._stats.subscriptions_recreated += 1
            seen = before.get("seenAt") if before else None
            since = dt.datetime.fromisoformat(seen) if seen else None
            await self._dispatcher.resync(
                ResourceResync(
                    want.company_id, want.route_name, want.entity_set, since, "subscription_recreated"
                )
            )
        return self._entry(want, "active", created)

    async def _delete(self, route: ApiRoute, subscription: WebhookSubscription) -> None:
        await self._check_lease()
        try:
            await self._bc.subscriptions.delete(subscription, route)
        except BCNotFound:
            return
        self._stats.subscriptions_deleted += 1

    def _failed(self, want: Wanted, state: str, error: BCError) -> dict[str, Any]:
        self._stats.manager_errors += 1
        log.warning(
            "webhook_subscription_refused", extra={"entity_set": want.entity_set, "bc_code": error.code}
        )
        return self._entry(want, state, detail=f"{error.code}: {error}")

    def _ours(self, subscription: WebhookSubscription) -> bool:
        return subscription.notification_url.rstrip("/") == self._url.rstrip("/")

    async def _check_lease(self) -> None:
        """Before each change in BC: is this replica still the one in charge?"""
        if not await self.lease.renew():
            raise LeaseLost

    # -- the shared report -------------------------------------------------------------------

    async def _write_report(self) -> None:
        ttl = 3 * self._settings.check_every_seconds
        try:
            await self._kv.put(STATE_KEY, json.dumps(self.report.as_json()).encode(), ttl_seconds=ttl)
        except StoreUnavailable:
            log.warning("webhook_report_not_shared: the shared store does not answer")

    async def _read_report(self) -> None:
        try:
            raw = await self._kv.get(STATE_KEY)
        except StoreUnavailable:
            return
        if raw is None:
            return
        body = json.loads(raw)
        self.report = Report(body["checkedAt"], body["leader"], body["budget"], body["subscriptions"])
        self.reported.set()

    def _entry(
        self,
        want: Wanted,
        state: str,
        subscription: WebhookSubscription | None = None,
        *,
        detail: str | None = None,
    ) -> dict[str, Any]:
        return _entry(want, state, subscription, detail, self._now())


def _entry(
    want: Wanted, state: str, subscription: WebhookSubscription | None, detail: str | None, now: dt.datetime
) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "key": want.key,
        "company": str(want.company_id),
        "route": want.route_name,
        "entitySet": want.entity_set,
        "state": state,
    }
    if subscription is not None:
        entry.update(
            {
                "subscriptionId": subscription.subscription_id,
                "expires": _text(subscription.expires),
                "seenAt": _text(now),
            }
        )
    if detail is not None:
        entry["detail"] = detail[:300]
    return entry


def _active_since(entry: dict[str, Any], before: dict[str, Any] | None) -> dict[str, Any]:
    """``entry`` with ``activeSince``: when its subscription became active without a gap since —
    kept from the last pass while it is the same subscription and was active then, else now.
    The answer cache keeps answers long only if read since then (``coverage.py``)."""
    if entry["state"] != "active":
        return entry
    since = entry["seenAt"]
    if before is not None and _was_active(before) and before.get("subscriptionId") == entry["subscriptionId"]:
        since = before.get("activeSince") or since
    return {**entry, "activeSince": since}


def _was_active(before: dict[str, Any] | None) -> bool:
    return before is not None and before.get("state") == "active"


def _text(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat()
