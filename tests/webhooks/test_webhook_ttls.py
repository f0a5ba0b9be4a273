"""Times to live backed by BC's webhooks (issue 11): while the subscriptions that report every
change of a kind of data are active, its answers are kept ``with_webhooks_ttl`` (600 s) instead of
their own (15 s for orders); without them — webhooks off, a subscription BC lost or refuses, a
manager that stopped checking — the short ones apply, and an answer read before the
subscriptions were back is never kept long.  The clock is the test's; nothing sleeps.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from gateway.app import create_app
from gateway.bc import CacheSettings, DataKind, notified_by
from gateway.edge.development import Development, start_development
from gateway.sandbox.app import sandbox_of
from gateway.settings import Settings
from gateway.store import StoreSettings
from gateway.webhooks import WebhookSettings
from gateway.webhooks.manager import SubscriptionManager
from tests.conftest import TODAY
from tests.redis_server import RedisServer
from tests.sandbox.webhooks.support import FakeClock
from tests.webhooks.conftest import WEBHOOKS, client_for, service_of, until
from tests.webhooks.test_invalidation import Portal, bc_reads, deliver, shippable_orders

pytestmark = pytest.mark.anyio

DASHBOARD = "{ me { number balance { amount } } orders(first: 5) { nodes { number status } } }"
ORDERS_TTL = CacheSettings().orders_ttl  # 15 s
LONG_TTL = CacheSettings().with_webhooks_ttl  # 600 s


class Unreachable(httpx.AsyncBaseTransport):
    """The way from BC to the gateway's ``/webhooks/bc``, which the test can cut: BC's handshake
    then fails, as it does when BC cannot reach the notification URL."""

    def __init__(self, inner: httpx.AsyncBaseTransport | None) -> None:
        assert inner is not None, "the gateway hands the sandbox a transport to itself"
        self.inner = inner
        self.cut = False

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self.cut:
            raise httpx.ConnectError("the notification URL cannot be reached", request=request)
        return await self.inner.handle_async_request(request)


def portal_app(
    sandbox: Starlette,
    clock: FakeClock,
    webhooks: WebhookSettings,
    store: StoreSettings,
    development: Development | None = None,
) -> Portal:
    """A gateway on ``sandbox``; replicas share one ``development`` (its identity provider)."""
    settings = Settings(webhooks=webhooks, store=store)
    development = development or start_development(settings, sandbox=sandbox)
    app = create_app(
        settings, development=development, today=lambda: TODAY, wall_clock=lambda: clock.now.timestamp()
    )
    return Portal(app, client_for(app), development, sandbox)


@pytest.fixture
async def portal(live_sandbox: Starlette, clock: FakeClock) -> AsyncIterator[Portal]:
    """A gateway with webhooks on and the default times to live, its subscriptions made."""
    made = portal_app(live_sandbox, clock, WEBHOOKS, StoreSettings())
    async with made.app.router.lifespan_context(made.app), made.http:
        await until(lambda: service_of(made.app).manager.reported.is_set())
        yield made


def company_of(portal: Portal) -> str:
    return str(sandbox_of(portal.sandbox).store.companies[0]["id"])


def customers(portal: Portal, count: int = 1) -> list[str]:
    """Tokens of the first ``count`` customers of the first company."""
    company = company_of(portal)
    numbers = sorted(
        {c.customer_number for c in portal.development.customers if str(c.company_id) == company}
    )
    return [portal.token(company, number) for number in numbers[:count]]


def lose(portal: Portal, entity_set: str) -> None:
    """BC forgets the gateway's subscription to ``entity_set`` of the first company."""
    sandbox = sandbox_of(portal.sandbox)
    company = company_of(portal)
    gone = next(
        s
        for s in sandbox.webhooks.subscriptions.active(sandbox.now())
        if s.target.company_id == company and s.target.entity_set == entity_set
    )
    sandbox.webhooks.delete(gone.subscription_id)


