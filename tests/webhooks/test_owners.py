"""Whose record each change is: read once per body from BC, then remembered here and in the store
(an order's is read again when it changes: BC lets staff move an open order to another customer)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
from starlette.applications import Starlette

from gateway.bc import BCClient
from gateway.edge.development import start_development
from gateway.edge.logs import keep_request_urls_out_of_logs
from gateway.sandbox.app import sandbox_of
from gateway.settings import Settings
from gateway.store import MemoryStore
from gateway.webhooks import ChangeType, RecordChanged, WebhookStats
from gateway.webhooks.owners import OwnerDirectory

pytestmark = pytest.mark.anyio

AT = dt.datetime(2026, 6, 15, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
async def bc(live_sandbox: Starlette) -> AsyncIterator[BCClient]:
    keep_request_urls_out_of_logs()  # as the app does: BC's URLs never reach the logs
    development = start_development(Settings(), sandbox=live_sandbox)
    async with BCClient(development.bc_settings, transport=development.bc_transport) as client:
        yield client


def rows(sandbox: Starlette, entity_set: str, route: str = "v2.0") -> tuple[str, list[dict[str, Any]]]:
    store = sandbox_of(sandbox).store
    company = str(store.companies[0]["id"])
    return company, store.table(company, route, entity_set)


def changed(
    company: str, entity_set: str, record_id: str, how: ChangeType = ChangeType.UPDATED
) -> RecordChanged:
    route = "bcgateway/portal/v1.0" if entity_set == "customerQueries" else "v2.0"
    return RecordChanged(uuid.UUID(company), route, entity_set, str(record_id).lower(), how, AT)


async def test_a_body_of_changes_costs_one_read_per_entity_set(bc: BCClient, live_sandbox: Starlette) -> None:
    company, orders = rows(live_sandbox, "salesOrders")
    _, queries = rows(live_sandbox, "customerQueries", "bcgateway/portal/v1.0")
    log = sandbox_of(live_sandbox).log
    directory = OwnerDirectory(bc.owners, MemoryStore().kv, stats := WebhookStats())
    changes = [changed(company, "salesOrders", o["id"]) for o in orders[:3]]
    changes.append(changed(company, "customerQueries", queries[0]["id"]))
    log.clear()

    attached = await directory.attach(changes)

    assert [c.owner.customer_number if c.owner else None for c in attached] == [
        *(o["customerNumber"] for o in orders[:3]),
        queries[0]["customerNumber"],
    ]
    assert [c.owner.number if c.owner else None for c in attached[:3]] == [o["number"] for o in orders[:3]]
    assert log.count("salesOrders") == 1
    assert log.count("customerQueries") == 1
    assert stats.owner_reads == 2
    assert stats.owners_unknown == 0


async def test_an_owner_read_once_is_not_read_again_here_or_on_another_replica(
    bc: BCClient, live_sandbox: Starlette
) -> None:
    company, shipments = rows(live_sandbox, "salesShipments")  # posted: its customer never changes
    log = sandbox_of(live_sandbox).log
    shared = MemoryStore()
    change = changed(company, "salesShipments", shipments[0]["id"])
    await OwnerDirectory(bc.owners, shared.kv, WebhookStats()).attach([change])
    log.clear()

    again = await OwnerDirectory(bc.owners, shared.kv, WebhookStats()).attach([change])

    assert again[0].owner is not None
    assert again[0].owner.customer_number == shipments[0]["customerNumber"]
    assert log.count() == 0


async def test_an_orders_owner_is_read_again_at_each_update_since_it_may_have_moved(
    bc: BCClient, live_sandbox: Starlette
) -> None:
    company, orders = rows(live_sandbox, "salesOrders")
    log = sandbox_of(live_sandbox).log
    directory = OwnerDirectory(bc.owners, MemoryStore().kv, stats := WebhookStats())
    await directory.attach([changed(company, "salesOrders", orders[0]["id"])])
    orders[0]["customerNumber"] = "MOVED-TO"  # staff changed the open order's customer in BC
    log.clear()

    updated, deleted = [
        (await directory.attach([changed(company, "salesOrders", orders[0]["id"], how)]))[0]
        for how in (ChangeType.UPDATED, ChangeType.DELETED)
    ]

    assert updated.owner is not None
    assert updated.owner.customer_number == "MOVED-TO"
    assert log.count("salesOrders") == 1  # the update's; a deletion cannot be read
    assert deleted.owner is not None
    assert deleted.owner.customer_number == "MOVED-TO"
    assert stats.owner_reads == 2


async def test_a_deleted_record_keeps_the_owner_it_had_and_an_unseen_one_has_none(
    bc: BCClient, live_sandbox: Starlette
) -> None:
    company, orders = rows(live_sandbox, "salesOrders")
    log = sandbox_of(live_sandbox).log
    directory = OwnerDirectory(bc.owners, MemoryStore().kv, stats := WebhookStats())
    await directory.attach([changed(company, "salesOrders", orders[0]["id"])])
    log.clear()

    seen, unseen = await directory.attach(
        [
            changed(company, "salesOrders", orders[0]["id"], ChangeType.DELETED),
            changed(company, "salesOrders", str(uuid.uuid4()), ChangeType.DELETED),
        ]
    )

    assert seen.owner is not None
    assert seen.owner.number == orders[0]["number"]
    assert unseen.owner is None
    assert log.count() == 0  # a deleted record cannot be read: nothing is asked
    assert stats.owners_unknown == 1
