"""The change poller: BC's changes learned by reading them, when its webhooks cannot reach the gateway.

One replica polls — the holder of the lease ``changes:poller`` in the shared store, renewed at
every interval — every company at once: per company and followed entity set (``plan.WATCHED``,
those the tenant has), the records modified since the set's watermark (``watermark.py``), read
with the owner's identifiers (``BCClient.changes``: one ``$batch`` per API route for all
companies).  Each change goes through the same path as a webhook notification (``Dispatcher``:
the answer cache forgets it for the record's owner, then it is published on ``bc-events:{company}``
for the GraphQL subscriptions); more than ``limit`` changes of a set at once are a resync of it,
as BC's ``collection``.  Every ``roll_call_every`` polls the ids of every sales order are read
too: an order known open and gone from them was deleted (docs/changes.md, "Deletions").

A poll is the least urgent BC call: put off (twice in a row at most) while other requests wait for
a turn, tried once, and after a failure (429, 5xx, BC away) the next one waits, doubling up to
``max_backoff_seconds`` or BC's ``Retry-After``.  What polling covers — per company, since when
its unbroken run of polls began, and whether the last poll succeeded — is the report every
replica reads from the store (``poll_coverage.py``): a failed poll ends the longer times to live
at once, everywhere within an interval.
"""

from __future__ import annotations

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
    BCThrottled,
    ChangedRecord,
    ChangeRead,
    Company,
    ReadKind,
)
from gateway.store import KeyValue, StoreUnavailable
from gateway.webhooks.dispatch import Dispatcher
from gateway.webhooks.events import ChangeType, RecordChanged, ResourceResync
from gateway.webhooks.lease import Lease, holding, take_turns
from gateway.webhooks.plan import WATCHED
from gateway.webhooks.settings import ChangePollSettings
from gateway.webhooks.stats import WebhookStats
from gateway.webhooks.watermark import CompanyMarks, SetMark

log = logging.getLogger("gateway.webhooks")

LEASE_KEY = "changes:poller"
REPORT_KEY = "changes:report"
MARKS_SECONDS = 24 * 3600.0  # a company's marks unused this long are gone: polling starts afresh
_DEFERRALS = 2  # polls put off in a row while other requests wait, at most
# Before any record: the watermark of a set that has none yet.
_FLOOR = dt.datetime(1900, 1, 1, tzinfo=dt.UTC)
_ORDERS = "salesOrders"


def marks_key(company: uuid.UUID) -> str:
    return f"changes:poll:{company}"


# A company's coverage: entity set polled → since when (wall-clock seconds).
Covered = dict[str, float]


@dataclass
class PollReport:
    """What the last poll found: when it last succeeded, whether the latest failed, and per
    company what polling covers (``/readyz``; every replica reads it from the store)."""

    polled_at: float | None = None
    failing: bool = False
    leader: str | None = None
    companies: dict[uuid.UUID, Covered] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "polledAt": self.polled_at,
            "failing": self.failing,
            "leader": self.leader,
            "companies": {
                str(company): dict(sorted(covered.items())) for company, covered in self.companies.items()
            },
        }

    @classmethod
    def from_json(cls, body: dict[str, Any]) -> PollReport:
        companies = {
            uuid.UUID(company): {name: float(since) for name, since in covered.items()}
            for company, covered in body["companies"].items()
        }
        return cls(body["polledAt"], bool(body["failing"]), body["leader"], companies)


@dataclass(frozen=True)
class _Planned:
    company: uuid.UUID
    route: ApiRoute
    entity_set: str
    kind: ReadKind


