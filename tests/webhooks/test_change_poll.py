"""With BC's webhooks off, the gateway learns BC's changes by polling them (docs/changes.md).

The gateway here is a development one on a fresh demo world, webhooks off and polling on, the
answer cache at its default times to live (orders 15 s; 600 s while polling covers them).  Its
background poller polls once at start (where BC is), and the fixture once more (what changed
since: from then on polling covers answers); the tests then drive each poll themselves, moving the
clock an interval first, as the poller's loop would.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import AsyncIterator
from typing import Any

import anyio
import pytest
from starlette.applications import Starlette

from gateway.app import create_app
from gateway.edge.development import start_development
from gateway.edge.state import gateway_state
from gateway.sandbox.app import sandbox_of
from gateway.sandbox.faults import Fault
from gateway.sandbox.staff.desk import Desk
from gateway.settings import Settings
from gateway.webhooks import ChangePollService, ChangePollSettings
from gateway.webhooks.plan import WATCHED
from tests.conftest import TODAY
from tests.sandbox.webhooks.support import FakeClock
from tests.webhooks.conftest import WEBHOOKS, client_for, events, next_event, store_of, until
from tests.webhooks.test_deleted_owners import order_numbers, sales_orders
from tests.webhooks.test_invalidation import ORDER, ORDERS, Portal, bc_reads, shippable_orders

pytestmark = pytest.mark.anyio

POLL = ChangePollSettings(enabled=True, roll_call_every=2)
# A poll: one $batch per API route (the standard one, the portal extension's), every company's
# reads in each.
BATCHES = ["POST v2.0/$batch", "POST bcgateway/portal/v1.0/$batch"]


async def never(seconds: float) -> None:
    """The poller's wait between polls: the tests poll themselves."""
    await anyio.sleep_forever()


def poll_service(portal: Portal) -> ChangePollService:
    service = gateway_state(portal.app).changes
    assert service is not None
    return service


@pytest.fixture
async def polled(live_sandbox: Starlette, clock: FakeClock) -> AsyncIterator[Portal]:
    settings = Settings(change_poll=POLL)
    development = start_development(settings, sandbox=live_sandbox)
    app = create_app(
        settings,
        development=development,
        today=lambda: TODAY,
        wall_clock=lambda: clock.now.timestamp(),
        sleep=never,
    )
    async with app.router.lifespan_context(app), client_for(app) as http:
        portal = Portal(app, http, development, live_sandbox)
        await until(lambda: poll_service(portal).stats.polls == 1)  # where BC is
        await poll(portal, clock)  # what changed since: polling covers answers from now on
        yield portal


async def poll(portal: Portal, clock: FakeClock, times: int = 1) -> None:
    """``times`` intervals of the poller: the clock moved 5 s, then its turn."""
    for _ in range(times):
        clock.advance(POLL.every_seconds)
        await poll_service(portal).poller.step()


def company_of(portal: Portal) -> str:
    return str(sandbox_of(portal.sandbox).store.companies[0]["id"])


def requests_to_bc(portal: Portal) -> list[str]:
    """The HTTP requests BC received since the log was last cleared (a $batch is one)."""
    log = sandbox_of(portal.sandbox).log
    sent = [f"{e.method} {e.path.split('/api/', 1)[-1]}" for e in log.entries if not e.in_batch]
    log.clear()
    return sent


def another_customer(portal: Portal, company: str, than: str) -> str:
    return next(
        c.customer_number
        for c in portal.development.customers
        if str(c.company_id) == company and c.customer_number != than
    )


async def test_a_staff_change_reaches_its_owner_within_a_poll_while_answers_are_otherwise_kept_long(
    polled: Portal, clock: FakeClock
) -> None:
    company = company_of(polled)
    order = shippable_orders(polled, company)[0]
    owner = polled.token(company, order["customerNumber"])
    other = polled.token(company, another_customer(polled, company, order["customerNumber"]))
    before = await polled.ask(owner, ORDER, n=order["number"])
    others_before = await polled.ask(other, ORDERS)

    await poll(polled, clock, times=6)  # 30 s: twice the orders' own time to live
    bc_reads(polled)
    still = await polled.ask(owner, ORDER, n=order["number"])
    assert bc_reads(polled) == 0  # kept: the polls see nothing changed
    assert still["data"] == before["data"]

    shipped = await polled.http.post(
        "/_sandbox/staff/ship", json={"company": company, "order": order["number"]}
    )
    assert shipped.status_code == 200, shipped.text
    shipment = next(c["number"] for c in shipped.json()["changes"] if c["entitySet"] == "salesShipments")
    await poll(polled, clock)
    bc_reads(polled)
    after = await polled.ask(owner, ORDER, n=order["number"])
    assert bc_reads(polled) > 0  # the poll saw the shipment: the owner's order is read again
    assert shipment in [s["number"] for s in after["data"]["order"]["shipments"]]

    others = await polled.ask(other, ORDERS)
    assert bc_reads(polled) == 0  # another customer's kept answers are untouched
    assert others["data"] == others_before["data"]


