"""``/metrics`` shows the webhooks' and the GraphQL subscriptions' state (issue 13, item 3)."""

from __future__ import annotations

import httpx
import pytest
from starlette.applications import Starlette

from gateway.sandbox.app import sandbox_of
from tests.edge.test_observability import scrape, value
from tests.sandbox.webhooks.support import FakeClock
from tests.webhooks.conftest import service_of, until

pytestmark = pytest.mark.anyio


async def test_metrics_count_the_subscriptions_by_state_and_the_notifications_processed(
    live: tuple[Starlette, httpx.AsyncClient], live_sandbox: Starlette, clock: FakeClock
) -> None:
    app, http = live
    sandbox = sandbox_of(live_sandbox)
    service = service_of(app)
    before = await scrape(http)
    company = str(sandbox.store.companies[0]["id"])
    shipped = await http.post("/_sandbox/staff/ship", json={"company": company})
    assert shipped.status_code == 200, shipped.text
    clock.advance(30)
    await sandbox.webhooks.deliver_due()
    await until(lambda: service.stats.processed > 0)
    after = await scrape(http)

    active = sum(1 for entry in service.manager.report.subscriptions if entry["state"] == "active")
    assert active > 0
    assert value(after, "bc_gateway_webhook_subscriptions", state="active") == active
    processed = value(after, "bc_gateway_webhook_events_total", event="processed")
    assert (
        processed
        == service.stats.processed
        > value(before, "bc_gateway_webhook_events_total", event="processed")
    )
    assert value(after, "bc_gateway_webhook_events_total", event="bodies_accepted") >= 1
    assert value(after, "bc_gateway_live_connections") == 0  # the family is there; no socket is open
    # The subscriptions' families are there (the hub listens only for companies with subscribers).
    assert ("bc_gateway_live_events_total", frozenset({("event", "events_sent")})) in after
