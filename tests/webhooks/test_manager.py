"""The subscription manager against the sandbox's BC: create, renew, recreate, never duplicate,
stay within BC's limit, and run on exactly one replica."""

from __future__ import annotations

import logging
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from gateway.bc import ANALYTICS_API, PORTAL_API, STANDARD_API, BCClient
from gateway.edge.development import start_development
from gateway.edge.logs import keep_request_urls_out_of_logs
from gateway.sandbox.app import sandbox_of
from gateway.sandbox.state import Sandbox
from gateway.sandbox.webhooks.resources import parse_resource
from gateway.settings import Settings
from gateway.store import MemoryStore
from gateway.webhooks import Dispatcher, ResourceResync, WebhookSettings, WebhookStats
from gateway.webhooks.client_state import ClientStates
from gateway.webhooks.manager import SubscriptionManager
from tests.sandbox.webhooks.support import FakeClock
from tests.webhooks.conftest import HOOK_URL, SECRET, WEBHOOKS, world_sandbox

pytestmark = pytest.mark.anyio

COMPANIES = 2
RESOURCES = 7  # WATCHED: all of them exist in the full sandbox
DAY = 24 * 3600


@dataclass
class Replica:
    """One gateway replica's manager, and what it did."""

    manager: SubscriptionManager
    stats: WebhookStats
    resyncs: list[ResourceResync] = field(default_factory=list)


async def echo(request: Request) -> PlainTextResponse:
    return PlainTextResponse(request.query_params.get("validationToken", ""))


@pytest.fixture
def bc_world(clock: FakeClock) -> Starlette:
    app = world_sandbox(clock)
    handshakes = Starlette(routes=[Route("/{path:path}", echo, methods=["POST"])])
    sandbox_of(app).webhooks.deliver_through(httpx.ASGITransport(app=handshakes))
    return app


@pytest.fixture
def bc_sandbox(bc_world: Starlette) -> Sandbox:
    return sandbox_of(bc_world)


@pytest.fixture
async def bc(bc_world: Starlette) -> AsyncIterator[BCClient]:
    keep_request_urls_out_of_logs()  # as create_app does: no BC URL in the logs
    development = start_development(Settings(), sandbox=bc_world)
    async with BCClient(development.bc_settings, transport=development.bc_transport) as client:
        await client.capabilities.refresh(client, (STANDARD_API, ANALYTICS_API, PORTAL_API))
        yield client


@pytest.fixture
def store(clock: FakeClock) -> MemoryStore:
    return MemoryStore(clock=lambda: clock.now.timestamp())


def replica(bc: BCClient, store: MemoryStore, clock: FakeClock) -> Replica:
    stats = WebhookStats()
    dispatcher = Dispatcher(store.kv, stats, replay_window_seconds=WEBHOOKS.replay_window_seconds)
    made = Replica(
        SubscriptionManager(
            bc, store.kv, WEBHOOKS, ClientStates(SECRET), dispatcher, stats, now=clock, sleep=_never
        ),
        stats,
    )

    async def record(request: ResourceResync) -> None:
        made.resyncs.append(request)

    dispatcher.on_resync(record)
    return made


async def _never(seconds: float) -> None:
    raise AssertionError("the tests drive the manager step by step")


def ours(sandbox: Sandbox) -> list[str]:
    active = sandbox.webhooks.subscriptions.active(sandbox.now())
    return sorted(s.resource for s in active if s.notification_url == HOOK_URL)


async def test_the_first_pass_subscribes_every_company_to_every_resource(
    bc: BCClient, store: MemoryStore, clock: FakeClock, bc_sandbox: Sandbox
) -> None:
    first = replica(bc, store, clock)

    await first.manager.step()

    assert len(ours(bc_sandbox)) == COMPANIES * RESOURCES
    targets = {parse_resource(r) for r in ours(bc_sandbox)}
    assert {t.entity_set for t in targets if t} == {
        "salesOrders",
        "salesInvoices",
        "salesShipments",
        "customerQueries",
        "salesCreditMemos",
        "customers",
        "items",
    }
    report = first.manager.report
    assert report.summary() == {"active": COMPANIES * RESOURCES}
    assert report.budget == {"limit": 200, "others": 0, "available": 200, "wanted": 14, "planned": 14}
    states = {s.client_state for s in bc_sandbox.webhooks.subscriptions.active(clock.now)}
    assert len(states) == COMPANIES * RESOURCES  # one secret per company and resource