async def test_a_poll_bc_refuses_with_429_ends_the_long_times_to_live_at_once(
    polled: Portal, clock: FakeClock
) -> None:
    company = company_of(polled)
    token = polled.token(company, sales_orders(polled.sandbox, company)[0]["customerNumber"])
    await polled.ask(token, ORDERS)
    await poll(polled, clock, times=4)  # 20 s
    bc_reads(polled)
    await polled.ask(token, ORDERS)
    assert bc_reads(polled) == 0  # kept past the orders' own 15 s while polls cover them

    sandbox_of(polled.sandbox).faults.set(
        [Fault("status", status=429, retry_after=1, entity_set="$batch", times=1)]
    )
    requests_to_bc(polled)
    await poll(polled, clock)
    # Tried once; the portal route not asked after it (the companies come every second poll).
    assert requests_to_bc(polled) == ["GET v2.0/companies", "POST v2.0/$batch"]
    service = poll_service(polled)
    assert service.stats.polls_failed == 1
    await polled.ask(token, ORDERS)
    assert bc_reads(polled, "salesOrders") > 0  # 25 s old: the orders' own 15 s apply again

    await poll(polled, clock)  # 5 s later: still backing off (twice the interval)
    assert requests_to_bc(polled) == []
    await poll(polled, clock)
    assert requests_to_bc(polled) == BATCHES
    assert not service.poller.report.failing


async def test_a_poll_costs_bc_a_batch_per_api_route_and_the_companies_with_a_roll_call(
    polled: Portal, clock: FakeClock
) -> None:
    sandbox_log = sandbox_of(polled.sandbox).log
    companies = len(sandbox_of(polled.sandbox).store.companies)
    requests_to_bc(polled)

    await poll(polled, clock)  # with the roll call of the sales orders (every second poll)
    inner = Counter(e.entity_set for e in sandbox_log.entries if e.in_batch)
    assert requests_to_bc(polled) == ["GET v2.0/companies", *BATCHES]
    followed = [w.entity_set for w in WATCHED if w.entity_set != "salesOrders"]
    assert inner == Counter({"salesOrders": 2 * companies, **dict.fromkeys(followed, companies)})

    await poll(polled, clock)  # without
    assert requests_to_bc(polled) == BATCHES


async def test_a_change_is_handed_on_once_though_overlapping_polls_read_it_again(
    polled: Portal, clock: FakeClock
) -> None:
    company = company_of(polled)
    order = next(o for o in sales_orders(polled.sandbox, company) if o["status"] == "Draft")
    service = poll_service(polled)

    async with events(store_of(polled.app), company) as messages:
        released = await polled.http.post(
            "/_sandbox/staff/release", json={"company": company, "order": order["number"]}
        )
        assert released.status_code == 200, released.text
        await poll(polled, clock, times=4)  # each reads the last 30 s again
        heard = await next_event(messages)
        with anyio.move_on_after(0.2):
            again = await anext(messages)
            pytest.fail(f"the change was published twice: {again!r}")

    assert (heard["id"], heard["changeType"]) == (order["id"], "updated")
    assert heard["owner"]["customer"] == order["customerNumber"]
    assert service.stats.polled_changes == 1


async def test_an_open_order_deleted_by_staff_leaves_its_customers_kept_orders_at_the_next_roll_call(
    polled: Portal, clock: FakeClock
) -> None:
    company = company_of(polled)
    token, order = await a_cancellable_order_on_show(polled, company)

    Desk(sandbox_of(polled.sandbox), company, random.Random(0)).delete("salesOrders", order)
    await poll(polled, clock, times=2)  # the roll call comes every second poll
    bc_reads(polled)
    after = order_numbers(await polled.ask(token, ORDERS))

    assert poll_service(polled).stats.polled_deletions == 1
    assert bc_reads(polled, "salesOrders") > 0
    assert order["number"] not in after


async def a_cancellable_order_on_show(portal: Portal, company: str) -> tuple[str, dict[str, Any]]:
    """A customer's token and an open order of theirs their orders page shows, which nothing was
    shipped or invoiced of (else its posted documents would still show it once deleted)."""
    store = sandbox_of(portal.sandbox).store
    posted = {
        row["orderNumber"]
        for entity_set in ("salesShipments", "salesInvoices")
        for row in store.table(company, "v2.0", entity_set)
    }
    for order in sales_orders(portal.sandbox, company):
        if order["number"] in posted:
            continue
        token = portal.token(company, order["customerNumber"])
        if order["number"] in order_numbers(await portal.ask(token, ORDERS)):
            return token, order
    pytest.fail("no open order of the demo world without posted documents is on show")


async def test_readyz_shows_what_polling_covers_and_webhooks_on_leave_the_poller_off(
    polled: Portal, live_sandbox: Starlette, clock: FakeClock
) -> None:
    ready = (await polled.http.get("/readyz")).json()
    company = company_of(polled)

    assert ready["changePoll"]["enabled"]
    assert ready["changePoll"]["pollingHere"]
    assert not ready["changePoll"]["failing"]
    # Every entity set the webhooks plan would subscribe to (this tenant has them all).
    assert set(ready["changePoll"]["companies"][company]) == {w.entity_set for w in WATCHED}

    settings = Settings(webhooks=WEBHOOKS, change_poll=POLL)
    app = create_app(
        settings, development=start_development(settings, sandbox=live_sandbox), today=lambda: TODAY
    )
    async with app.router.lifespan_context(app):
        assert gateway_state(app).changes is None  # BC's notifications say what changed
