"""Pending notifications: every change to a subscribed entity set, until BC's job sends it.

Changes are kept as they happen, per subscription, and aggregated only when the job runs, by
BC's own rules (codeunit 6154 "API Webhook Notification Send"): repeated updates of one record
become one ``updated`` (the latest time); once ``max_notifications`` records are pending, the
whole lot becomes one ``collection`` notification, filtered to the records modified since the
first change (50 ms earlier), or unfiltered when a record was deleted.  Keeping raw changes lets a
rolled-back write take its changes back (``UndoJournal.on_undo``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum

# Raw changes one subscription may hold before they are folded into a collection for good.
_FOLD_FACTOR = 100
# BC filters a collection from 50 ms before the first change ("SQL rounds in a different way").
_FILTER_MARGIN = dt.timedelta(milliseconds=50)


class ChangeType(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    DELETED = "deleted"
    COLLECTION = "collection"


@dataclass(frozen=True, eq=False)  # identity: an undo removes exactly its own change
class Change:
    key: str
    change_type: ChangeType
    at: dt.datetime
    origin: object | None = None  # the write (its undo journal) that made the change


@dataclass(frozen=True)
class Notification:
    """One aggregated entry of a notification body, before its subscription's fields are added."""

    key: str | None  # None for a collection
    change_type: ChangeType
    at: dt.datetime
    since: dt.datetime | None = None  # a collection's filter, when it has one


@dataclass
class _Folded:
    first: dt.datetime
    last: dt.datetime
    deleted: bool


@dataclass
class Pending:
    """One subscription's changes not yet delivered, and its failed delivery attempts."""

    changes: list[Change] = field(default_factory=list)
    folded: _Folded | None = None
    attempts: int = 0
    retry_at: dt.datetime | None = None

    def add(self, change: Change, max_notifications: int) -> None:
        if change.change_type is ChangeType.UPDATED and self._created_by(change):
            return  # a line added to a header the same write created: one "created" says it
        self.changes.append(change)
        if len(self.changes) > _FOLD_FACTOR * max_notifications:
            self._fold()

    def _created_by(self, change: Change) -> bool:
        return change.origin is not None and any(
            c.key == change.key and c.change_type is ChangeType.CREATED and c.origin is change.origin
            for c in reversed(self.changes)
        )

    def discard(self, change: Change) -> None:
        self.changes = [c for c in self.changes if c is not change]

    @property
    def empty(self) -> bool:
        return not self.changes and self.folded is None

    def take(self, max_notifications: int) -> list[Notification]:
        """BC's aggregation of everything pending, oldest first; the changes leave ``self``."""
        ordered = sorted(self.changes, key=lambda c: c.at)
        self.changes = []
        if self.folded is not None:
            for change in ordered:
                self._extend(change)
            return [self._take_collection()]
        entries: list[Notification] = []
        last_of: dict[str, int] = {}
        for position, change in enumerate(ordered):
            index = last_of.get(change.key)
            merges = index is not None and entries[index].change_type is ChangeType.UPDATED
            if change.change_type is ChangeType.UPDATED and index is not None and merges:
                entries[index] = Notification(change.key, ChangeType.UPDATED, change.at)
                continue
            if len(entries) >= max_notifications:
                deleted = any(e.change_type is ChangeType.DELETED for e in entries)
                self.folded = _Folded(entries[0].at, change.at, deleted)
                for later in ordered[position:]:
                    self._extend(later)
                return [self._take_collection()]
            last_of[change.key] = len(entries)
            entries.append(Notification(change.key, change.change_type, change.at))
        return entries

    def restore(self, notifications: list[Notification]) -> None:
        """Put back what a failed delivery took, ahead of the changes made since."""
        for notification in notifications:
            if notification.key is None:
                first = notification.since + _FILTER_MARGIN if notification.since else notification.at
                self.folded = _Folded(first, notification.at, notification.since is None)
            else:
                self.changes.append(Change(notification.key, notification.change_type, notification.at))

    def _fold(self) -> None:
        ordered = sorted(self.changes, key=lambda c: c.at)
        self.folded = _Folded(ordered[0].at, ordered[0].at, False)
        for change in ordered:
            self._extend(change)
        self.changes = []

    def _extend(self, change: Change) -> None:
        if self.folded is None:
            raise RuntimeError("nothing folded to extend")
        self.folded.last = max(self.folded.last, change.at)
        self.folded.deleted = self.folded.deleted or change.change_type is ChangeType.DELETED

    def _take_collection(self) -> Notification:
        folded, self.folded = self.folded, None
        if folded is None:
            raise RuntimeError("nothing folded to take")
        since = None if folded.deleted else folded.first - _FILTER_MARGIN
        return Notification(None, ChangeType.COLLECTION, folded.last, since)
