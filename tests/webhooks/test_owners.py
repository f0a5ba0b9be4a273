"""Whose record each change is: read once per body from BC, then remembered here and in the store
(an order's is read again when it changes: BC lets staff move an open order to another customer)."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
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


async def test_a_body_naming_several_sets_and_companies_reads_their_owners_in_one_request_per_api(
    bc: BCClient, live_sandbox: Starlette
) -> None:
    store = sandbox_of(live_sandbox).store
    first, second = (str(company["id"]) for company in store.companies[:2])
    named = [
        *(
            changed(first, name, row["id"])
            for name in ("salesOrders", "salesShipments", "salesInvoices")
            for row in store.table(first, "v2.0", name)[:2]
        ),
        changed(second, "salesOrders", store.table(second, "v2.0", "salesOrders")[0]["id"]),
        changed(
            first, "customerQueries", store.table(first, "bcgateway/portal/v1.0", "customerQueries")[0]["id"]
        ),
    ]
    log = sandbox_of(live_sandbox).log
    directory = OwnerDirectory(bc.owners, MemoryStore().kv, WebhookStats())
    log.clear()

    attached = await directory.attach(named)

    assert all(change.owner is not None for change in attached)
    # What a shipment's notification body holds (its order, itself, ... in both companies): one
    # $batch for the standard API's five reads, one request for the portal API's query.
    assert sorted(e.entity_set or "" for e in log.entries if not e.in_batch) == ["$batch", "customerQueries"]


class RefusingInBatch(httpx.AsyncBaseTransport):
    """BC answering one entity set's reads inside a ``$batch`` with an error, the others as asked."""

    def __init__(self, inner: httpx.AsyncBaseTransport, entity_set: str) -> None:
        self.inner = inner
        self.entity_set = entity_set

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        if not request.url.path.endswith("/$batch"):
            return response
        asked = {r["id"]: r["url"] for r in json.loads(request.content)["requests"]}
        body = json.loads(await response.aread())
        for answer in body["responses"]:
            if f"/{self.entity_set}?" in asked[answer["id"]]:
                error = {"code": "Internal_ServerError", "message": "Something went wrong."}
                answer.update(status=500, body={"error": error})
        return httpx.Response(response.status_code, headers={"content-type": "application/json"}, json=body)


async def test_a_set_bc_does_not_answer_leaves_only_its_own_changes_without_an_owner(
    live_sandbox: Starlette,
) -> None:
    company, orders = rows(live_sandbox, "salesOrders")
    _, invoices = rows(live_sandbox, "salesInvoices")
    development = start_development(Settings(), sandbox=live_sandbox)
    refusing = RefusingInBatch(development.bc_transport, "salesInvoices")
    async with BCClient(development.bc_settings, transport=refusing) as client:
        directory = OwnerDirectory(client.owners, MemoryStore().kv, stats := WebhookStats())
        order, invoice = await directory.attach(
            [
                changed(company, "salesOrders", orders[0]["id"]),
                changed(company, "salesInvoices", invoices[0]["id"]),
            ]
        )

    assert order.owner is not None
    assert order.owner.customer_number == orders[0]["customerNumber"]
    assert invoice.owner is None  # its kinds go company-wide, as when it was a request of its own
    assert (stats.owner_reads, stats.owners_unknown) == (1, 1)


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
