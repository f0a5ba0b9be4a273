"""A deleted record's owner comes from the rows the gateway kept, so its deletion forgets that
customer's answers only (docs/caching.md, "A deleted record's owner").

BC deletes a sales order once it is shipped and invoiced, and a deleted record has no owner left
to read: before, every such deletion made every customer's kept orders stale.
"""

from __future__ import annotations

import random
import uuid
from typing import Any

import pytest
from starlette.applications import Starlette

from gateway.app import create_app
from gateway.edge.development import start_development
from gateway.sandbox.app import sandbox_of
from gateway.sandbox.staff.desk import Desk
from gateway.settings import Settings
from gateway.store import StoreSettings
from tests.conftest import TODAY
from tests.redis_server import RedisServer
from tests.sandbox.webhooks.support import FakeClock
from tests.webhooks.conftest import WEBHOOKS, client_for, service_of, two_replicas, until
from tests.webhooks.test_endpoint import notification, post
from tests.webhooks.test_invalidation import CACHE, ORDERS, Portal, bc_reads, deliver, portal

pytestmark = pytest.mark.anyio

__all__ = ["portal"]  # the fixture, shared with test_invalidation


def order_numbers(body: dict[str, Any]) -> list[str]:
    return [node["number"] for node in body["data"]["orders"]["nodes"]]


def sales_orders(sandbox: Starlette, company: str) -> list[dict[str, Any]]:
    return sandbox_of(sandbox).store.table(company, "v2.0", "salesOrders")


def customers_with_orders(sandbox: Starlette, company: str) -> list[str]:
    return list(dict.fromkeys(order["customerNumber"] for order in sales_orders(sandbox, company)))


def delete_order(sandbox: Starlette, company: str, order: dict[str, Any]) -> None:
    """BC deletes the order (as it does once it is invoiced): its notification follows."""
    Desk(sandbox_of(sandbox), company, random.Random(0)).delete("salesOrders", order)


def shown_order(sandbox: Starlette, company: str, customer: str, shown: list[str]) -> dict[str, Any] | None:
    """A sales order of ``customer`` that their orders page shows."""
    return next(
        (
            o
            for o in sales_orders(sandbox, company)
            if o["customerNumber"] == customer and o["number"] in shown
        ),
        None,
    )


async def owner_and_other(portal: Portal, company: str) -> tuple[str, str, dict[str, Any], dict[str, Any]]:
    """A customer's token, another customer's, the first one's orders page and an order in it."""
    numbers = customers_with_orders(portal.sandbox, company)
    for number in numbers:
        token = portal.token(company, number)
        page = await portal.ask(token, ORDERS)
        order = shown_order(portal.sandbox, company, number, order_numbers(page))
        if order is not None:
            other = portal.token(company, next(n for n in numbers if n != number))
            return token, other, page, order
    pytest.fail("no customer's orders page shows a sales order")


async def test_a_deleted_order_forgets_its_owners_answers_and_no_other_customers(
    portal: Portal, clock: FakeClock
) -> None:
    company = str(sandbox_of(portal.sandbox).store.companies[0]["id"])
    owner, other, _, order = await owner_and_other(portal, company)
    others_before = await portal.ask(other, ORDERS)
    stats = service_of(portal.app).stats
    bc_reads(portal)

    delete_order(portal.sandbox, company, order)
    await deliver(portal, clock)
    bc_reads(portal)
    others_after = await portal.ask(other, ORDERS)
    other_reads = bc_reads(portal)
    await portal.ask(owner, ORDERS)
    owner_reads = bc_reads(portal, "salesOrders")

    assert other_reads == 0  # the other customer's kept orders stay kept
    assert others_after["data"] == others_before["data"]
    assert owner_reads > 0  # the owner's sales orders are read again, without the deleted one
    assert (stats.owners_learned, stats.owners_unknown) == (1, 0)


