"""/readyz shows the webhook subscriptions as the manager last found them, without asking BC."""

from __future__ import annotations

import httpx
import pytest
from starlette.applications import Starlette

from gateway.edge.development import start_development
from gateway.sandbox.app import sandbox_of
from gateway.settings import SandboxSettings, Settings

pytestmark = pytest.mark.anyio


async def test_readyz_shows_the_subscriptions_from_the_last_pass(
    live: tuple[Starlette, httpx.AsyncClient], live_sandbox: Starlette
) -> None:
    _, http = live
    log = sandbox_of(live_sandbox).log
    asked = log.count("subscriptions")
    assert asked >= 15  # the pass: list the two routes, create 14 (and the handshakes)

    body = (await http.get("/readyz")).json()
    again = (await http.get("/readyz")).json()

    webhooks = body["webhooks"]
    assert webhooks["enabled"] is True
    assert webhooks["managedHere"] is True
    assert webhooks["states"] == {"active": 14}
    assert webhooks["budget"]["planned"] == 14
    assert {s["entitySet"] for s in webhooks["subscriptions"]} >= {"salesOrders", "customerQueries"}
    assert again["webhooks"] == webhooks
    assert log.count("subscriptions") == asked  # no BC request per probe


async def test_readyz_says_when_webhooks_are_off(client: httpx.AsyncClient) -> None:
    body = (await client.get("/readyz")).json()

    assert body["webhooks"] == {"enabled": False}


def test_development_hands_the_sandbox_its_notification_delay_and_staff_clock() -> None:
    settings = Settings(
        sandbox=SandboxSettings(scale=0.05, notification_delay_seconds=5, staff_every_seconds=20)
    )

    config = sandbox_of(start_development(settings).sandbox).config

    assert (config.webhooks.delay_seconds, config.staff_every_seconds) == (5, 20)
