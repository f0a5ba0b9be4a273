"""Two replicas on one real Redis: BC's notification reaches replica A, the subscriber is on replica B."""

from __future__ import annotations

import uuid

import httpx
import pytest

from gateway.edge.development import mint_for
from gateway.sandbox.app import sandbox_of
from gateway.store import StoreSettings
from tests.live.conftest import LiveClock, hub_of, live_app, settle
from tests.live.test_events import ORDERS, row, staff_on, subscribe
from tests.live.websocket import connect, initialised
from tests.redis_server import RedisServer
from tests.webhooks.conftest import GATEWAY, service_of, world_sandbox

pytestmark = pytest.mark.anyio


async def test_an_event_processed_by_one_replica_reaches_a_subscriber_on_the_other(
    redis_server: RedisServer,
) -> None:
    clock = LiveClock()
    sandbox = world_sandbox(clock.datetime)  # type: ignore[arg-type]
    shared = StoreSettings(redis_server.url, prefix=f"test-{uuid.uuid4().hex[:12]}")
    replica_b, development_b = live_app(sandbox, clock, store=shared)
    replica_a, _ = live_app(sandbox, clock, store=shared)
    company = str(sandbox_of(sandbox).store.companies[0]["id"])
    # B starts first: the embedded sandbox then sends BC's notifications to A, the last one started.
    async with (
        replica_b.router.lifespan_context(replica_b),
        replica_a.router.lifespan_context(replica_a),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=replica_a), base_url=GATEWAY) as to_a,
    ):
        managers = [service_of(replica_a).manager, service_of(replica_b).manager]
        await settle(lambda: any(m.reported.is_set() for m in managers), turns=1_000_000)
        shipped = await staff_on(to_a, company, "ship")
        order_id = next(c["id"] for c in shipped["changes"] if c["entitySet"] == "salesOrders")
        order = row(sandbox, company, "salesOrders", order_id)
        customer = next(
            c
            for c in development_b.customers
            if c.customer_number == order["customerNumber"] and str(c.company_id) == company
        )
        async with connect(replica_b) as socket:
            await initialised(socket, mint_for(development_b, customer))
            await subscribe(socket, "orders", ORDERS)
            hub = hub_of(replica_b)
            await settle(
                lambda: hub.feeds_listening == 1 and hub.listening(uuid.UUID(company)), turns=1_000_000
            )

            await clock.advance(30)
            await sandbox_of(sandbox).webhooks.deliver_due()
            moved = await socket.receive_until("next")

        processed = [service_of(replica_a).stats.processed, service_of(replica_b).stats.processed]

    assert moved["payload"]["data"]["orderUpdated"]["number"] == order["number"]
    assert processed[0] > 0
    assert processed[1] == 0  # B heard it from Redis only