async def test_a_restarted_gateway_finds_its_subscriptions_and_duplicates_nothing(
    bc: BCClient, clock: FakeClock, bc_sandbox: Sandbox
) -> None:
    await replica(bc, MemoryStore(), clock).manager.step()
    before = ours(bc_sandbox)

    restarted = replica(bc, MemoryStore(), clock)  # a new process: nothing of the old one is left
    await restarted.manager.step()

    assert ours(bc_sandbox) == before
    assert (restarted.stats.subscriptions_created, restarted.stats.subscriptions_renewed) == (0, 0)
    assert restarted.manager.report.summary() == {"active": 14}


async def test_duplicates_left_by_a_crash_are_deleted(
    bc: BCClient, clock: FakeClock, bc_sandbox: Sandbox
) -> None:
    await replica(bc, MemoryStore(), clock).manager.step()
    existing = next(
        s for s in bc_sandbox.webhooks.subscriptions.active(clock.now) if s.notification_url == HOOK_URL
    )
    bc_sandbox.webhooks.subscriptions.create(
        existing.route, HOOK_URL, existing.resource, existing.target, existing.client_state, clock.now
    )

    cleaner = replica(bc, MemoryStore(), clock)
    await cleaner.manager.step()

    assert len(ours(bc_sandbox)) == 14
    assert cleaner.stats.subscriptions_deleted == 1


async def test_subscriptions_about_to_expire_are_renewed(
    bc: BCClient, store: MemoryStore, clock: FakeClock, bc_sandbox: Sandbox
) -> None:
    leader = replica(bc, store, clock)
    await leader.manager.step()
    clock.advance(2 * DAY + 60)  # a day less a minute left: inside the renew margin

    await leader.manager.step()

    assert leader.stats.subscriptions_renewed == 14
    for subscription in bc_sandbox.webhooks.subscriptions.active(clock.now):
        assert (subscription.expires - clock.now).total_seconds() == 3 * DAY
    clock.advance(2 * DAY)  # past the first expiry: they live on
    assert len(ours(bc_sandbox)) == 14


async def test_a_subscription_bc_deleted_is_created_again_and_its_resource_resynced(
    bc: BCClient, store: MemoryStore, clock: FakeClock, bc_sandbox: Sandbox
) -> None:
    leader = replica(bc, store, clock)
    await leader.manager.step()
    gone = next(
        s for s in bc_sandbox.webhooks.subscriptions.active(clock.now) if s.target.entity_set == "salesOrders"
    )
    bc_sandbox.webhooks.delete(gone.subscription_id)
    clock.advance(WEBHOOKS.check_every_seconds)

    await leader.manager.step()

    assert len(ours(bc_sandbox)) == 14
    assert (leader.stats.subscriptions_created, leader.stats.subscriptions_recreated) == (15, 1)
    (resync,) = leader.resyncs
    assert (str(resync.company_id), resync.entity_set, resync.reason) == (
        gone.target.company_id,
        "salesOrders",
        "subscription_recreated",
    )
    assert resync.since is not None
    assert resync.since < clock.now


class ForgettingBC(httpx.AsyncBaseTransport):
    """BC that loses one subscription the moment the gateway tries to renew it (between its list
    and the PATCH): the PATCH meets a 404."""

    def __init__(self, inner: httpx.AsyncBaseTransport, sandbox: Sandbox, entity_set: str) -> None:
        self.inner, self.sandbox, self.entity_set = inner, sandbox, entity_set

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "PATCH" and "subscriptions('" in request.url.path:
            key = request.url.path.rsplit("('", 1)[1].rstrip("')")
            found = self.sandbox.webhooks.subscriptions.get(key, self.sandbox.now())
            if found is not None and found.target.entity_set == self.entity_set:
                self.sandbox.webhooks.delete(key)
        return await self.inner.handle_async_request(request)


