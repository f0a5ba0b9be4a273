"""BC's notification bodies, parsed and checked, and the typed events the gateway makes of them.

A body is ``{"value": [{subscriptionId, clientState, expirationDateTime, resource, changeType,
lastModifiedDateTime}, …]}`` (``tests/fixtures/captured`` holds one from a real tenant;
docs/webhooks.md has the contract).  ``resource`` names one record
(``api/v2.0/companies(<id>)/salesOrders(<id>)``) or, for ``changeType: collection``, the entity
set with a ``lastModifiedDateTime`` filter.  Each entry becomes a :class:`Notification`; what the
gateway then publishes is a :class:`RecordChanged` or a :class:`ResourceResync`, encoded as JSON
on the store channel ``bc-events:{company}``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import uuid
from dataclasses import dataclass
from enum import StrEnum
from typing import Any
from urllib.parse import unquote

from gateway.bc import RecordOwner

__all__ = [
    "ChangeType",
    "Event",
    "MalformedNotification",
    "Notification",
    "RecordChanged",
    "ResourceResync",
    "channel_for",
    "decode_event",
    "encode_event",
    "parse_notifications",
]

_GUID = r"[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}"
_RESOURCE = re.compile(
    r"(?:^|/)api/(?P<route>[A-Za-z0-9]+(?:/[A-Za-z0-9]+/v[0-9.]+)?|v[0-9.]+)"
    rf"/companies\((?P<company>{_GUID})\)"
    r"/(?P<set>[A-Za-z][A-Za-z0-9]{0,99})"
    rf"(?:\((?P<key>{_GUID}|'[^']{{0,250}}')\))?"
    r"(?:\?(?P<query>[^#]*))?$"
)
_SINCE = re.compile(r"lastModifiedDateTime(?:%20|\s|\+)+gt(?:%20|\s|\+)+(?P<at>[0-9T:.+-]+Z?)")
_FIELDS = (
    "subscriptionId",
    "clientState",
    "expirationDateTime",
    "resource",
    "changeType",
    "lastModifiedDateTime",
)
_MAX_ENTRIES = 1_000_000  # BC logs at most this many notifications; anything longer is not BC


class ChangeType(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    DELETED = "deleted"
    COLLECTION = "collection"


class MalformedNotification(ValueError):
    """A body that is not a BC notification; ``str()`` says what is wrong (no content echoed)."""


@dataclass(frozen=True)
class Notification:
    """One checked entry of a notification body."""

    subscription_id: str
    client_state: str
    resource: str
    change_type: ChangeType
    last_modified: dt.datetime
    route: str  # "v2.0", "bcgateway/portal/v1.0"
    company_id: uuid.UUID
    entity_set: str
    record_id: str | None  # None for a collection
    since: dt.datetime | None  # a collection's filter, when it has one
    raw_last_modified: str

    @property
    def replay_key(self) -> str:
        """The same for a notification BC sends again (retries, or a replayed body)."""
        parts = (self.subscription_id, self.resource, self.change_type.value, self.raw_last_modified)
        return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


@dataclass(frozen=True)
class RecordChanged:
    """A record BC created, updated or deleted."""

    company_id: uuid.UUID
    route: str
    entity_set: str
    record_id: str
    change_type: ChangeType
    last_modified: dt.datetime
    # Whose record it is (gateway/webhooks/owners.py); None when that cannot be known.
    owner: RecordOwner | None = None
    # No owner, and proven to be in no kept answer: gone from BC, and no read remembered it
    # (``AnswerOwners.recall``), so its change makes no customer's answers stale.  Only for the
    # replica that processes it (which invalidates): not published.
    unread: bool = False
    # The customer whose kept answers held the record (``AnswerOwners``), when it now belongs to
    # another: it moved (staff changed an open order's customer), so their answers of it are
    # stale too.  Only for the replica that processes it, like ``unread``.
    left: RecordOwner | None = None


@dataclass(frozen=True)
class ResourceResync:
    """Changes to an entity set that are not known one by one: re-read what changed ``since``
    (all of it when ``None``).  ``reason``: ``collection`` (BC's many-changes notification) or
    ``subscription_recreated`` (notifications may have been lost while it was missing)."""

    company_id: uuid.UUID
    route: str
    entity_set: str
    since: dt.datetime | None
    reason: str


Event = RecordChanged | ResourceResync


def channel_for(company_id: uuid.UUID) -> str:
    """The store channel on which a company's events are published."""
    return f"bc-events:{company_id}"


def parse_notifications(body: bytes) -> list[Notification]:
    """Every entry of a notification body, or :class:`MalformedNotification`."""
    try:
        document = json.loads(body.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError):
        raise MalformedNotification("the body is not JSON") from None
    entries = document.get("value") if isinstance(document, dict) else None
    if not isinstance(entries, list) or not entries:
        raise MalformedNotification('the body is not {"value": [notification, …]}')
    if len(entries) > _MAX_ENTRIES:
        raise MalformedNotification("the body holds too many notifications")
    return [_notification(entry, index) for index, entry in enumerate(entries)]


def _notification(entry: object, index: int) -> Notification:
    if not isinstance(entry, dict):
        raise MalformedNotification(f"notification {index} is not an object")
    missing = [name for name in _FIELDS if not isinstance(entry.get(name), str)]
    if missing:
        raise MalformedNotification(f"notification {index} lacks {', '.join(missing)}")
    try:
        change_type = ChangeType(entry["changeType"])
    except ValueError:
        raise MalformedNotification(f"notification {index} has an unknown changeType") from None
    last_modified = _timestamp(entry["lastModifiedDateTime"], index)
    _timestamp(entry["expirationDateTime"], index)
    match = _RESOURCE.search(entry["resource"])
    if match is None:
        raise MalformedNotification(f"notification {index} has a resource that names no company's record")
    key = match.group("key")
    collection = change_type is ChangeType.COLLECTION
    if collection == (key is not None):
        expected = "a collection" if collection else "one record"
        raise MalformedNotification(f"notification {index}: its resource does not name {expected}")
    return Notification(
        subscription_id=entry["subscriptionId"],
        client_state=entry["clientState"],
        resource=entry["resource"],
        change_type=change_type,
        last_modified=last_modified,
        route=match.group("route"),
        company_id=uuid.UUID(match.group("company")),
        entity_set=match.group("set"),
        record_id=_key(key) if key else None,
        since=_since(match.group("query"), index) if collection else None,
        raw_last_modified=entry["lastModifiedDateTime"],
    )


def _key(raw: str) -> str:
    """A GUID key lowercased; a quoted code key unquoted and unescaped (BC escapes it)."""
    if raw.startswith("'"):
        return unquote(raw[1:-1])
    return raw.lower()


def _since(query: str | None, index: int) -> dt.datetime | None:
    if not query:
        return None
    match = _SINCE.search(query)
    return _timestamp(unquote(match.group("at")), index) if match else None


def _timestamp(raw: str, index: int) -> dt.datetime:
    try:
        moment = dt.datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise MalformedNotification(f"notification {index} has a time that is not ISO 8601") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def encode_event(event: Event) -> bytes:
    """The JSON message published for ``event`` (docs/webhooks.md, "Events")."""
    common: dict[str, Any] = {
        "company": str(event.company_id),
        "route": event.route,
        "entitySet": event.entity_set,
    }
    if isinstance(event, RecordChanged):
        body = {
            "kind": "change",
            **common,
            "id": event.record_id,
            "changeType": event.change_type.value,
            "lastModified": _text(event.last_modified),
            "owner": _owner_json(event.owner),
        }
    else:
        since = _text(event.since) if event.since else None
        body = {"kind": "resync", **common, "since": since, "reason": event.reason}
    return json.dumps(body, separators=(",", ":")).encode()


def decode_event(message: bytes) -> Event:
    """The event ``encode_event`` wrote (``ValueError`` for anything else)."""
    body = json.loads(message)
    company = uuid.UUID(body["company"])
    if body["kind"] == "change":
        return RecordChanged(
            company,
            body["route"],
            body["entitySet"],
            body["id"],
            ChangeType(body["changeType"]),
            dt.datetime.fromisoformat(body["lastModified"]),
            _owner_of(body["id"], body.get("owner")),
        )
    if body["kind"] == "resync":
        since = dt.datetime.fromisoformat(body["since"]) if body["since"] else None
        return ResourceResync(company, body["route"], body["entitySet"], since, body["reason"])
    raise ValueError(f"unknown event kind {body['kind']!r}")


def _owner_json(owner: RecordOwner | None) -> dict[str, str | None] | None:
    if owner is None:
        return None
    return {"number": owner.number, "customer": owner.customer_number, "order": owner.order_number}


def _owner_of(record_id: str, body: Any) -> RecordOwner | None:
    if body is None:
        return None
    number = body.get("number")
    return RecordOwner(
        record_id, str(number) if number is not None else None, body.get("customer"), body.get("order")
    )


def _text(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
