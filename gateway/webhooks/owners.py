"""Whose record each change is: attached to the event before anything hears of it.

BC names a changed record by its id.  The answer cache forgets the owning customer's answers and a
GraphQL subscription tells that customer (docs/subscriptions.md), so the replica that processes a
notification looks the owner up once and publishes it with the event: the other replicas read
nothing.  Owners are remembered in process and in the shared store (``webhooks:owner:…``, a week),
because a deleted record cannot be read any more and because a record changes many times; what is
not remembered is read from BC for the whole notification body at once (``BCClient.owners``:
identifiers only, many ids per read, every read of an API in one request).  A record BC cannot tell
the owner of — deleted, or gone before it was read — is looked up among the owners the answer cache
learned from the rows it keeps (``AnswerOwners``): whoever's kept answers can hold it.

An open order's customer can be changed in BC.  So the owner of a created or updated order is
always read from BC, and the owner the answer cache remembered for it is looked up in the same
store round trip as the remembered owners: when that is another customer, the order left them,
and the change is theirs too (``RecordChanged.left``: their kept answers of it go as well).
"""

from __future__ import annotations

import contextlib
import logging
import uuid
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import replace

from gateway.bc import (
    PORTAL_API,
    STANDARD_API,
    AnswerOwners,
    ApiRoute,
    BCError,
    OwnerFields,
    OwnerRead,
    RecordOwner,
    RecordOwners,
)
from gateway.store import KeyValue, StoreUnavailable
from gateway.webhooks.events import ChangeType, RecordChanged
from gateway.webhooks.stats import WebhookStats

log = logging.getLogger("gateway.webhooks")

REMEMBER_SECONDS = 7 * 24 * 3600.0
_ROUTES = {route.path.removeprefix("api/"): route for route in (STANDARD_API, PORTAL_API)}

_Key = tuple[uuid.UUID, str, str]  # company, entity set, record id
_LIVE = frozenset({ChangeType.CREATED, ChangeType.UPDATED})