async def test_a_renewal_bc_answers_with_404_creates_the_subscription_again(
    bc_world: Starlette, store: MemoryStore, clock: FakeClock, bc_sandbox: Sandbox
) -> None:
    development = start_development(Settings(), sandbox=bc_world)
    forgetting = ForgettingBC(development.bc_transport, bc_sandbox, "items")
    async with BCClient(development.bc_settings, transport=forgetting) as bc:
        leader = replica(bc, store, clock)
        await leader.manager.step()
        clock.advance(2 * DAY + 60)

        await leader.manager.step()

    assert leader.stats.subscriptions_renewed == 12
    assert leader.stats.subscriptions_recreated == 2  # items of both companies
    assert len(ours(bc_sandbox)) == 14
    assert [r.entity_set for r in leader.resyncs] == ["items", "items"]


async def test_the_plan_stays_within_bcs_limit_and_says_so(
    bc: BCClient, store: MemoryStore, clock: FakeClock, bc_sandbox: Sandbox, caplog: pytest.LogCaptureFixture
) -> None:
    target = parse_resource(f"/api/v2.0/companies({bc_sandbox.store.companies[0]['id']})/customers")
    assert target is not None
    for _ in range(190):  # another integration's subscriptions
        bc_sandbox.webhooks.subscriptions.create(
            "v2.0", "https://erp.example/hook", "x", target, "", clock.now
        )
    leader = replica(bc, store, clock)

    with caplog.at_level(logging.WARNING, logger="gateway.webhooks"):
        await leader.manager.step()

    assert len(bc_sandbox.webhooks.subscriptions.active(clock.now)) == 200
    assert leader.manager.report.summary() == {"active": 10, "over_budget": 4}
    assert leader.manager.report.budget["available"] == 10
    skipped = {e["entitySet"] for e in leader.manager.report.subscriptions if e["state"] == "over_budget"}
    assert skipped == {"customers", "items"}  # the least important ones
    assert "webhook_budget_exceeded" in [r.message for r in caplog.records]


async def test_exactly_one_replica_manages_and_another_takes_over_when_it_dies(
    bc: BCClient, store: MemoryStore, clock: FakeClock, bc_sandbox: Sandbox
) -> None:
    first, second = replica(bc, store, clock), replica(bc, store, clock)

    await first.manager.step()
    await second.manager.step()

    assert (first.manager.lease.held, second.manager.lease.held) == (True, False)
    assert second.stats.subscriptions_created == 0
    assert second.manager.report.as_json() == first.manager.report.as_json()  # read from the store

    clock.advance(WEBHOOKS.lease_seconds)  # the first replica died: it no longer renews
    await second.manager.step()

    assert second.manager.lease.held
    assert len(ours(bc_sandbox)) == 14
    await first.manager.step()  # back from the dead: it finds the lease taken
    assert not first.manager.lease.held


async def test_a_new_secret_renews_every_subscription_with_its_new_client_state(
    bc: BCClient, store: MemoryStore, clock: FakeClock, bc_sandbox: Sandbox
) -> None:
    await replica(bc, store, clock).manager.step()
    rotated = WebhookSettings(
        enabled=True, notification_url=HOOK_URL, secret=b"another secret, also 32 bytes long"
    )
    stats = WebhookStats()
    states = ClientStates(rotated.secret or b"")
    dispatcher = Dispatcher(store.kv, stats, replay_window_seconds=rotated.replay_window_seconds)
    manager = SubscriptionManager(
        bc, MemoryStore().kv, rotated, states, dispatcher, stats, now=clock, sleep=_never
    )

    await manager.step()

    assert (stats.subscriptions_renewed, stats.subscriptions_created) == (14, 0)
    for subscription in bc_sandbox.webhooks.subscriptions.active(clock.now):
        target = subscription.target
        expected = states.for_resource(uuid.UUID(target.company_id), target.route, target.entity_set)
        assert subscription.client_state == expected
