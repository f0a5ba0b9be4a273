"""Staff ship an order in BC → BC notifies after its delay → the gateway publishes a typed event."""

from __future__ import annotations

import httpx
import pytest
from starlette.applications import Starlette

from gateway.sandbox.app import sandbox_of
from tests.sandbox.webhooks.support import FakeClock
from tests.webhooks.conftest import events, next_event, service_of, store_of

pytestmark = pytest.mark.anyio


async def test_a_shipment_reaches_the_store_channel_as_typed_events(
    live: tuple[Starlette, httpx.AsyncClient], live_sandbox: Starlette, clock: FakeClock
) -> None:
    app, http = live
    sandbox = sandbox_of(live_sandbox)
    company = str(sandbox.store.companies[0]["id"])
    async with events(store_of(app), company) as messages:
        shipped = await http.post("/_sandbox/staff/ship", json={"company": company})
        assert shipped.status_code == 200, shipped.text
        changes = {c["entitySet"]: c for c in shipped.json()["changes"]}

        clock.advance(29)
        await sandbox.webhooks.deliver_due()
        assert not sandbox.webhooks.deliveries  # BC waits 30 seconds after the first change
        clock.advance(1)
        await sandbox.webhooks.deliver_due()  # (or the sandbox's own loop, whichever runs first)
        (delivery,) = sandbox.webhooks.deliveries
        published = [await next_event(messages) for _ in delivery.entries]

    assert delivery.status == 202  # acknowledged before it was processed
    order = changes["salesOrders"]["id"]
    shipment = changes["salesShipments"]["id"]
    assert {
        "kind": "change",
        "entitySet": "salesOrders",
        "id": order,
        "changeType": "updated",
    }.items() <= next(e for e in published if e["entitySet"] == "salesOrders").items()
    assert {"entitySet": "salesShipments", "id": shipment, "changeType": "created"}.items() <= next(
        e for e in published if e["entitySet"] == "salesShipments"
    ).items()
    assert all(e["company"] == company for e in published)
    owners = {e["entitySet"]: e["owner"] for e in published}
    shipments = sandbox.store.table(company, "v2.0", "salesShipments")
    customer = next(s["customerNumber"] for s in shipments if s["id"] == shipment)
    assert owners["salesOrders"] == {
        "number": changes["salesOrders"]["number"],
        "customer": customer,
        "order": None,
    }
    assert owners["salesShipments"] == {
        "number": changes["salesShipments"]["number"],
        "customer": customer,
        "order": changes["salesOrders"]["number"],
    }
    assert service_of(app).stats.processed == len(delivery.entries)
