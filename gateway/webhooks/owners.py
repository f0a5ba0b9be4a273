"""Whose record each change is: attached to the event before anything hears of it.

BC names a changed record by its id.  The answer cache forgets the owning customer's answers and a
GraphQL subscription tells that customer (docs/subscriptions.md), so the replica that processes a
notification looks the owner up once and publishes it with the event: the other replicas read
nothing.  Owners are remembered in process and in the shared store (``webhooks:owner:…``, a week),
because a deleted record cannot be read any more and because a record changes many times; what is
not remembered is read from BC for the whole notification body at once
(``BCClient.owners``: identifiers only, many ids per request).  A record BC cannot tell the owner
of — deleted, or gone before it was read — is looked up among the owners the answer cache learned
from the rows it keeps (``AnswerOwners``): whoever's kept answers can hold it.
"""

from __future__ import annotations

import contextlib
import logging
import uuid
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import replace

from gateway.bc import PORTAL_API, STANDARD_API, AnswerOwners, ApiRoute, BCError, RecordOwner, RecordOwners
from gateway.store import KeyValue, StoreUnavailable
from gateway.webhooks.events import ChangeType, RecordChanged
from gateway.webhooks.stats import WebhookStats

log = logging.getLogger("gateway.webhooks")

REMEMBER_SECONDS = 7 * 24 * 3600.0
_ROUTES = {route.path.removeprefix("api/"): route for route in (STANDARD_API, PORTAL_API)}

_Key = tuple[uuid.UUID, str, str]  # company, entity set, record id


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
        """``changes`` in order, each with its owner (``None`` when it cannot be known: a record
        deleted before the gateway ever saw it, or BC not answering)."""
        found = {key: self._known[key] for key in map(_key, changes) if key in self._known}
        missing = [change for change in changes if _key(change) not in found and _readable(change)]
        found |= await self._remembered(missing)
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
            replace(change, owner=found.get(_key(change)), unread=_key(change) in held_by_none)
            for change in changes
        ]
        self._stats.owners_unread += sum(1 for c in attached if c.unread)
        self._stats.owners_unknown += sum(
            1 for c in attached if c.owner is None and not c.unread and _readable(c)
        )
        return attached

    async def _remembered(self, changes: Sequence[RecordChanged]) -> dict[_Key, RecordOwner]:
        keys = list(dict.fromkeys(map(_key, changes)))
        if not keys:
            return {}
        try:
            values = await self._kv.get_many([_store_key(key) for key in keys])
        except StoreUnavailable:
            return {}
        return {
            key: RecordOwner.decode(value)
            for key, value in zip(keys, values, strict=True)
            if value is not None
        }

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
        """One owner read per (company, route, entity set), every id of it at once; and the
        changes whose read BC did not answer."""
        groups: dict[tuple[uuid.UUID, str, str], list[uuid.UUID]] = {}
        for change in changes:
            groups.setdefault((change.company_id, change.route, change.entity_set), []).append(
                uuid.UUID(change.record_id)
            )
        found: dict[_Key, RecordOwner] = {}
        unanswered: set[_Key] = set()
        for (company, route, entity_set), ids in groups.items():
            try:
                owners = await self._owners.read(company, _ROUTES[route], entity_set, ids)
            except BCError as error:
                log.warning("webhook_owner_unread", extra={"entity_set": entity_set, "bc_code": error.code})
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
    route = route_of(change.route)
    return (
        route is not None
        and RecordOwners.fields(route, change.entity_set) is not None
        and _is_guid(change.record_id)
    )


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
