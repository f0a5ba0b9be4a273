"""What BC's AL code does on top of storing a row: one ``Rules`` object per entity set.

The generic write path (``writes.py``) checks the request against the EDMX and stores rows; the
rules fill in what BC computes (numbers, prices, totals) and refuse what BC's AL code refuses.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from gateway.sandbox.edm import EdmModel
from gateway.sandbox.journal import UndoJournal
from gateway.sandbox.store import Row, SandboxStore
from gateway.sandbox.webhooks.service import Webhooks


@dataclass(frozen=True)
class WriteContext:
    """One write request (or one operation of a ``$batch``)."""

    store: SandboxStore
    model: EdmModel
    route: str
    company_id: str
    journal: UndoJournal
    today: dt.date
    now: str  # BC timestamp of this request, for lastModifiedDateTime and createdDateTime
    webhooks: Webhooks | None = None  # notified of every change (webhooks/capture.py)

    def table(self, entity_set: str, route: str | None = None) -> list[Row]:
        return self.store.table(self.company_id, route or self.route, entity_set)


class Rules:
    """No business logic: the row is stored as the client sent it (within the EDMX's rules)."""

    def on_insert(self, ctx: WriteContext, row: Row, given: dict[str, Any], parent: Row | None) -> None:
        """Fill computed fields of a new ``row`` (``given``: the values the client sent) or refuse it."""

    def after_insert(self, ctx: WriteContext, row: Row) -> None:
        """React to ``row`` having been stored (e.g. a line updating its header's totals)."""

    def on_update(self, ctx: WriteContext, row: Row, changes: dict[str, Any]) -> dict[str, Any]:
        """Further changes that follow from ``changes`` to ``row`` (recomputed amounts)."""
        return {}

    def after_change(self, ctx: WriteContext, row: Row) -> None:
        """React to ``row`` having been updated or deleted."""


NO_RULES = Rules()
