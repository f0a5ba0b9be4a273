"""What BC's webhooks cost the gateway: the time to acknowledge a notification body (BC waits for
it), the rate at which accepted notifications become published events, and one staff change from
BC's job to the event on the store channel — in process, on the in-process store.

Run: .venv/bin/python bench/webhooks.py [--repeat 200]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import statistics
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from gateway.app import create_app
from gateway.edge.development import start_development
from gateway.edge.state import gateway_state
from gateway.sandbox.app import create_sandbox_app, sandbox_of
from gateway.sandbox.config import SandboxConfig
from gateway.sandbox.webhooks.config import WebhookConfig
from gateway.settings import Settings
from gateway.webhooks import WebhookService, WebhookSettings

HOOK = "http://gateway.bench/webhooks/bc"
SETTINGS = WebhookSettings(enabled=True, notification_url=HOOK, secret=b"bench secret of more than 32 bytes!")


def body(service: WebhookService, company: uuid.UUID, count: int, start: int) -> bytes:
    state = service.client_states.for_resource(company, "v2.0", "salesOrders")
    at = dt.datetime(2026, 6, 15, tzinfo=dt.UTC)
    entries: list[dict[str, Any]] = [
        {
            "subscriptionId": "0" * 32,
            "clientState": state,
            "expirationDateTime": "2026-06-18T00:00:00Z",
            "resource": f"api/v2.0/companies({company})/salesOrders({uuid.uuid4()})",
            "changeType": "updated",
            "lastModifiedDateTime": (at + dt.timedelta(milliseconds=start + i)).isoformat(),
        }
        for i in range(count)
    ]
    return json.dumps({"value": entries}).encode()


async def main(repeat: int) -> None:
    sandbox = create_sandbox_app(SandboxConfig(scale=0.05, webhooks=WebhookConfig(delay_seconds=0)))
    settings = Settings(webhooks=SETTINGS)
    app = create_app(settings, development=start_development(settings, sandbox=sandbox))
    rows = []
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gateway.bench") as http,
    ):
        service = gateway_state(app).webhooks
        assert service is not None
        await asyncio.wait_for(service.manager.reported.wait(), 30)
        company = uuid.UUID(sandbox_of(sandbox).store.companies[0]["id"])
        sent = 0
        first_post = time.perf_counter()
        for size, runs in ((1, repeat), (100, max(5, repeat // 10)), (1000, max(5, repeat // 40))):
            samples = []
            for _ in range(runs):
                payload = body(service, company, size, sent)
                sent += size
                started = time.perf_counter()
                response = await http.post(
                    "/webhooks/bc", content=payload, headers={"Content-Type": "application/json"}
                )
                samples.append(time.perf_counter() - started)
                assert response.status_code == 202, response.text
            rows.append((f"acknowledge a body of {size:,} notification(s)", _ms(samples)))
        while service.stats.processed < sent:  # noqa: ASYNC110 (polling a counter is the measurement)
            await asyncio.sleep(0.001)
        rows.append(
            (
                "accepted → published (claim + event), from the first POST",
                f"{sent / (time.perf_counter() - first_post):,.0f} / s",
            )
        )
        channel = f"bc-events:{company}"
        staff = httpx.AsyncClient(transport=httpx.ASGITransport(app=sandbox), base_url="http://sandbox.bench")
        samples = []
        probe = gateway_state(app).store
        assert probe is not None
        async with staff, probe.store.channels.subscribe(channel) as messages:
            for _ in range(20):
                shipped = await staff.post("/_sandbox/staff/ship", json={"company": str(company)})
                if shipped.status_code != 200:
                    break
                started = time.perf_counter()
                deliveries = await sandbox_of(sandbox).webhooks.deliver_due()
                for _ in range(sum(len(d.entries) for d in deliveries)):
                    await asyncio.wait_for(anext(messages), 5)
                samples.append(time.perf_counter() - started)
        rows.append(("a shipment: BC's POST to every event on the channel", _ms(samples)))
    width = max(len(name) for name, _ in rows)
    print(f"{'measurement':<{width}} | p50 / p99 (or rate)")
    print(f"{'-' * width}-|--------------------")
    for name, value in rows:
        print(f"{name:<{width}} | {value}")


def _ms(samples: list[float]) -> str:
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return f"{statistics.median(ordered) * 1000:.2f} ms / {p99 * 1000:.2f} ms ({len(ordered)} runs)"


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=200)
    asyncio.run(main(parser.parse_args().repeat))
