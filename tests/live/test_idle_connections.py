"""Idle sockets cost a fixed, small number of tasks each, and leave nothing behind when they close.

The memory of 1,000 idle sockets on a real server is measured by bench/live_connections.py; this
test keeps the deterministic part of it true: per socket, exactly the ASGI task (uvicorn's),
its heartbeat, and one task per subscription — no listener, buffer or place is left once the
sockets are gone.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid

import pytest

from gateway.edge.state import gateway_state
from tests.live.conftest import LiveGateway, hub_of, settle
from tests.live.test_events import ORDERS, subscribe
from tests.live.websocket import connect, initialised

pytestmark = pytest.mark.anyio

SOCKETS = 60


async def test_idle_sockets_hold_three_tasks_each_and_nothing_once_closed(live: LiveGateway) -> None:
    customers = [c for c in live.development.customers if str(c.company_id) == live.company][:6]
    store = gateway_state(live.app).store
    assert store is not None
    hub = hub_of(live.app)
    pool = f"live:operations:{live.company}:{customers[0].customer_number}"
    before = len(asyncio.all_tasks())
    async with contextlib.AsyncExitStack() as sockets:
        for n in range(SOCKETS):
            socket = await sockets.enter_async_context(connect(live.app))
            await initialised(socket, live.token(customers[n % len(customers)].customer_number))
            await subscribe(socket, "orders", ORDERS)
        await settle(lambda: hub.feeds_listening == SOCKETS)
        during = len(asyncio.all_tasks())
        places = await store.store.slots.held(
            f"live:operations:{live.company}:{customers[0].customer_number}"
        )

    await settle(lambda: len(asyncio.all_tasks()) == before)
    after = len(asyncio.all_tasks())
    left = await store.store.slots.held(pool)

    assert during - before == SOCKETS * 3 + 1  # + the company's channel listener, one for all
    assert places == SOCKETS // len(customers)
    assert after == before
    assert hub.feeds == 0
    assert not hub.listening(uuid.UUID(live.company))
    assert left == 0
    assert gateway_state(live.app).live.stats.connections_open == 0  # type: ignore[union-attr]
