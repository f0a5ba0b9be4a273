"""The sandbox's tables: rows in Business Central's JSON shape, per company and API route.

See ``docs/sandbox.md`` for the row contract (which Python type each EDM type is held as).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

Row = dict[str, Any]

STANDARD_ROUTE = "v2.0"
ANALYTICS_ROUTE = "microsoft/analytics/v1.0"
PORTAL_ROUTE = "bcgateway/portal/v1.0"


@dataclass
class SandboxStore:
    """Everything the sandbox knows.  Mutable: writes (POST, PATCH, DELETE) change it in place."""

    companies: list[Row]
    _tables: dict[tuple[str, str, str], list[Row]] = field(default_factory=dict)
    # (company id, route, entity set) → the last number handed out by that set's number series.
    # Writes continue from here (BC's "Last No. Used"); without an entry, from the table's highest.
    last_numbers: dict[tuple[str, str, str], str] = field(default_factory=dict)

    def table(self, company_id: str, route: str, entity_set: str) -> list[Row]:
        """The rows of one entity set in one company; an empty, attached list if there are none yet."""
        return self._tables.setdefault((company_id.lower(), route, entity_set), [])

    def put_table(self, company_id: str, route: str, entity_set: str, rows: Iterable[Row]) -> None:
        self._tables[(company_id.lower(), route, entity_set)] = list(rows)

    def company(self, company_id: str) -> Row | None:
        wanted = company_id.lower()
        return next((c for c in self.companies if c["id"] == wanted), None)

    def entity_sets(self, company_id: str, route: str) -> list[str]:
        wanted = company_id.lower()
        return sorted(s for (c, r, s) in self._tables if c == wanted and r == route)

    def stamp_no_later_than(self, now: str) -> int:
        """Move every ``lastModifiedDateTime`` later than ``now`` (a BC timestamp) back to it: the
        demo world dates today's records at working hours, which may be ahead of the sandbox's
        clock, and BC never stamps a record in the future (a change poller reading
        ``lastModifiedDateTime gt …`` would miss what changes now).  How many moved."""
        moment = _moment(now)
        moved = 0
        for rows in self._tables.values():
            for row in rows:
                stamp = row.get("lastModifiedDateTime")
                if isinstance(stamp, str) and stamp[:10] >= now[:10] and _moment(stamp) > moment:
                    row["lastModifiedDateTime"] = now
                    moved += 1
        return moved


def _moment(stamp: str) -> dt.datetime:
    moment = dt.datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
