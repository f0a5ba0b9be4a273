"""Two replicas share one store: one of them polls, and the other goes on from where it stopped
(docs/changes.md, "One poller").  The pollers are the replicas' own, on one BC client of the
sandbox; what they hand on is what they publish on the store."""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass

import anyio
import pytest
from starlette.applications import Starlette

from gateway.bc import PORTAL_API, STANDARD_API, BCClient
from gateway.edge.development import start_development
from gateway.sandbox.app import sandbox_of
from gateway.sandbox.faults import Fault
from gateway.sandbox.staff.desk import Desk
from gateway.settings import Settings
from gateway.store import Store, StoreSettings, open_store
from gateway.webhooks import ChangePollSettings, WebhookStats
from gateway.webhooks.pipeline import change_dispatcher
from gateway.webhooks.poller import ChangePoller
from tests.sandbox.webhooks.support import FakeClock
from tests.webhooks.conftest import until
from tests.webhooks.test_deleted_owners import sales_orders

pytestmark = pytest.mark.anyio

POLL = ChangePollSettings(enabled=True)


@dataclass
class Fleet:
    first: ChangePoller
    second: ChangePoller
    bc: BCClient
    stats: WebhookStats
    store: Store
    sandbox: Starlette
    clock: FakeClock

    @property
    def company(self) -> str:
        return str(sandbox_of(self.sandbox).store.companies[0]["id"])

    def batches(self) -> int:
        log = sandbox_of(self.sandbox).log
        sent = sum(1 for e in log.entries if e.method == "POST" and not e.in_batch)
        log.clear()
        return sent

    async def interval(self) -> None:
        """One interval of both replicas' loops."""
        self.clock.advance(POLL.every_seconds)
        await self.first.step()
        await self.second.step()

    def release(self, index: int) -> str:
        """Staff release a draft order (an update BC stamps now); its id."""
        drafts = [o for o in sales_orders(self.sandbox, self.company) if o["status"] == "Draft"]
        order = drafts[index]
        desk = Desk(sandbox_of(self.sandbox), self.company, random.Random(0))
        desk.update("salesOrders", order, {"status": "Open", "lastModifiedDateTime": desk.now})
        return str(order["id"])


async def never(seconds: float) -> None:
    await anyio.sleep_forever()


@pytest.fixture
async def fleet(live_sandbox: Starlette, clock: FakeClock) -> AsyncIterator[Fleet]:
    development = start_development(Settings(), sandbox=live_sandbox)
    store = open_store(StoreSettings(), clock=lambda: clock.now.timestamp())
    async with BCClient(development.bc_settings, transport=development.bc_transport) as bc:
        await bc.capabilities.refresh(bc, (STANDARD_API, PORTAL_API))
        stats = WebhookStats()
        dispatcher = change_dispatcher(bc, store, stats, replay_window_seconds=1.0)
        first, second = (
            ChangePoller(
                bc,
                store.kv,
                POLL,
                dispatcher,
                stats,
                now=lambda: clock.now.timestamp(),
                sleep=never,
                replica=name,
            )
            for name in ("first", "second")
        )
        yield Fleet(first, second, bc, stats, store, live_sandbox, clock)
        await store.aclose()


async def test_of_two_replicas_one_polls_and_the_other_reads_what_it_covers(fleet: Fleet) -> None:
    await fleet.interval()  # where BC is
    assert fleet.batches() == 2  # one poll: a $batch per API route
    await fleet.interval()  # what changed since: coverage begins

    assert fleet.first.lease.held
    assert not fleet.second.lease.held
    assert fleet.batches() == 2
    assert fleet.second.report.as_json() == fleet.first.report.as_json()
    assert set(fleet.second.report.companies[uuid.UUID(fleet.company)]) >= {"salesOrders", "customers"}


async def test_the_replica_that_takes_over_goes_on_from_the_last_watermark_each_change_once(
    fleet: Fleet,
) -> None:
    heard: list[str] = []
    async with fleet.store.channels.subscribe(f"bc-events:{fleet.company}") as messages:

        async def listen() -> None:
            async for message in messages:
                heard.append(json.loads(message)["id"])

        async with anyio.create_task_group() as tasks:
            tasks.start_soon(listen)
            await fleet.interval()
            await fleet.interval()
            before = fleet.release(0)
            await fleet.interval()  # the first replica hands it on
            await fleet.interval()  # and reads it again within the overlap: not again

            await fleet.first.lease.release()  # the first replica stops
            after = fleet.release(1)
            await fleet.second.step()  # the second takes the lease and polls from the store's marks
            await fleet.interval()
            await anyio.wait_all_tasks_blocked()
            tasks.cancel_scope.cancel()

    assert fleet.second.lease.held
    assert heard == [before, after]


async def test_a_poll_gives_way_to_requests_waiting_for_a_turn_twice_then_takes_its_own(fleet: Fleet) -> None:
    await fleet.interval()
    fleet.batches()
    # BC slow (a second a request) and more requests than the principal's 5 turns at once.
    sandbox_of(fleet.sandbox).faults.set([Fault("latency", latency_ms=1000, entity_set="companies")])
    async with anyio.create_task_group() as busy:
        for _ in range(fleet.bc.limiter.limit + 2):
            busy.start_soon(fleet.bc.fetch_companies)
        await until(lambda: fleet.bc.load().queued > 0)

        await fleet.interval()
        await fleet.interval()
        assert fleet.batches() == 0  # put off twice: customers' requests go first
        assert fleet.bc.load().queued > 0
        await fleet.interval()  # the third time it waits for its turn like any request
        assert fleet.batches() == 2
        busy.cancel_scope.cancel()
    assert fleet.stats.polls_deferred == 2