def states(manager: SubscriptionManager, entity_set: str) -> list[str]:
    return [e["state"] for e in manager.report.subscriptions if e["entitySet"] == entity_set]


async def served(portal: Portal, token: str) -> int:
    """Ask for the dashboard; how many reads BC answered for it."""
    bc_reads(portal)
    body: dict[str, Any] = await portal.ask(token, DASHBOARD)
    assert body["data"]["me"]["number"]
    return bc_reads(portal)


def test_the_kinds_kept_long_are_those_whose_every_change_a_subscription_reports() -> None:
    assert notified_by(DataKind.ORDERS) == {"salesOrders", "salesShipments", "salesInvoices"}
    assert notified_by(DataKind.ACCOUNT) == {"salesInvoices", "salesCreditMemos", "customers"}
    assert notified_by(DataKind.QUERIES) == {"customerQueries"}
    # Stock moves through item ledger entries, which BC never notifies: shared kinds stay short.
    assert notified_by(DataKind.AVAILABILITY) == notified_by(DataKind.CATALOGUE) == frozenset()


async def test_with_active_subscriptions_answers_are_kept_for_the_webhook_time_to_live(
    portal: Portal, clock: FakeClock
) -> None:
    (token,) = customers(portal)
    assert await served(portal, token) > 0

    clock.advance(4 * ORDERS_TTL)
    assert await served(portal, token) == 0
    clock.advance(LONG_TTL - 5 * ORDERS_TTL)
    assert await served(portal, token) == 0  # 585 s old: still kept
    clock.advance(2 * ORDERS_TTL)
    assert await served(portal, token) > 0  # 615 s old: read again


async def test_without_webhooks_each_kind_keeps_its_own_time_to_live(
    live_sandbox: Starlette, clock: FakeClock
) -> None:
    made = portal_app(live_sandbox, clock, WebhookSettings(), StoreSettings())
    async with made.app.router.lifespan_context(made.app), made.http:
        (token,) = customers(made)
        assert await served(made, token) > 0
        clock.advance(ORDERS_TTL / 3)
        assert await served(made, token) == 0
        clock.advance(ORDERS_TTL)
        assert await served(made, token) > 0


async def test_a_subscription_bc_cannot_keep_brings_the_short_time_to_live_back_until_it_is_active_again(
    portal: Portal, clock: FakeClock
) -> None:
    manager = service_of(portal.app).manager
    sandbox = sandbox_of(portal.sandbox)
    route = Unreachable(sandbox.webhooks.transport)
    sandbox.webhooks.deliver_through(route)
    (token,) = customers(portal)
    await served(portal, token)
    clock.advance(2 * ORDERS_TTL)
    assert await served(portal, token) == 0  # kept long

    # BC lost the subscription to shipments, and cannot make it again: BC cannot reach the gateway.
    lose(portal, "salesShipments")
    route.cut = True
    await manager.reconcile()
    assert "refused" in states(manager, "salesShipments")
    assert await served(portal, token) > 0  # orders change with shipments: their 15 s apply again
    clock.advance(ORDERS_TTL + 1)
    assert await served(portal, token) > 0

    # BC reaches the gateway again: the subscription is made, and shipments are reported from now on.
    route.cut = False
    clock.advance(1)
    await manager.reconcile()
    assert set(states(manager, "salesShipments")) == {"active"}
    clock.advance(ORDERS_TTL + 1)
    assert await served(portal, token) > 0  # read before the subscription was back: kept 15 s only
    clock.advance(2 * ORDERS_TTL)
    assert await served(portal, token) == 0  # read since: kept long


async def test_a_manager_that_stopped_checking_says_nothing_and_the_short_time_to_live_applies(
    portal: Portal, clock: FakeClock
) -> None:
    (token,) = customers(portal)
    clock.advance(WEBHOOKS.check_every_seconds)  # the last pass is as old as a pass's interval
    await served(portal, token)
    clock.advance(2 * ORDERS_TTL)
    assert await served(portal, token) == 0
    clock.advance(WEBHOOKS.lease_seconds)  # and a lease more: nobody has looked at BC's list since
    assert await served(portal, token) > 0


