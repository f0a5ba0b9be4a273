"""Notifications as BC sends them: delayed, batched per URL, aggregated, retried or given up."""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from gateway.sandbox.app import sandbox_of
from tests.sandbox.conftest import API
from tests.sandbox.webhooks.conftest import HOOK, SUBSCRIPTIONS, company_id, subscribed
from tests.sandbox.webhooks.support import FakeClock, Subscriber

pytestmark = pytest.mark.anyio


async def customers(bc: httpx.AsyncClient) -> list[dict[str, Any]]:
    company = await company_id(bc)
    rows: list[dict[str, Any]] = (await bc.get(f"{API}/companies({company})/customers")).json()["value"]
    return rows


async def rename(bc: httpx.AsyncClient, customer: dict[str, Any], name: str) -> None:
    company = await company_id(bc)
    url = f"{API}/companies({company})/customers({customer['id']})"
    response = await bc.patch(url, json={"displayName": name}, headers={"If-Match": "*"})
    assert response.status_code == 200, response.text


async def test_a_change_is_notified_after_the_delay_with_bcs_fields(
    bc: httpx.AsyncClient, app: Starlette, clock: FakeClock, subscriber: Subscriber
) -> None:
    subscription = await subscribed(bc, "customers")
    customer = (await customers(bc))[0]
    await rename(bc, customer, "Renamed Ltd.")
    changed_at = clock.now
    webhooks = sandbox_of(app).webhooks

    clock.advance(29)
    assert await webhooks.deliver_due() == []
    clock.advance(1)
    await webhooks.deliver_due()

    assert subscriber.entries == [
        {
            "subscriptionId": subscription["subscriptionId"],
            "clientState": "cs",
            "expirationDateTime": subscription["expirationDateTime"],
            "resource": f"{subscription['resource']}({customer['id']})",
            "changeType": "updated",
            "lastModifiedDateTime": changed_at.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
        }
    ]


async def test_repeated_updates_of_a_record_become_one_notification_and_one_post_carries_every_subscription(
    bc: httpx.AsyncClient, app: Starlette, clock: FakeClock, subscriber: Subscriber
) -> None:
    await subscribed(bc, "customers")
    await subscribed(bc, "items")
    first, second = (await customers(bc))[:2]
    company = await company_id(bc)
    item = (await bc.get(f"{API}/companies({company})/items")).json()["value"][0]
    await rename(bc, first, "One")
    clock.advance(1)
    await rename(bc, first, "Two")
    await rename(bc, second, "Three")
    await bc.patch(
        f"{API}/companies({company})/items({item['id']})",
        json={"displayName2": "x"},
        headers={"If-Match": "*"},
    )

    clock.advance(30)
    await sandbox_of(app).webhooks.deliver_due()

    assert len(subscriber.notifications) == 1
    resources = sorted(e["resource"].rsplit("/", 1)[1] for e in subscriber.entries)
    assert resources == sorted(
        [f"customers({first['id']})", f"customers({second['id']})", f"items({item['id']})"]
    )
    assert all(e["changeType"] == "updated" for e in subscriber.entries)


async def test_more_changes_than_the_threshold_become_one_collection_notification(
    bc: httpx.AsyncClient, app: Starlette, clock: FakeClock, subscriber: Subscriber
) -> None:
    subscription = await subscribed(bc, "customers")
    rows = await customers(bc)
    first_change = clock.now
    for index, customer in enumerate(rows[:6]):  # max_notifications is 5 here
        await rename(bc, customer, f"Customer {index}")
        clock.advance(0.5)

    clock.advance(30)
    await sandbox_of(app).webhooks.deliver_due()

    (entry,) = subscriber.entries
    assert entry["changeType"] == "collection"
    since = first_change - dt.timedelta(milliseconds=50)
    assert entry["resource"] == (
        f"{subscription['resource']}?$filter=lastModifiedDateTime%20gt%20"
        f"{since.strftime('%Y-%m-%dT%H:%M:%S.')}{since.microsecond // 1000:03d}Z"
    )


async def test_a_created_order_with_lines_is_one_created_notification(
    bc: httpx.AsyncClient, app: Starlette, clock: FakeClock, subscriber: Subscriber
) -> None:
    await subscribed(bc, "salesOrders")
    company = await company_id(bc)
    customer = next(c for c in await customers(bc) if c["blocked"] == "_x0020_")
    items = (await bc.get(f"{API}/companies({company})/items")).json()["value"]
    item = next(i for i in items if not i["blocked"])
    body = {"customerNumber": customer["number"], "salesOrderLines": [{"itemId": item["id"], "quantity": 2}]}
    order = (await bc.post(f"{API}/companies({company})/salesOrders", json=body)).json()
    line = f"{API}/companies({company})/salesOrders({order['id']})/salesOrderLines"
    clock.advance(1)
    await bc.post(line, json={"itemId": item["id"], "quantity": 1})

    clock.advance(30)
    await sandbox_of(app).webhooks.deliver_due()

    assert [(e["changeType"], e["resource"].rsplit("(", 1)[1]) for e in subscriber.entries] == [
        ("created", f"{order['id']})"),
        ("updated", f"{order['id']})"),
    ]


