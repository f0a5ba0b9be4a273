"""Whose record changed: the one read that BC's change notifications need.

A webhook notification names a record by its id and nothing else.  To tell the customer who owns it
(and nobody else) and to forget that customer's cached answers, the gateway reads the record's
number and its customer number — only those: a ``$select`` of identifiers, for every id of a
notification body at once (``id eq … or id eq …``, 30 to a request), every entity set and company
of the body in one ``$batch`` per API (``RecordOwners.read_many``).  It is the one read of a
customer-owned entity set without a customer filter, so it lives here, behind
:class:`RecordOwners`, and answers identifiers only: no customer's data is ever answered from it
(what a customer is then shown is read through their own scoped session).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Final
from uuid import UUID

import msgspec

from ._audit import CallContext
from ._calls import _Call, _Paged
from ._entity import reader_for
from ._errors import BCError, BCProtocolError
from ._odata import Field, Query, any_of
from ._settings import PORTAL_API, STANDARD_API, ApiRoute

if TYPE_CHECKING:
    from ._client import BCClient

__all__ = ["OWNED_RECORDS", "OwnerFields", "OwnerRead", "RecordOwner", "RecordOwners"]

_IDS_PER_REQUEST = 30  # 30 GUID comparisons: a $filter of about 1.4 KB
_OPERATION = "webhook-owners"


@dataclass(frozen=True)
class OwnerFields:
    """Where a record keeps its owner: the customer number (``None``: nobody owns it, like an
    item) and, for posted documents, the number of the order they came from.  ``reassignable``:
    BC lets its customer be changed (an open order's sell-to customer), so an owner remembered
    from an earlier change may be out of date when it changes again."""

    customer: str | None
    order: str | None = None
    reassignable: bool = False


OWNED_RECORDS: Final[Mapping[tuple[str, str], OwnerFields]] = MappingProxyType(
    {
        (STANDARD_API.path, "salesOrders"): OwnerFields("customerNumber", reassignable=True),
        (STANDARD_API.path, "salesInvoices"): OwnerFields("customerNumber", "orderNumber"),
        (STANDARD_API.path, "salesShipments"): OwnerFields("customerNumber", "orderNumber"),
        (STANDARD_API.path, "salesCreditMemos"): OwnerFields("customerNumber"),
        (STANDARD_API.path, "customers"): OwnerFields("number"),
        (STANDARD_API.path, "items"): OwnerFields(None),
        (PORTAL_API.path, "customerQueries"): OwnerFields("customerNumber"),
    }
)
"""(route path, entity set) → where its records name their owner: the sets BC notifies about."""


@dataclass(frozen=True)
class RecordOwner:
    """A record's identifiers: its id and number (``None`` when learned from a kept answer that
    did not select it), the customer who owns it (``None`` for a record nobody owns) and, for a
    posted shipment or invoice, its order's number."""

    record_id: str
    number: str | None
    customer_number: str | None
    order_number: str | None = None

    def encode(self) -> bytes:
        """As kept in the shared store (webhooks' remembered owners, the answers' learned ones)."""
        # msgspec: the same compact JSON as json.dumps for the codes BC uses (non-ASCII text in
        # UTF-8 rather than escaped: read back the same), in a twentieth of the time.
        return msgspec.json.encode([self.record_id, self.number, self.customer_number, self.order_number])

    @classmethod
    def decode(cls, value: bytes) -> RecordOwner:
        record_id, number, customer, order = json.loads(value)
        return cls(record_id, number, customer, order)


@dataclass(frozen=True)
class OwnerRead:
    """Whose records ``record_ids`` of one company's entity set are: one read of ``read_many``."""

    company_id: UUID
    route: ApiRoute
    entity_set: str
    record_ids: Sequence[UUID]


