"""A notification's ``lastModifiedDateTime`` is when BC registered the change: never after the
record's own ``lastModifiedDateTime`` (docs/sandbox.md, "Webhooks"; docs/webhooks.md, "The
gateway's own writes").  Before, the sandbox stamped it when it queued the notification, a
moment after the write had stamped the record, so no notification ever carried its record's time.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from gateway.sandbox.app import sandbox_of
from tests.sandbox.conftest import API
from tests.sandbox.webhooks.conftest import company_id, subscribed
from tests.sandbox.webhooks.support import FakeClock, Subscriber

pytestmark = pytest.mark.anyio


@dataclass
class TickingClock(FakeClock):
    """A clock that moves a millisecond each time it is read, as a real one does during a write."""

    def __call__(self) -> dt.datetime:
        self.now += dt.timedelta(milliseconds=1)
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return TickingClock()


async def rows_of(bc: httpx.AsyncClient, entity_set: str) -> list[dict[str, Any]]:
    company = await company_id(bc)
    rows: list[dict[str, Any]] = (await bc.get(f"{API}/companies({company})/{entity_set}")).json()["value"]
    return rows


async def test_a_deep_insert_is_notified_at_its_headers_final_time(
    bc: httpx.AsyncClient, app: Starlette, clock: FakeClock, subscriber: Subscriber
) -> None:
    await subscribed(bc, "salesOrders")
    company = await company_id(bc)
    customer = next(c for c in await rows_of(bc, "customers") if c["blocked"] == "_x0020_")
    item = next(i for i in await rows_of(bc, "items") if not i["blocked"])
    body = {
        "customerNumber": customer["number"],
        "salesOrderLines": [
            {"lineType": "Item", "lineObjectNumber": item["number"], "quantity": 2},
            {"lineType": "Item", "lineObjectNumber": item["number"], "quantity": 1},
        ],
    }
    created = await bc.post(f"{API}/companies({company})/salesOrders", json=body)
    assert created.status_code == 201, created.text
    order = (await bc.get(f"{API}/companies({company})/salesOrders({created.json()['id']})")).json()

    clock.advance(30)
    await sandbox_of(app).webhooks.deliver_due()

    assert [(e["changeType"], e["lastModifiedDateTime"]) for e in subscriber.entries] == [
        ("created", order["lastModifiedDateTime"])
    ]
    assert created.json()["lastModifiedDateTime"] == order["lastModifiedDateTime"]


async def test_an_update_is_notified_at_the_records_own_time(
    bc: httpx.AsyncClient, app: Starlette, clock: FakeClock, subscriber: Subscriber
) -> None:
    await subscribed(bc, "customers")
    company = await company_id(bc)
    customer = (await rows_of(bc, "customers"))[0]
    url = f"{API}/companies({company})/customers({customer['id']})"
    renamed = await bc.patch(url, json={"displayName": "Renamed Ltd."}, headers={"If-Match": "*"})

    clock.advance(30)
    await sandbox_of(app).webhooks.deliver_due()

    assert [e["lastModifiedDateTime"] for e in subscriber.entries] == [renamed.json()["lastModifiedDateTime"]]