class OwnerDirectory:
    """Attaches its owner (:class:`RecordOwner`) to each change, reading as little as it can."""

    def __init__(
        self,
        owners: RecordOwners,
        kv: KeyValue,
        stats: WebhookStats,
        *,
        remember_seconds: float = REMEMBER_SECONDS,
        capacity: int = 10_000,
        learned: AnswerOwners | None = None,
    ) -> None:
        self._owners = owners
        self._learned = learned
        self._kv = kv
        self._stats = stats
        self._remember_seconds = remember_seconds
        self._capacity = capacity
        self._known: OrderedDict[_Key, RecordOwner] = OrderedDict()

    async def attach(self, changes: Sequence[RecordChanged]) -> list[RecordChanged]:
        """``changes`` in order, each with its owner (the one it came with, if any; ``None`` when
        it cannot be known: a record deleted before the gateway ever saw it, or BC not answering)
        and, where the customer whose kept answers hold the record is no longer its owner, that
        customer (``left``)."""
        moving = [change for change in changes if _may_have_moved(change)]
        settled = [change for change in changes if not _may_have_moved(change)]
        found = {key: self._known[key] for key in map(_key, settled) if key in self._known}
        # A change that comes with its owner (the change poller read it with the record) is
        # not read again; whether it moved to another customer is still looked up.
        found |= {_key(change): change.owner for change in changes if change.owner is not None}
        missing = [change for change in changes if _key(change) not in found and _readable(change)]
        remembered, held = await self._remembered([c for c in missing if not _may_have_moved(c)], moving)
        found |= remembered
        # A deleted record cannot be read: its owner is known from before, or not at all.
        unread = [c for c in missing if _key(c) not in found and c.change_type is not ChangeType.DELETED]
        read, unanswered = await self._read(unread)
        found |= read
        for key, owner in found.items():
            self._keep(key, owner)
        # No owner BC can tell (deleted, or gone before the read; not when BC did not answer: a
        # record that exists may have moved to a customer who never read it).
        gone = [c for c in missing if _key(c) not in found and _key(c) not in unanswered]
        learned, held_by_none = await self._learned_owners(gone)
        found |= learned
        attached = [
            replace(
                change,
                owner=found.get(_key(change)),
                unread=_key(change) in held_by_none,
                left=_left(held.get(_key(change)), found.get(_key(change))),
            )
            for change in changes
        ]
        self._stats.owners_unread += sum(1 for c in attached if c.unread)
        self._stats.owners_unknown += sum(
            1 for c in attached if c.owner is None and not c.unread and _readable(c)
        )
        self._stats.owners_moved += sum(1 for c in attached if c.left is not None)
        return attached

    async def _remembered(
        self, changes: Sequence[RecordChanged], live: Sequence[RecordChanged]
    ) -> tuple[dict[_Key, RecordOwner], dict[_Key, RecordOwner]]:
        """The owners remembered for ``changes``; and for ``live`` (records that may have moved),
        the owners the answer cache remembered from the rows it keeps: whose kept answers hold
        them.  One store round trip (the answer cache's owners are in the same store)."""
        keys = list(dict.fromkeys(map(_key, changes)))
        held_keys = list(dict.fromkeys(map(_key, live))) if self._learned is not None else []
        if not keys and not held_keys:
            return {}, {}
        try:
            values = await self._kv.get_many(
                [_store_key(key) for key in keys] + [AnswerOwners.key(*key) for key in held_keys]
            )
        except StoreUnavailable:
            return {}, {}
        owners = [RecordOwner.decode(value) if value is not None else None for value in values]
        return _found(keys, owners[: len(keys)]), _found(held_keys, owners[len(keys) :])

    async def _learned_owners(
        self, changes: Sequence[RecordChanged]
    ) -> tuple[dict[_Key, RecordOwner], set[_Key]]:
        """The owners the answer cache learned from the rows it kept, per (company, entity set),
        and the records proven to be in no kept answer (no owner learned, nothing lost)."""
        if self._learned is None:
            return {}, set()
        groups: dict[tuple[uuid.UUID, str], list[str]] = {}
        for change in changes:
            groups.setdefault((change.company_id, change.entity_set), []).append(change.record_id)
        found: dict[_Key, RecordOwner] = {}
        unread: set[_Key] = set()
        for (company, entity_set), ids in groups.items():
            recalled = await self._learned.recall(company, entity_set, ids)
            for record_id in ids:
                key = (company, entity_set, record_id)
                owner = recalled.owners.get(record_id.lower())
                if owner is not None:
                    found[key] = owner
                elif recalled.complete:
                    unread.add(key)
        self._stats.owners_learned += len(found)
        return found, unread

    async def _read(self, changes: Sequence[RecordChanged]) -> tuple[dict[_Key, RecordOwner], set[_Key]]:
        """One owner read per (company, route, entity set), every id of it at once, all of them
        in one request per API route; and the changes whose read BC did not answer."""
        groups: dict[tuple[uuid.UUID, str, str], list[uuid.UUID]] = {}
        for change in changes:
            groups.setdefault((change.company_id, change.route, change.entity_set), []).append(
                uuid.UUID(change.record_id)
            )
        reads = [
            OwnerRead(company, _ROUTES[route], entity_set, ids)
            for (company, route, entity_set), ids in groups.items()
        ]
        found: dict[_Key, RecordOwner] = {}
        unanswered: set[_Key] = set()
        for read, owners in zip(reads, await self._owners.read_many(reads), strict=True):
            company, entity_set, ids = read.company_id, read.entity_set, read.record_ids
            if isinstance(owners, BCError):
                log.warning("webhook_owner_unread", extra={"entity_set": entity_set, "bc_code": owners.code})
                unanswered.update((company, entity_set, str(record_id)) for record_id in ids)
                continue
            self._stats.owner_reads += 1
            for owner in owners:
                key = (company, entity_set, owner.record_id)
                found[key] = owner
                await self._remember(key, owner)
        return found, unanswered

    async def _remember(self, key: _Key, owner: RecordOwner) -> None:
        # Unreachable store: this replica still remembers it; another reads it again if it must.
        with contextlib.suppress(StoreUnavailable):
            await self._kv.put(_store_key(key), owner.encode(), ttl_seconds=self._remember_seconds)

    def _keep(self, key: _Key, owner: RecordOwner) -> None:
        self._known[key] = owner
        self._known.move_to_end(key)
        while len(self._known) > self._capacity:
            self._known.popitem(last=False)


def route_of(name: str) -> ApiRoute | None:
    """The API route a notification names (``v2.0``, ``bcgateway/portal/v1.0``)."""
    return _ROUTES.get(name)


def _readable(change: RecordChanged) -> bool:
    return _fields(change) is not None


def _may_have_moved(change: RecordChanged) -> bool:
    """Whether ``change`` may have moved the record to another customer: a record created or
    updated (BC merges a creation and the changes right after it into one notification) whose
    customer BC lets staff change.  Its owner is read from BC even when remembered."""
    fields = _fields(change)
    return fields is not None and fields.reassignable and change.change_type in _LIVE


def _left(held: RecordOwner | None, owner: RecordOwner | None) -> RecordOwner | None:
    """The owner a kept answer remembered, when the record now belongs to another customer."""
    if held is None or owner is None or held.customer_number is None or owner.customer_number is None:
        return None
    return held if held.customer_number.casefold() != owner.customer_number.casefold() else None


def _found(keys: Sequence[_Key], owners: Sequence[RecordOwner | None]) -> dict[_Key, RecordOwner]:
    return {key: owner for key, owner in zip(keys, owners, strict=True) if owner is not None}


def _fields(change: RecordChanged) -> OwnerFields | None:
    """Where the changed record names its owner; ``None`` for one whose owner cannot be read."""
    route = route_of(change.route)
    if route is None or not _is_guid(change.record_id):
        return None
    return RecordOwners.fields(route, change.entity_set)


def _is_guid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True


def _key(change: RecordChanged) -> _Key:
    return (change.company_id, change.entity_set, change.record_id)


def _store_key(key: _Key) -> str:
    company, entity_set, record_id = key
    return f"webhooks:owner:{company}:{entity_set}:{record_id}"
