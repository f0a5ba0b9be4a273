"""BC's notification bodies: what is accepted as BC's, what is refused, and the typed events."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from gateway.bc import RecordOwner
from gateway.webhooks import (
    ChangeType,
    MalformedNotification,
    RecordChanged,
    ResourceResync,
    decode_event,
    encode_event,
    parse_notifications,
)

CAPTURED = Path(__file__).resolve().parent.parent / "fixtures" / "captured" / "webhook_notifications.json"
COMPANY = "a7f1d29f-b084-f011-a708-6045bd956d8a"


def entry(**changes: Any) -> dict[str, Any]:
    base = {
        "subscriptionId": "270135334a7d433e9009dde078e9e29c",
        "clientState": "state",
        "expirationDateTime": "2025-10-02T10:21:44Z",
        "resource": f"api/v2.0/companies({COMPANY})/salesOrders(015e4dd6-fc83-f011-a6f5-000d3a4b6d9d)",
        "changeType": "updated",
        "lastModifiedDateTime": "2025-09-29T10:22:52.363Z",
    }
    return {**base, **changes}


def body(*entries: dict[str, Any]) -> bytes:
    return json.dumps({"value": list(entries)}).encode()


def test_the_captured_notification_of_a_real_tenant_parses() -> None:
    (notification,) = parse_notifications(CAPTURED.read_bytes())

    assert notification.company_id == uuid.UUID(COMPANY)
    assert (notification.route, notification.entity_set) == ("v2.0", "items")
    assert notification.record_id == "015e4dd6-fc83-f011-a6f5-000d3a4b6d9d"
    assert notification.change_type is ChangeType.UPDATED
    assert notification.last_modified == dt.datetime(2025, 9, 29, 10, 22, 52, 363000, tzinfo=dt.UTC)


def test_a_collection_carries_its_filter_and_a_custom_api_its_route() -> None:
    collection = entry(
        resource=f"/api/v2.0/companies({COMPANY})/salesInvoices?$filter=lastModifiedDateTime%20gt%202018-10-15T11:00:00Z",
        changeType="collection",
    )
    portal = entry(
        resource=f"api/bcgateway/portal/v1.0/companies({COMPANY})/customerQueries(015e4dd6-fc83-f011-a6f5-000d3a4b6d9d)"
    )

    first, second = parse_notifications(body(collection, portal))

    assert (first.entity_set, first.record_id) == ("salesInvoices", None)
    assert first.since == dt.datetime(2018, 10, 15, 11, tzinfo=dt.UTC)
    assert (second.route, second.entity_set) == ("bcgateway/portal/v1.0", "customerQueries")


def test_a_code_key_is_unquoted_and_unescaped() -> None:
    (notification,) = parse_notifications(
        body(entry(resource=f"api/v2.0/companies({COMPANY})/items('1896%2FS')"))
    )

    assert notification.record_id == "1896/S"


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"not json", "not JSON"),
        (b"[]", '{"value"'),
        (b'{"value": []}', '{"value"'),
        (body({"subscriptionId": "x"}), "lacks clientState"),
        (body(entry(changeType="renamed")), "unknown changeType"),
        (body(entry(lastModifiedDateTime="yesterday")), "not ISO 8601"),
        (
            body(entry(resource="api/v2.0/customers(015e4dd6-fc83-f011-a6f5-000d3a4b6d9d)")),
            "names no company",
        ),
        (body(entry(resource=f"api/v2.0/companies({COMPANY})/salesOrders")), "does not name one record"),
        (body(entry(changeType="collection")), "does not name a collection"),
        (body(entry(resource="https://evil.example/?x=api/v2.0/companies(1)/a(2)")), "names no company"),
        (body(entry(clientState=7)), "lacks clientState"),
    ],
)
def test_anything_else_is_refused_with_a_reason(raw: bytes, reason: str) -> None:
    with pytest.raises(MalformedNotification) as refused:
        parse_notifications(raw)

    assert reason in str(refused.value)


def test_replays_share_a_key_and_other_changes_do_not() -> None:
    first, again, later = parse_notifications(
        body(entry(), entry(), entry(lastModifiedDateTime="2025-09-29T10:22:53.000Z"))
    )

    assert first.replay_key == again.replay_key != later.replay_key


def test_events_survive_the_channel() -> None:
    company = uuid.UUID(COMPANY)
    change = RecordChanged(
        company, "v2.0", "salesOrders", "abc", ChangeType.DELETED, dt.datetime(2026, 1, 2, tzinfo=dt.UTC)
    )
    resync = ResourceResync(company, "v2.0", "items", None, "collection")
    owned = replace(change, owner=RecordOwner("abc", "S-ORD1", "10000"))

    assert decode_event(encode_event(change)) == change
    assert decode_event(encode_event(owned)) == owned
    assert decode_event(encode_event(resync)) == resync
    assert json.loads(encode_event(change)) == {
        "kind": "change",
        "company": COMPANY,
        "route": "v2.0",
        "entitySet": "salesOrders",
        "id": "abc",
        "changeType": "deleted",
        "lastModified": "2026-01-02T00:00:00Z",
        "owner": None,
    }
    assert json.loads(encode_event(owned))["owner"] == {
        "number": "S-ORD1",
        "customer": "10000",
        "order": None,
    }
