"""Records' ``lastModifiedDateTime`` moves as BC's does, so that a poll of it sees every change
(docs/changes.md; the gateway's change poller reads ``lastModifiedDateTime gt …``)."""

from __future__ import annotations

import httpx
import pytest
from starlette.applications import Starlette

from gateway.sandbox.app import sandbox_of
from gateway.sandbox.body import bc_timestamp
from gateway.sandbox.staff import run_action
from gateway.sandbox.state import Sandbox
from tests.sandbox.staff.conftest import company, read
from tests.sandbox.staff.test_actions import open_order
from tests.sandbox.webhooks.support import FakeClock

pytestmark = pytest.mark.anyio


async def changed_orders(bc: httpx.AsyncClient, co: str, since: str) -> list[str]:
    params = {"$filter": f"lastModifiedDateTime gt {since}", "$orderby": "lastModifiedDateTime asc"}
    return [row["number"] for row in await read(bc, co, "salesOrders", **params)]


async def test_invoicing_part_of_an_order_stamps_the_order_though_only_its_lines_change(
    sandbox: Sandbox, bc: httpx.AsyncClient, clock: FakeClock
) -> None:
    co = company(sandbox)
    order = open_order(sandbox, co, unshipped=True)
    await run_action(sandbox, "ship", {"order": order["number"], "fraction": "0.5"}, sandbox.staff_rng)
    clock.advance(60)
    since = bc_timestamp(clock.now)
    clock.advance(1)

    # Invoicing what was shipped changes the order's lines (their invoiced quantities), not its header.
    await run_action(sandbox, "invoice", {"order": order["number"]}, sandbox.staff_rng)

    assert await changed_orders(bc, co, since) == [order["number"]]
    (header,) = await read(bc, co, "salesOrders", **{"$filter": f"id eq {order['id']}"})
    assert header["lastModifiedDateTime"] == bc_timestamp(clock.now)


async def test_no_record_of_the_demo_world_is_stamped_after_the_sandboxs_now(
    app: Starlette, bc: httpx.AsyncClient, clock: FakeClock
) -> None:
    co = company(sandbox_of(app))

    # The world dates today's records at working hours; the clock stands at 09:00.
    assert await changed_orders(bc, co, bc_timestamp(clock.now)) == []
