"""BC's notification of a customer's own write forgets nothing the write did not (docs/webhooks.md,
"The gateway's own writes").

A reorder makes the customer's kept orders stale at once (read-your-writes); BC notifies the same
order about 30 s later.  Before, that notification made the orders the customer had read since
stale again, although nothing had changed after the write: the next orders page cost BC reads.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
from starlette.applications import Starlette

from gateway.bc import AnswerCache, CacheSettings, RecordOwner
from gateway.bc._answer_keys import read_key
from gateway.sandbox.app import sandbox_of
from gateway.settings import Settings
from gateway.store import StoreSettings
from gateway.webhooks import ChangeType, RecordChanged, WebhookStats
from gateway.webhooks.invalidation import AnswerInvalidation
from tests.bc.test_answers import FlakyStore, Reads, WallClock
from tests.edge.writes_support import REORDER
from tests.redis_server import RedisServer
from tests.sandbox.webhooks.support import FakeClock
from tests.webhooks.conftest import WEBHOOKS, events, next_event, service_of, store_of, two_replicas, until
from tests.webhooks.test_deleted_owners import order_numbers, sales_orders
from tests.webhooks.test_endpoint import notification, post
from tests.webhooks.test_invalidation import CACHE, ORDERS, Portal, bc_reads, deliver, portal

pytestmark = pytest.mark.anyio

__all__ = ["portal"]  # the fixture, shared with test_invalidation


async def reorder_one(portal: Portal, company: str) -> tuple[str, dict[str, Any]]:
    """A customer's token and the order their reorder of one of their orders placed (as BC
    holds it), the clock not moved since: BC's notification of it is still to come."""
    for source in sales_orders(portal.sandbox, company):
        token = portal.token(company, source["customerNumber"])
        key = f"own-write-{uuid.uuid4().hex}"
        body = await portal.ask(
            token, REORDER, input={"orderNumber": source["number"], "idempotencyKey": key}
        )
        placed = body["data"]["reorder"]
        if placed["__typename"] == "PlacedOrder":
            number = placed["order"]["number"]
            order = next(o for o in sales_orders(portal.sandbox, company) if o["number"] == number)
            return token, order
    pytest.fail("no order of the demo world could be reordered")


def company_of(portal: Portal) -> str:
    return str(sandbox_of(portal.sandbox).store.companies[0]["id"])


async def test_bc_notifying_a_customers_own_reorder_keeps_what_they_read_since(
    portal: Portal, clock: FakeClock
) -> None:
    company = company_of(portal)
    token, order = await reorder_one(portal, company)
    page = await portal.ask(token, ORDERS)
    assert bc_reads(portal) > 0  # the reorder made the customer's kept orders stale
    stats = service_of(portal.app).stats

    async with events(store_of(portal.app), company) as messages:
        await deliver(portal, clock)  # BC's "created" for the new order, 30 s later
        heard = await next_event(messages)
    bc_reads(portal)
    again = await portal.ask(token, ORDERS)

    assert order["number"] in order_numbers(page)
    assert bc_reads(portal) == 0  # nothing changed since the write: the orders stay kept
    assert again["data"] == page["data"]
    assert stats.own_write_echo == 1
    # Subscribers still hear of it (a second tab of the customer shows the new order live).
    assert (heard["id"], heard["changeType"]) == (order["id"], "created")
    assert heard["owner"]["customer"] == order["customerNumber"]


async def test_a_staff_change_after_the_customers_write_still_forgets_their_orders(
    portal: Portal, clock: FakeClock
) -> None:
    company = company_of(portal)
    token, order = await reorder_one(portal, company)
    await portal.ask(token, ORDERS)
    clock.advance(5)
    released = await portal.http.post(
        "/_sandbox/staff/release", json={"company": company, "order": order["number"]}
    )
    assert released.status_code == 200, released.text

    stats = service_of(portal.app).stats
    await deliver(portal, clock)  # "created" (the write's echo), then staff's "updated", later
    await until(lambda: stats.processed == 2)
    bc_reads(portal)
    after = await portal.ask(token, ORDERS)

    shown = {node["number"]: node["status"] for node in after["data"]["orders"]["nodes"]}
    assert bc_reads(portal, "salesOrders") > 0  # the release came after the write: read again
    assert shown[order["number"]] == "RELEASED"
    assert stats.own_write_echo == 1  # the "created" alone