async def test_a_subscription_bc_lost_and_the_gateway_made_again_makes_every_customer_read_again(
    portal: Portal, clock: FakeClock
) -> None:
    manager = service_of(portal.app).manager
    tokens = customers(portal, 2)
    for token in tokens:
        await served(portal, token)
    clock.advance(2 * ORDERS_TTL)

    lose(portal, "salesInvoices")  # invoices change orders and the account: notifications were missed
    await manager.reconcile()
    assert service_of(portal.app).stats.subscriptions_recreated == 1

    assert [await served(portal, token) > 0 for token in tokens] == [True, True]
    clock.advance(2 * ORDERS_TTL)
    assert [await served(portal, token) for token in tokens] == [0, 0]  # and kept long again


async def test_a_notification_drops_a_long_kept_answer_at_once(portal: Portal, clock: FakeClock) -> None:
    company = company_of(portal)
    for order in shippable_orders(portal, company):
        token = portal.token(company, order["customerNumber"])
        await served(portal, token)
        clock.advance(2 * ORDERS_TTL)
        assert await served(portal, token) == 0  # kept long
        shipped = await portal.http.post(
            "/_sandbox/staff/ship", json={"company": company, "order": order["number"]}
        )
        if shipped.status_code == 200:
            break
    else:
        pytest.fail("no order of the demo world could be shipped")
    assert await served(portal, token) == 0  # BC has not said anything yet

    await deliver(portal, clock)  # 30 s later: BC's notification, long before the 600 s
    assert await served(portal, token) > 0


async def test_two_replicas_on_redis_keep_and_stop_keeping_long_together(
    redis_server: RedisServer, live_sandbox: Starlette, clock: FakeClock
) -> None:
    shared = StoreSettings(redis_server.url, prefix=f"test-{uuid.uuid4().hex[:12]}")
    first = portal_app(live_sandbox, clock, WEBHOOKS, shared)
    second = portal_app(live_sandbox, clock, WEBHOOKS, shared, first.development)
    replicas = [first, second]
    async with (
        first.app.router.lifespan_context(first.app),
        second.app.router.lifespan_context(second.app),
        first.http,
        second.http,
    ):
        managers = [service_of(r.app).manager for r in replicas]
        await until(lambda: any(m.reported.is_set() for m in managers))
        for manager in managers:
            await manager.step()  # the other replica reads what the holder found
        leader, follower = sorted(replicas, key=lambda r: not service_of(r.app).manager.lease.held)
        route = Unreachable(sandbox_of(live_sandbox).webhooks.transport)
        sandbox_of(live_sandbox).webhooks.deliver_through(route)
        (token,) = customers(leader)

        assert await served(leader, token) > 0
        clock.advance(2 * ORDERS_TTL)
        assert await served(follower, token) == 0  # the answer the leader read, kept long in Redis
        assert await served(leader, token) == 0

        lose(leader, "salesOrders")
        route.cut = True
        await service_of(leader.app).manager.reconcile()  # refused: written to the shared report
        await service_of(follower.app).manager.step()  # the follower reads it
        assert "refused" in states(service_of(follower.app).manager, "salesOrders")
        assert await served(follower, token) > 0  # the follower too: 30 s is past the short TTL
        clock.advance(ORDERS_TTL + 1)
        assert await served(leader, token) > 0


def test_the_webhook_time_to_live_is_bounded_like_the_others() -> None:
    with pytest.raises(ValueError, match="with_webhooks_ttl"):
        CacheSettings(with_webhooks_ttl=0)
    with pytest.raises(ValueError, match="with_webhooks_ttl"):
        CacheSettings(with_webhooks_ttl=7200)
    assert dataclasses.replace(CacheSettings(), with_webhooks_ttl=1800).with_webhooks_ttl == 1800