async def test_a_deleted_order_no_customer_read_forgets_nobodys_answers(
    portal: Portal, clock: FakeClock
) -> None:
    company = str(sandbox_of(portal.sandbox).store.companies[0]["id"])
    *readers, unread = customers_with_orders(portal.sandbox, company)[:3]
    tokens = [portal.token(company, number) for number in readers]
    before = [await portal.ask(token, ORDERS) for token in tokens]
    order = next(o for o in sales_orders(portal.sandbox, company) if o["customerNumber"] == unread)
    bc_reads(portal)

    delete_order(portal.sandbox, company, order)  # BC invoiced an order nobody had looked at
    await deliver(portal, clock)
    bc_reads(portal)
    after = [await portal.ask(token, ORDERS) for token in tokens]

    stats = service_of(portal.app).stats
    assert (stats.owners_unread, stats.owners_unknown) == (1, 0)
    # No kept answer held it, so every customer's kept orders are still served: BC is not asked.
    assert bc_reads(portal) == 0
    assert [body["data"] for body in after] == [body["data"] for body in before]


async def test_after_a_redis_restart_a_deletion_still_forgets_its_owners_answers(
    own_server: RedisServer, live_sandbox: Starlette, clock: FakeClock
) -> None:
    settings = Settings(
        webhooks=WEBHOOKS, cache=CACHE, store=StoreSettings(own_server.url, prefix="test-restart")
    )
    development = start_development(settings, sandbox=live_sandbox)
    app = create_app(
        settings, development=development, today=lambda: TODAY, wall_clock=lambda: clock.now.timestamp()
    )
    async with app.router.lifespan_context(app), client_for(app) as http:
        await until(lambda: service_of(app).manager.reported.is_set())
        portal = Portal(app, http, development, live_sandbox)
        company = str(sandbox_of(live_sandbox).store.companies[0]["id"])
        owner, _, page, order = await owner_and_other(portal, company)
        own_server.stop()  # Redis restarts empty: the order's remembered owner is gone with the rest
        own_server.start()

        delete_order(live_sandbox, company, order)
        await deliver(portal, clock)
        bc_reads(portal)
        await portal.ask(owner, ORDERS)

    assert order["number"] in order_numbers(page)
    assert bc_reads(portal, "salesOrders") > 0  # the owner's kept answer is not trusted any more


async def test_with_redis_one_replica_reads_the_order_and_another_attributes_its_deletion(
    redis_server: RedisServer, live_sandbox: Starlette, clock: FakeClock
) -> None:
    shared = StoreSettings(redis_server.url, prefix=f"test-owners-{uuid.uuid4().hex[:8]}")
    settings = Settings(webhooks=WEBHOOKS, cache=CACHE, store=shared)
    async with two_replicas(settings, live_sandbox, clock) as replicas:
        second, to_second = replicas.second, replicas.to_second
        # Customers ask the first replica.
        portal = Portal(replicas.first, replicas.to_first, replicas.development, live_sandbox)
        company = str(sandbox_of(live_sandbox).store.companies[0]["id"])
        owner, other, _, order = await owner_and_other(portal, company)
        others_before = await portal.ask(other, ORDERS)
        bc_reads(portal)

        delete_order(live_sandbox, company, order)  # and BC's notification reaches the second
        resource = f"api/v2.0/companies({company})/salesOrders({order['id']})"
        sent = notification(second, resource=resource, changeType="deleted")
        sent["clientState"] = service_of(second).client_states.for_resource(
            uuid.UUID(company), "v2.0", "salesOrders"
        )
        assert (await post(to_second, sent)).status_code == 202
        stats = service_of(second).stats
        await until(lambda: stats.processed == 1)
        others_after = await portal.ask(other, ORDERS)
        other_reads = bc_reads(portal)
        await portal.ask(owner, ORDERS)
        owner_reads = bc_reads(portal, "salesOrders")

    assert (other_reads, others_after["data"]) == (0, others_before["data"])
    assert owner_reads > 0
    assert (stats.owners_learned, stats.owners_unknown) == (1, 0)