class ChangePoller:
    """``now``: the wall clock (seconds; answers are dated by it); ``sleep`` waits an interval."""

    def __init__(
        self,
        bc: BCClient,
        kv: KeyValue,
        settings: ChangePollSettings,
        dispatcher: Dispatcher,
        stats: WebhookStats,
        *,
        now: Callable[[], float],
        sleep: Callable[[float], Awaitable[None]],
        replica: str | None = None,
    ) -> None:
        self._bc = bc
        self._kv = kv
        self._settings = settings
        self._dispatcher = dispatcher
        self._stats = stats
        self._now = now
        self._sleep = sleep
        self.replica = replica or uuid.uuid4().hex[:12]
        self.lease = Lease(kv, LEASE_KEY, settings.lease_seconds, self.replica)
        self.report = PollReport()
        self._marks: dict[uuid.UUID, CompanyMarks] = {}
        self._companies: list[uuid.UUID] | None = None
        self._companies_read = -1  # at which of this replica's polls (not again when one is retried)
        self._polls = 0  # this replica's successful polls (the companies are read again now and then)
        self._failures = 0
        self._deferred = 0
        self._next_poll = float("-inf")

    # -- the loop ----------------------------------------------------------------------------

    async def run(self) -> None:
        """Take part in the election and, while holding the lease, poll every interval."""
        await take_turns(
            self.step,
            self.lease,
            pause_seconds=self._settings.every_seconds,
            sleep=self._sleep,
            failed=self._failed_step,
        )

    def _failed_step(self) -> None:
        self._stats.polls_failed += 1  # a bug: coverage simply lapses until polls succeed again

    async def step(self) -> None:
        """One interval: hold (or try to take) the lease; poll when due; else read the report."""
        was_held = self.lease.held
        held = await holding(self.lease)
        if not held:
            await self._read_report()
            return
        if not was_held:
            self._marks.clear()  # the last holder's marks, from the store, are newer than ours
        if self._now() < self._next_poll:
            return
        if self._bc.load().queued > 0 and self._deferred < _DEFERRALS:
            self._deferred += 1  # customers' requests are waiting for a turn: they go first
            self._stats.polls_deferred += 1
            return
        self._deferred = 0
        await self.poll()

    # -- one poll ----------------------------------------------------------------------------

    async def poll(self) -> bool:
        """Read every company's changes and hand them on; ``False`` when BC did not answer."""
        try:
            companies = await self._company_ids()
            working = {company: (await self._marks_of(company)).copy() for company in companies}
            sets = self._followed()
            planned = [read for company in companies for read in self._plan(company, working[company], sets)]
            outcomes = await self._bc.changes.read(
                [self._read(working[p.company], p) for p in planned],
                deadline_seconds=self._settings.timeout_seconds,
            )
            records = [_answered(outcome) for outcome in outcomes]
        except BCError as error:
            await self._failed(error)
            return False
        answered_at = self._now()
        changes, resyncs = self._apply(working, planned, records, answered_at)
        for resync in resyncs:
            await self._dispatcher.resync(resync)
        await self._dispatcher.process_changes(changes)
        await self._succeeded(working, answered_at)
        return True

    def _plan(
        self, company: uuid.UUID, marks: CompanyMarks, sets: list[tuple[ApiRoute, str]]
    ) -> list[_Planned]:
        planned = [
            _Planned(company, route, name, ReadKind.SINCE if name in marks.sets else ReadKind.NEWEST)
            for route, name in sets
        ]
        due = marks.orders is None or marks.polls % self._settings.roll_call_every == 0
        if due and (STANDARD_API, _ORDERS) in sets:
            # After the orders' changes: an order they saw and the roll call lacks was deleted.
            planned.append(_Planned(company, STANDARD_API, _ORDERS, ReadKind.ALL))
        return planned

    def _read(self, marks: CompanyMarks, planned: _Planned) -> ChangeRead:
        mark = marks.sets.get(planned.entity_set)
        since = mark.since - dt.timedelta(seconds=self._settings.overlap_seconds) if mark else None
        return ChangeRead(
            planned.company, planned.route, planned.entity_set, planned.kind, since, self._settings.limit
        )

    def _apply(
        self,
        working: dict[uuid.UUID, CompanyMarks],
        planned: list[_Planned],
        answers: list[list[ChangedRecord]],
        answered_at: float,
    ) -> tuple[list[RecordChanged], list[ResourceResync]]:
        """The changes and resyncs ``answers`` hold; ``working`` moved on past them."""
        overlap = dt.timedelta(seconds=self._settings.overlap_seconds)
        changes: list[RecordChanged] = []
        resyncs: list[ResourceResync] = []
        for read, records in zip(planned, answers, strict=True):
            marks = working[read.company]
            route = read.route.path.removeprefix("api/")
            if read.kind is ReadKind.NEWEST:
                # Where BC is now.  The next poll reads back an overlap of history, and covers
                # answers read from then on (docs/changes.md, "The first polls").
                newest = max((r.last_modified for r in records), default=_FLOOR)
                marks.sets[read.entity_set] = SetMark(newest)
            elif read.kind is ReadKind.SINCE:
                mark = marks.sets[read.entity_set]
                since = mark.since
                new = mark.take(records, overlap, answered_at)
                if read.entity_set == _ORDERS:
                    marks.saw_orders(records)
                if len(records) > self._settings.limit:
                    self._stats.polled_collections += 1
                    resyncs.append(ResourceResync(read.company, route, read.entity_set, since, "collection"))
                else:
                    changes.extend(_changed(read.company, route, read.entity_set, record) for record in new)
            else:
                self._stats.roll_calls += 1
                moment = dt.datetime.fromtimestamp(answered_at, dt.UTC)
                for owner in marks.roll_call(records):
                    self._stats.polled_deletions += 1
                    changes.append(
                        RecordChanged(
                            read.company, route, _ORDERS, owner.record_id, ChangeType.DELETED, moment, owner
                        )
                    )
        self._stats.polled_changes += len(changes)
        return changes, resyncs

    async def _succeeded(self, working: dict[uuid.UUID, CompanyMarks], answered_at: float) -> None:
        self._polls += 1
        self._failures = 0
        self._stats.polls += 1
        for company, marks in working.items():
            marks.polls += 1
            self._marks[company] = marks
        self.report = PollReport(
            polled_at=answered_at,
            failing=False,
            leader=self.replica,
            companies={
                company: {name: mark.began for name, mark in marks.sets.items() if mark.began is not None}
                for company, marks in working.items()
            },
        )
        try:
            await self._kv.put_many(
                {marks_key(company): marks.encode() for company, marks in working.items()},
                ttl_seconds=MARKS_SECONDS,
            )
        except StoreUnavailable:
            log.warning("change_poll_marks_not_shared: the shared store does not answer")
        await self._write_report()

    async def _failed(self, error: BCError) -> None:
        self._failures += 1
        self._stats.polls_failed += 1
        backoff = min(self._settings.max_backoff_seconds, self._settings.every_seconds * 2**self._failures)
        if isinstance(error, BCThrottled) and error.retry_after:
            backoff = max(backoff, min(float(error.retry_after), self._settings.max_backoff_seconds))
        self._next_poll = self._now() + backoff
        log.warning("change_poll_failed", extra={"bc_code": error.code, "backoff_seconds": backoff})
        # Changes are not being seen now: the long times to live end at once.
        self.report = PollReport(self.report.polled_at, True, self.replica, self.report.companies)
        await self._write_report()

    # -- what is polled ----------------------------------------------------------------------

    def _followed(self) -> list[tuple[ApiRoute, str]]:
        """The watched entity sets this tenant has."""
        return [(w.route, w.entity_set) for w in WATCHED if self._bc.capabilities.has(w.route, w.entity_set)]

    async def _company_ids(self) -> list[uuid.UUID]:
        """The environment's companies: read at the first poll and with each roll call."""
        due = self._polls % self._settings.roll_call_every == 0 and self._companies_read != self._polls
        if self._companies is None or due:
            self._companies = [Company.from_row(row).id for row in await self._bc.fetch_companies()]
            self._companies_read = self._polls
        return self._companies

    async def _marks_of(self, company: uuid.UUID) -> CompanyMarks:
        """This holder's marks of ``company``; else the last holder's, from the store; else none
        yet (its first poll sets them)."""
        found = self._marks.get(company)
        if found is not None:
            return found
        try:
            raw = await self._kv.get(marks_key(company))
        except StoreUnavailable:
            raw = None
        return CompanyMarks.decode(raw) if raw is not None else CompanyMarks()

    # -- the shared report -------------------------------------------------------------------

    async def _write_report(self) -> None:
        body = json.dumps(self.report.as_json()).encode()
        try:
            await self._kv.put(REPORT_KEY, body, ttl_seconds=self._settings.stale_after_seconds * 2)
        except StoreUnavailable:
            log.warning("change_poll_report_not_shared: the shared store does not answer")

    async def _read_report(self) -> None:
        try:
            raw = await self._kv.get(REPORT_KEY)
        except StoreUnavailable:
            return
        self.report = PollReport.from_json(json.loads(raw)) if raw is not None else PollReport()


def _answered(outcome: list[ChangedRecord] | BCError) -> list[ChangedRecord]:
    if isinstance(outcome, BCError):
        raise outcome
    return outcome


def _changed(company: uuid.UUID, route: str, entity_set: str, record: ChangedRecord) -> RecordChanged:
    change = ChangeType.CREATED if record.created else ChangeType.UPDATED
    owner = record.owner
    return RecordChanged(company, route, entity_set, owner.record_id, change, record.last_modified, owner)