class RecordOwners:
    """The owner read of one BC client (``BCClient.owners``)."""

    def __init__(self, client: BCClient) -> None:
        self._client = client

    @staticmethod
    def fields(route: ApiRoute, entity_set: str) -> OwnerFields | None:
        """Where ``entity_set``'s records name their owner; ``None`` for a set it cannot read."""
        return OWNED_RECORDS.get((route.path, entity_set))

    async def read(
        self, company_id: UUID, route: ApiRoute, entity_set: str, record_ids: Sequence[UUID]
    ) -> list[RecordOwner]:
        """The identifiers of those records that exist (a deleted one is simply not there)."""
        (found,) = await self.read_many([OwnerRead(company_id, route, entity_set, record_ids)])
        if isinstance(found, BCError):
            raise found
        return found

    async def read_many(self, reads: Sequence[OwnerRead]) -> list[list[RecordOwner] | BCError]:
        """Each read's identifiers of its records that exist, or the error BC answered it with:
        the reads of one API route in one ``$batch``, whatever their companies and entity sets —
        a notification body names records of several (a shipment notifies its order, its
        items, …), and each was a request of its own."""
        found: list[list[RecordOwner] | BCError] = [[] for _ in reads]
        for route in dict.fromkeys(read.route for read in reads):
            mine = [place for place, read in enumerate(reads) if read.route == route]
            for place, outcome in zip(mine, await self._read_route([reads[p] for p in mine]), strict=True):
                found[place] = outcome
        return found

    async def _read_route(self, reads: Sequence[OwnerRead]) -> list[list[RecordOwner] | BCError]:
        found: list[list[RecordOwner] | BCError] = [[] for _ in reads]
        for place, read in enumerate(reads):
            try:  # a set the tenant does not offer fails its own read, not the others'
                self._client.capabilities.require(read.route, read.entity_set)
            except BCError as error:
                found[place] = error
        queries = [
            (place, read.company_id, query)
            for place, read in enumerate(reads)
            if not isinstance(found[place], BCError)
            for query in _id_queries(read, _required(read.route, read.entity_set))
        ]
        companies = {str(reads[place].company_id) for place, _, _ in queries}
        outcomes = await self._fetch(
            reads[0].route, [(company, query) for _, company, query in queries], _one(companies)
        )
        for (place, _, _), outcome in zip(queries, outcomes, strict=True):
            read, so_far = reads[place], found[place]
            if isinstance(so_far, BCError):
                continue  # one of its chunks failed: the read failed
            if isinstance(outcome, BCError):
                found[place] = outcome
                continue
            try:
                so_far.extend(_owners_asked(read, outcome, _required(read.route, read.entity_set)))
            except BCError as error:  # a row without its identifiers fails its own read
                found[place] = error
        return found

    async def _fetch(
        self, route: ApiRoute, queries: Sequence[tuple[UUID, Query]], company: str | None
    ) -> list[list[Any] | BCError]:
        """Each query's rows, or its error, in query order: in one ``$batch`` when two or more
        (``company``: the one the batch is about, ``None`` when it spans several)."""
        client = self._client
        pending = []
        for index, (company_id, query) in enumerate(queries):
            client.capabilities.require(route, query.entity_set)
            path = f"companies({company_id})/{query.entity_set}"
            call = _Call(CallContext(company=str(company_id), operation=_OPERATION), route, query.entity_set)
            url = f"{client.settings.route_url(route)}/{path}"
            pending.append(
                (index, _Paged(path, url, query.params(), query.top, call, None, reader_for(None)))
            )
        batch_call = _Call(CallContext(company=company, operation=_OPERATION), route, "$batch")
        outcomes = dict(await client._fetch_paged(pending, route, batch_call))
        return [outcomes[index] for index in range(len(queries))]


def _owners_asked(
    read: OwnerRead, rows: Sequence[Mapping[str, Any]], fields: OwnerFields
) -> list[RecordOwner]:
    """The owners in ``rows`` of the records ``read`` asked for (a row answering none is dropped)."""
    asked = {str(record_id) for record_id in read.record_ids}
    return [owner for row in rows if (owner := _owner(row, fields)).record_id in asked]


def _one(companies: set[str]) -> str | None:
    """The company a $batch is about for its audit record: ``None`` when it spans several."""
    return next(iter(companies)) if len(companies) == 1 else None


def _required(route: ApiRoute, entity_set: str) -> OwnerFields:
    """Where ``entity_set``'s records name their owner (``OWNED_RECORDS``); an error for a set the
    owner reads cannot ask for."""
    fields = RecordOwners.fields(route, entity_set)
    if fields is None:
        raise ValueError(f"{route.path}/{entity_set} has no owner fields")
    return fields


def _id_queries(read: OwnerRead, fields: OwnerFields) -> list[Query]:
    wanted = list(dict.fromkeys(read.record_ids))
    return [
        Query(read.entity_set, filter=any_of(Field("id"), chunk), select=_select(fields))
        for chunk in (wanted[i : i + _IDS_PER_REQUEST] for i in range(0, len(wanted), _IDS_PER_REQUEST))
    ]


def _select(fields: OwnerFields) -> tuple[str, ...]:
    names = ["id", "number", fields.customer, fields.order]
    return tuple(dict.fromkeys(name for name in names if name is not None))


def _owner(row: Mapping[str, Any], fields: OwnerFields) -> RecordOwner:
    try:
        customer = str(row[fields.customer]) if fields.customer is not None else None
        order = str(row.get(fields.order) or "") or None if fields.order is not None else None
        return RecordOwner(str(row["id"]).lower(), str(row["number"]), customer or None, order)
    except KeyError as exc:
        raise BCProtocolError("Business Central sent a record without its number or customer") from exc
