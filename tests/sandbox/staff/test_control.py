"""The staff endpoint, staff on a clock, and what BC's webhooks say about their work."""

from __future__ import annotations

import logging

import httpx
import pytest
from starlette.applications import Starlette

from gateway.sandbox.staff.control import work_on_a_clock
from gateway.sandbox.state import Sandbox
from tests.sandbox.conftest import API, BASE_URL
from tests.sandbox.staff.conftest import INTERNATIONAL, company
from tests.sandbox.webhooks.support import FakeClock, Subscriber

pytestmark = pytest.mark.anyio


@pytest.fixture
async def control(app: Starlette) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE_URL)


async def test_the_endpoint_does_an_action_and_says_what_changed(control: httpx.AsyncClient) -> None:
    async with control:
        listed = (await control.get("/_sandbox/staff")).json()
        response = await control.post("/_sandbox/staff/ship", json={"company": INTERNATIONAL})

    assert listed["actions"] == ["release", "ship", "invoice", "pay", "stock", "answer", "reassign", "random"]
    assert response.status_code == 200, response.text
    outcome = response.json()
    assert outcome["action"] == "ship"
    assert outcome["summary"].startswith("Shipped order")
    assert {c["entitySet"] for c in outcome["changes"]} >= {
        "salesShipments",
        "salesOrders",
        "salesOrderLines",
    }


@pytest.mark.parametrize(
    ("path", "body", "status"),
    [
        ("/_sandbox/staff/ship", b"{not json", 400),
        ("/_sandbox/staff/ship", b"[1, 2]", 400),
        ("/_sandbox/staff/juggle", b"{}", 404),
        ("/_sandbox/staff/pay", b'{"invoice": "NOPE"}', 404),
    ],
)
async def test_the_endpoint_refuses_with_a_reason(
    control: httpx.AsyncClient, path: str, body: bytes, status: int
) -> None:
    async with control:
        response = await control.post(path, content=body)

    assert response.status_code == status
    assert response.json()["error"]


async def test_staff_on_a_clock_act_once_per_tick(sandbox: Sandbox, caplog: pytest.LogCaptureFixture) -> None:
    ticks: list[float] = []

    class Enough(Exception):
        pass

    async def sleep(seconds: float) -> None:
        if len(ticks) == 3:
            raise Enough
        ticks.append(seconds)

    with caplog.at_level(logging.INFO, logger="gateway.sandbox.staff"), pytest.raises(Enough):
        await work_on_a_clock(sandbox, 20.0, sleep=sleep)

    assert ticks == [20.0, 20.0, 20.0]
    assert [r.message for r in caplog.records].count("staff_action") == 3


async def test_a_shipment_is_notified_like_bc_would(
    app: Starlette, sandbox: Sandbox, bc: httpx.AsyncClient, clock: FakeClock
) -> None:
    subscriber = Subscriber()
    sandbox.webhooks.deliver_through(httpx.ASGITransport(app=subscriber.app()))
    co = company(sandbox)
    for entity_set in ("salesOrders", "salesShipments"):
        resource = f"/api/v2.0/companies({co})/{entity_set}"
        body = {"notificationUrl": "https://gateway.example/hook", "resource": resource, "clientState": "x"}
        assert (await bc.post(f"{API}/subscriptions", json=body)).status_code == 201
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE_URL) as control:
        outcome = (await control.post("/_sandbox/staff/ship", json={"company": co})).json()
    order = next(c for c in outcome["changes"] if c["entitySet"] == "salesOrders")
    shipment = next(c for c in outcome["changes"] if c["entitySet"] == "salesShipments")

    clock.advance(30)
    await sandbox.webhooks.deliver_due()

    seen = {(e["changeType"], e["resource"].rsplit("/", 1)[1]) for e in subscriber.entries}
    assert seen == {
        ("updated", f"salesOrders({order['id']})"),
        ("created", f"salesShipments({shipment['id']})"),
    }
