"""What changed in BC: the change poller's read, for when BC's webhooks cannot reach the gateway.

BC API v2.0 has no delta links, but every entity set the gateway follows has
``lastModifiedDateTime`` (the record's ``SystemModifiedAt``), filterable and sortable (REFERENCE
§3.2).  A poll reads, per entity set, the records modified after a watermark, oldest first and at
most ``limit`` + 1 of them (one more than ``limit`` says "more than that changed"); or the newest
record alone (where BC is now, the first poll's watermark); or every record (a roll call, which
finds deleted ones by their absence).  Like ``RecordOwners.read`` it is a read of customer-owned
sets without a customer filter, so it asks for identifiers only — the id, what names the owner
(``OWNED_RECORDS``) and ``lastModifiedDateTime`` — and answers nothing else.

The reads of one route go in one ``$batch`` (every company's together); each is tried once: the
poller's next turn is its retry, after a back-off (a poll is the gateway's least urgent call).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, Any
from uuid import UUID

from ._audit import CallContext
from ._calls import _Call, _Paged
from ._deadline import Deadline
from ._entity import reader_for
from ._errors import BCError, BCProtocolError
from ._odata import MAX_TOP, Field, Query
from ._owners import OwnerFields, RecordOwner, RecordOwners, _owner, _required
from ._owners import _select as _owner_select
from ._settings import ApiRoute

if TYPE_CHECKING:
    from ._client import BCClient

__all__ = ["ChangeRead", "ChangeReader", "ChangedRecord", "ReadKind"]

_OPERATION = "change-poll"
_STAMP = "lastModifiedDateTime"
# Whether a record a poll sees was created rather than changed (BC says neither): posted shipments
# and credit memos do not change once posted, so one seen is new; an invoice changes when it is
# paid, so it is new while nothing of it is paid (its remaining amount is its total).
_POSTED = frozenset({"salesShipments", "salesCreditMemos"})
_UNPAID = ("remainingAmount", "totalAmountIncludingTax")


class ReadKind(Enum):
    SINCE = "since"  # modified after ``since``, oldest first, at most ``limit`` + 1
    NEWEST = "newest"  # the most recently modified record
    ALL = "all"  # every record (a roll call)


@dataclass(frozen=True)
class ChangeRead:
    """One read of a poll: ``company_id``'s ``entity_set`` on ``route``."""

    company_id: UUID
    route: ApiRoute
    entity_set: str
    kind: ReadKind
    since: dt.datetime | None = None
    limit: int = 1000

    def query(self, fields: OwnerFields) -> Query:
        select = _select(fields, self.entity_set)
        if self.kind is ReadKind.NEWEST:
            return Query(self.entity_set, select=select, orderby=(f"{_STAMP} desc",), top=1)
        if self.kind is ReadKind.ALL:
            return Query(self.entity_set, select=select)
        if self.since is None:
            raise ValueError("a read of changes since a moment needs the moment")
        return Query(
            self.entity_set,
            filter=Field(_STAMP).gt(self.since),
            select=select,
            orderby=(f"{_STAMP} asc",),
            top=self.limit + 1,
        )


@dataclass(frozen=True)
class ChangedRecord:
    """A record as a poll saw it: whose it is, when BC last stamped it, and whether it looks
    newly created (a posted document seen for the first time)."""

    owner: RecordOwner
    last_modified: dt.datetime
    created: bool = False


class ChangeReader:
    """The change poller's reads of one BC client (``BCClient.changes``)."""

    def __init__(self, client: BCClient) -> None:
        self._client = client

    @staticmethod
    def follows(route: ApiRoute, entity_set: str) -> bool:
        """Whether ``entity_set`` on ``route`` names its records' owners (a set changes follow)."""
        return RecordOwners.fields(route, entity_set) is not None

    async def read(
        self, reads: Sequence[ChangeRead], *, deadline_seconds: float
    ) -> list[list[ChangedRecord] | BCError]:
        """Each read's records (or its error), in order: one ``$batch`` per route, tried once; after
        a route's failure the other routes are not asked (their reads carry that failure)."""
        client = self._client
        deadline = Deadline(deadline_seconds, client.clock.now)
        context = CallContext(operation=_OPERATION)
        outcomes: dict[int, list[ChangedRecord] | BCError] = {}
        for route in dict.fromkeys(read.route for read in reads):
            pending = []
            for index, read in enumerate(reads):
                if read.route == route:
                    client.capabilities.require(route, read.entity_set)
                    pending.append((index, self._paged(read, context, deadline)))
            batch_call = _Call(context, route, "$batch", deadline=deadline, retried=False)
            for index, outcome in await client._fetch_paged(pending, route, batch_call):
                outcomes[index] = outcome if isinstance(outcome, BCError) else _records(reads[index], outcome)
            failed = next((o for o in outcomes.values() if isinstance(o, BCError)), None)
            if failed is not None:  # BC refused (429) or is away: ask it nothing more now
                return [outcomes.get(index, failed) for index in range(len(reads))]
        return [outcomes[index] for index in range(len(reads))]

    def _paged(self, read: ChangeRead, context: CallContext, deadline: Deadline) -> _Paged:
        query = read.query(_fields(read))
        path = f"companies({read.company_id})/{read.entity_set}"
        url = f"{self._client.settings.route_url(read.route)}/{path}"
        call = _Call(context, read.route, read.entity_set, deadline=deadline, retried=False)
        # A roll call asks for BC's largest page (no $top: more orders than that still page on).
        page = query.top if query.top is not None else MAX_TOP
        return _Paged(path, url, query.params(), page, call, None, reader_for(None))


def _fields(read: ChangeRead) -> OwnerFields:
    return _required(read.route, read.entity_set)


def _select(fields: OwnerFields, entity_set: str) -> tuple[str, ...]:
    """The owner read's identifiers, the stamp and, for invoices, what tells an unpaid one."""
    return (*_owner_select(fields), _STAMP, *(_UNPAID if entity_set == "salesInvoices" else ()))


def _records(read: ChangeRead, rows: Sequence[Mapping[str, Any]]) -> list[ChangedRecord] | BCError:
    fields = _fields(read)
    try:
        return [
            ChangedRecord(_owner(row, fields), _stamp(row[_STAMP]), _created(read.entity_set, row))
            for row in rows
        ]
    except (BCProtocolError, KeyError, TypeError, ValueError):
        return BCProtocolError(f"Business Central sent a {read.entity_set} row without its identifiers")


def _created(entity_set: str, row: Mapping[str, Any]) -> bool:
    if entity_set in _POSTED:
        return True
    if entity_set == "salesInvoices":
        remaining, total = (row.get(name) for name in _UNPAID)
        return remaining is not None and remaining == total
    return False


def _stamp(raw: object) -> dt.datetime:
    if not isinstance(raw, str):
        raise TypeError("lastModifiedDateTime is not text")
    moment = dt.datetime.fromisoformat(raw.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
