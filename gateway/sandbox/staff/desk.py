"""One staff action's working context: the company, its tables, the undo journal, the webhooks."""

from __future__ import annotations

import datetime as dt
import random
import uuid
from dataclasses import dataclass, field
from typing import Any

from gateway.sandbox.body import bc_timestamp
from gateway.sandbox.journal import UndoJournal
from gateway.sandbox.rules import WriteContext
from gateway.sandbox.state import Sandbox
from gateway.sandbox.store import STANDARD_ROUTE, Row
from gateway.sandbox.webhooks.capture import notify
from gateway.sandbox.webhooks.feed import ChangeType


class StaffError(Exception):
    """An action that cannot be done (nothing to ship, an unknown order …): ``status`` says which
    kind (404 nothing found, 409 not in a state that allows it, 400 a bad option)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass
class Desk:
    """A member of staff at work in one company: reads and changes its tables through one journal."""

    sandbox: Sandbox
    company_id: str
    rng: random.Random
    journal: UndoJournal = field(default_factory=UndoJournal)
    changes: list[dict[str, Any]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.moment = self.sandbox.now()
        self.now = bc_timestamp(self.moment)
        self.today: dt.date = self.sandbox.config.today or self.moment.date()

    def context(self, route: str = STANDARD_ROUTE) -> WriteContext:
        """A write context on ``route``, sharing this action's journal (and so its undo)."""
        served = self.sandbox.config.route(route)
        if served is None:
            raise StaffError(409, f"This Business Central does not serve api/{route}.")
        return WriteContext(
            store=self.sandbox.store,
            model=self.sandbox.model(served),
            route=route,
            company_id=self.company_id,
            journal=self.journal,
            today=self.today,
            now=self.now,
            webhooks=self.sandbox.webhooks,
        )

    def table(self, entity_set: str, route: str = STANDARD_ROUTE) -> list[Row]:
        return self.sandbox.store.table(self.company_id, route, entity_set)

    def has(self, entity_set: str, route: str = STANDARD_ROUTE) -> bool:
        return entity_set in self.sandbox.store.entity_sets(self.company_id, route)

    def new_id(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def insert(self, entity_set: str, row: Row, route: str = STANDARD_ROUTE) -> Row:
        self.journal.insert(self.table(entity_set, route), row)
        self._changed(route, entity_set, row, ChangeType.CREATED)
        return row

    def update(self, entity_set: str, row: Row, changes: dict[str, Any], route: str = STANDARD_ROUTE) -> None:
        self.journal.update(row, changes)
        self._changed(route, entity_set, row, ChangeType.UPDATED)

    def delete(self, entity_set: str, row: Row, route: str = STANDARD_ROUTE) -> None:
        self.journal.delete(self.table(entity_set, route), row)
        self._changed(route, entity_set, row, ChangeType.DELETED)

    def _changed(self, route: str, entity_set: str, row: Row, change: ChangeType) -> None:
        notify(self.context(route), entity_set, row, change)
        entry = {"route": route, "entitySet": entity_set, "changeType": change.value}
        key = next((name for name in ("id", "itemId", "shipmentId") if name in row), None)
        if key is not None:
            entry[key] = row[key]
        if "number" in row:
            entry["number"] = row["number"]
        self.changes.append(entry)


def find(rows: list[Row], field_name: str, value: Any) -> Row | None:
    wanted = str(value).lower()
    return next((r for r in rows if str(r.get(field_name, "")).lower() == wanted), None)