async def test_the_notification_of_a_write_made_through_one_replica_is_its_echo_on_another(
    redis_server: RedisServer, live_sandbox: Starlette, clock: FakeClock
) -> None:
    shared = StoreSettings(redis_server.url, prefix=f"test-own-{uuid.uuid4().hex[:8]}")
    settings = Settings(webhooks=WEBHOOKS, cache=CACHE, store=shared)
    async with two_replicas(settings, live_sandbox, clock) as replicas:
        second, to_second = replicas.second, replicas.to_second
        # The customer uses the first replica.
        portal = Portal(replicas.first, replicas.to_first, replicas.development, live_sandbox)
        company = company_of(portal)
        token, order = await reorder_one(portal, company)
        page = await portal.ask(token, ORDERS)

        # BC's notification of the new order reaches the second replica.
        sent = notification(
            second,
            resource=f"api/v2.0/companies({company})/salesOrders({order['id']})",
            changeType="created",
            lastModifiedDateTime=order["lastModifiedDateTime"],
        )
        sent["clientState"] = service_of(second).client_states.for_resource(
            uuid.UUID(company), "v2.0", "salesOrders"
        )
        assert (await post(to_second, sent)).status_code == 202
        stats = service_of(second).stats
        await until(lambda: stats.processed == 1)
        bc_reads(portal)  # the second replica read whose order it is (BC's "created" names its id)
        again = await portal.ask(token, ORDERS)
        reads = bc_reads(portal)

    assert (reads, again["data"]) == (0, page["data"])
    assert stats.own_write_echo == 1


COMPANY = uuid.UUID("11111111-2222-3333-4444-555555555555")
WRITTEN_ID = "0a2b3c4d-0000-4000-8000-0000000000b7"
WRITTEN_AT = dt.datetime(2026, 6, 15, 9, 0, 1, tzinfo=dt.UTC)


def bc_change(change_type: ChangeType) -> RecordChanged:
    """BC's notification of the order customer 10000 wrote, stamped when it was written."""
    owner = RecordOwner(WRITTEN_ID, "S-ORD9", "10000", None)
    return RecordChanged(COMPANY, "v2.0", "salesOrders", WRITTEN_ID, change_type, WRITTEN_AT, owner)


async def kept_orders_after(change: RecordChanged, *, store_down: bool) -> tuple[bool, WebhookStats]:
    """Whether customer 10000's orders read after their write are still kept once ``change`` has
    been processed (the store not answering meanwhile, with ``store_down``)."""
    store, reads = FlakyStore(), Reads()
    answers = AnswerCache(CacheSettings(), store, wall_clock=WallClock())
    row = {"id": WRITTEN_ID, "lastModifiedDateTime": "2026-06-15T09:00:01Z"}
    await answers.own_writes.remember(COMPANY, "salesOrders", row)
    key = read_key("api/v2.0", COMPANY, "10000", "salesOrders", {"$top": "20"})
    assert key is not None
    await answers.read(key, reads)
    stats = WebhookStats()

    store.down = store_down
    await AnswerInvalidation(answers, stats).record_changed(change)
    store.down = False

    return (await answers.read(key, reads)).kept, stats


async def test_the_echo_of_a_write_forgets_nothing() -> None:
    kept, stats = await kept_orders_after(bc_change(ChangeType.CREATED), store_down=False)
    assert (kept, stats.own_write_echo) == (True, 1)


async def test_when_the_store_does_not_answer_the_notification_forgets_as_before() -> None:
    kept, stats = await kept_orders_after(bc_change(ChangeType.UPDATED), store_down=True)
    assert (kept, stats.own_write_echo) == (False, 0)


async def test_a_deletion_of_a_written_record_forgets_as_before() -> None:
    kept, stats = await kept_orders_after(bc_change(ChangeType.DELETED), store_down=False)
    assert (kept, stats.own_write_echo) == (False, 0)
