"""Where the change poller is in a company's entity sets, and what it has seen (docs/changes.md).

Per entity set, a watermark: the newest ``lastModifiedDateTime`` a poll has seen.  The next poll
reads from the watermark less an overlap, because BC stamps a record when it changes it and
commits later: a posting that takes a few seconds commits records older than one a quicker
transaction committed meanwhile.  What the overlap brings back again is recognised by (id,
``lastModifiedDateTime``) and handed on once; a record changed again has a new time.

The marks live in the shared store (``changes:poll:{company}``), written after each poll, so a
replica that takes the poller's lease over goes on where the last one stopped.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from gateway.bc import ChangedRecord, RecordOwner

# (number, customer number) of an open sales order, by its id.
OpenOrders = dict[str, tuple[str | None, str | None]]


@dataclass
class SetMark:
    """One entity set's watermark, the records seen within the overlap below it, and when this
    unbroken run of polls of the set began (wall-clock seconds): answers read since then are
    kept long while polls go on."""

    since: dt.datetime
    began: float | None = None  # None: not yet (the first poll only marks where BC is)
    seen: dict[str, dt.datetime] = field(default_factory=dict)

    def take(
        self, records: Sequence[ChangedRecord], overlap: dt.timedelta, now: float
    ) -> list[ChangedRecord]:
        """Those of ``records`` not seen before (by id and time); all of them remembered, the
        watermark moved to the newest.  The first time (the run of polls begins ``now``), none
        that is not newer than the mark the first poll set: the overlap brings back history."""
        new = [r for r in records if self.seen.get(r.owner.record_id) != r.last_modified]
        if self.began is None:
            new = [r for r in new if r.last_modified > self.since]
            self.began = now
        for record in records:
            self.seen[record.owner.record_id] = record.last_modified
        self.since = max([self.since, *(r.last_modified for r in records)])
        floor = self.since - overlap
        self.seen = {key: stamp for key, stamp in self.seen.items() if stamp >= floor}
        return new


@dataclass
class CompanyMarks:
    """A company's marks, per entity set; ``orders``: the open orders the last roll call found,
    with those polls saw since (``None`` before the first roll call)."""

    sets: dict[str, SetMark] = field(default_factory=dict)
    orders: OpenOrders | None = None
    polls: int = 0

    def copy(self) -> CompanyMarks:
        """A copy a poll can move on without touching these (kept only if the poll succeeds):
        the containers copied, the immutable moments and tuples in them shared."""
        sets = {name: dataclasses.replace(mark, seen=dict(mark.seen)) for name, mark in self.sets.items()}
        return CompanyMarks(sets, dict(self.orders) if self.orders is not None else None, self.polls)

    def saw_orders(self, records: Sequence[ChangedRecord]) -> None:
        if self.orders is not None:
            for record in records:
                self.orders[record.owner.record_id] = _identifiers(record.owner)

    def roll_call(self, records: Sequence[ChangedRecord]) -> list[RecordOwner]:
        """The orders known open that ``records`` (every order BC has now) lack: deleted.  The
        open orders are those of ``records`` from now on."""
        current = {r.owner.record_id: _identifiers(r.owner) for r in records}
        known, self.orders = self.orders, current
        if known is None:
            return []
        return [
            RecordOwner(record_id, number, customer)
            for record_id, (number, customer) in known.items()
            if record_id not in current
        ]

    def encode(self) -> bytes:
        body: dict[str, Any] = {
            "polls": self.polls,
            "sets": {
                name: {
                    "since": _text(mark.since),
                    "began": mark.began,
                    "seen": {k: _text(v) for k, v in mark.seen.items()},
                }
                for name, mark in self.sets.items()
            },
            "orders": self.orders,
        }
        return json.dumps(body, separators=(",", ":")).encode()

    @classmethod
    def decode(cls, raw: bytes) -> CompanyMarks:
        body = json.loads(raw)
        sets = {
            name: SetMark(
                _moment(mark["since"]), mark["began"], {k: _moment(v) for k, v in mark["seen"].items()}
            )
            for name, mark in body["sets"].items()
        }
        orders = body["orders"]
        return cls(
            sets,
            {key: (value[0], value[1]) for key, value in orders.items()} if orders is not None else None,
            int(body["polls"]),
        )


def _identifiers(owner: RecordOwner) -> tuple[str | None, str | None]:
    return owner.number, owner.customer_number


def _text(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat()


def _moment(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)