async def test_a_snapshot_batch_that_fails_notifies_nothing(
    bc: httpx.AsyncClient, app: Starlette, clock: FakeClock, subscriber: Subscriber
) -> None:
    await subscribed(bc, "customers")
    customer = (await customers(bc))[0]
    company = await company_id(bc)
    batch = {
        "requests": [
            {
                "id": "1",
                "method": "PATCH",
                "url": f"companies({company})/customers({customer['id']})",
                "headers": {"Content-Type": "application/json", "If-Match": "*"},
                "body": {"displayName": "Rolled back"},
            },
            {
                "id": "2",
                "method": "PATCH",
                "url": f"companies({company})/customers({customer['id']})",
                "headers": {"If-Match": "*"},
                "body": {"colour": "not a property"},
            },
        ]
    }
    response = await bc.post(f"{API}/$batch", json=batch, headers={"Isolation": "snapshot"})
    assert [r["status"] for r in response.json()["responses"]] == [200, 400]

    clock.advance(30)
    await sandbox_of(app).webhooks.deliver_due()

    assert subscriber.notifications == []


async def test_a_subscriber_that_is_down_gets_the_notification_again_on_bcs_schedule(
    bc: httpx.AsyncClient, app: Starlette, clock: FakeClock, subscriber: Subscriber
) -> None:
    await subscribed(bc, "customers")
    await rename(bc, (await customers(bc))[0], "Retry me")
    webhooks = sandbox_of(app).webhooks
    subscriber.notification_status = 503
    clock.advance(30)
    await webhooks.deliver_due()
    assert len(subscriber.notifications) == 1

    clock.advance(59)
    assert await webhooks.deliver_due() == []
    subscriber.notification_status = 200
    clock.advance(1)
    await webhooks.deliver_due()

    assert len(subscriber.notifications) == 2
    assert subscriber.notifications[0] == subscriber.notifications[1]
    clock.advance(3600)
    assert await webhooks.deliver_due() == []


async def test_a_subscriber_failing_six_times_loses_its_subscription(
    bc: httpx.AsyncClient, app: Starlette, clock: FakeClock, subscriber: Subscriber
) -> None:
    await subscribed(bc, "customers")
    await rename(bc, (await customers(bc))[0], "Never delivered")
    webhooks = sandbox_of(app).webhooks
    subscriber.notification_status = 500
    clock.advance(30)
    for wait in (0, 60, 60, 600, 6000, 60000):
        clock.advance(wait)
        assert len(await webhooks.deliver_due()) == 1

    assert len(subscriber.notifications) == 6
    assert (await bc.get(SUBSCRIPTIONS)).json()["value"] == []


async def test_a_refusal_other_than_408_429_or_5xx_deletes_the_urls_subscriptions(
    bc: httpx.AsyncClient, app: Starlette, clock: FakeClock, subscriber: Subscriber
) -> None:
    await subscribed(bc, "customers")
    await subscribed(bc, "items")
    await rename(bc, (await customers(bc))[0], "Refused")
    subscriber.notification_status = 401

    clock.advance(30)
    await sandbox_of(app).webhooks.deliver_due()

    assert (await bc.get(SUBSCRIPTIONS)).json()["value"] == []


async def test_a_deleted_subscription_is_not_notified(
    bc: httpx.AsyncClient, app: Starlette, clock: FakeClock, subscriber: Subscriber
) -> None:
    subscription = await subscribed(bc, "customers")
    await rename(bc, (await customers(bc))[0], "Gone")
    url = f"{SUBSCRIPTIONS}('{subscription['subscriptionId']}')"
    assert (await bc.delete(url, headers={"If-Match": "*"})).status_code == 204

    clock.advance(30)
    await sandbox_of(app).webhooks.deliver_due()

    assert subscriber.notifications == []


async def test_a_customer_query_and_its_reply_notify_the_custom_api_subscription(
    bc: httpx.AsyncClient, app: Starlette, clock: FakeClock, subscriber: Subscriber
) -> None:
    company = await company_id(bc)
    portal = "/v2.0/sandbox/production/api/bcgateway/portal/v1.0"
    resource = f"api/bcgateway/portal/v1.0/companies({company})/customerQueries"
    created = await bc.post(f"{portal}/subscriptions", json={"notificationUrl": HOOK, "resource": resource})
    assert created.status_code == 201, created.text
    customer = (await customers(bc))[0]
    query = await bc.post(
        f"{portal}/companies({company})/customerQueries",
        json={"customerNumber": customer["number"], "subject": "Where is my order?", "category": "Delivery"},
    )
    assert query.status_code == 201, query.text
    clock.advance(1)
    reply = await bc.post(
        f"{portal}/companies({company})/customerQueries({query.json()['id']})/customerQueryMessages",
        json={"body": "Any news?"},
    )
    assert reply.status_code == 201, reply.text

    clock.advance(30)
    await sandbox_of(app).webhooks.deliver_due()

    assert [(e["changeType"], e["resource"]) for e in subscriber.entries] == [
        ("created", f"{resource}({query.json()['id']})"),
        ("updated", f"{resource}({query.json()['id']})"),
    ]
