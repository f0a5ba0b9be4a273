"""/webhooks/bc: the handshake, genuine notifications, and everything that must change nothing."""

from __future__ import annotations

import json
import uuid
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from gateway.webhooks import ResourceResync
from tests.webhooks.conftest import events, next_event, service_of, store_of, until

pytestmark = pytest.mark.anyio

COMPANY = uuid.UUID("0b3e0e2c-7a44-4f4d-9d7c-4ad1f1a0c0de")
ORDER = "1d2c3b4a-0000-4000-8000-00000000a001"


def notification(app: Starlette, **changes: Any) -> dict[str, Any]:
    entity_set = changes.pop("entity_set", "salesOrders")
    state = service_of(app).client_states.for_resource(COMPANY, "v2.0", entity_set)
    entry = {
        "subscriptionId": "5c3a36f1b0a94c1d8d3a4f7b2c1e9d00",
        "clientState": state,
        "expirationDateTime": "2026-06-18T09:00:00Z",
        "resource": f"api/v2.0/companies({COMPANY})/{entity_set}({ORDER})",
        "changeType": "updated",
        "lastModifiedDateTime": "2026-06-15T09:00:01.250Z",
    }
    return {**entry, **changes}


async def post(http: httpx.AsyncClient, *entries: dict[str, Any]) -> httpx.Response:
    return await http.post("/webhooks/bc", json={"value": list(entries)})


async def test_the_handshake_echoes_the_token_as_plain_text(
    live: tuple[Starlette, httpx.AsyncClient],
) -> None:
    _, http = live

    response = await http.post("/webhooks/bc?validationToken=abc-123_XYZ")

    assert response.status_code == 200
    assert response.text == "abc-123_XYZ"
    assert response.headers["content-type"].startswith("text/plain")
    assert response.headers["x-content-type-options"] == "nosniff"


async def test_a_genuine_notification_is_acknowledged_and_published_as_a_typed_event(
    live: tuple[Starlette, httpx.AsyncClient],
) -> None:
    app, http = live
    async with events(store_of(app), str(COMPANY)) as messages:
        response = await post(http, notification(app))

        assert response.status_code == 202
        assert await next_event(messages) == {
            "kind": "change",
            "company": str(COMPANY),
            "route": "v2.0",
            "entitySet": "salesOrders",
            "id": ORDER,
            "changeType": "updated",
            "lastModified": "2026-06-15T09:00:01.250000Z",
            "owner": None,  # no such company in BC: whose record it is cannot be read
        }


@pytest.mark.parametrize(
    ("case", "status"),
    [
        ("wrong client state", 401),
        ("client state of another resource", 401),
        ("malformed body", 400),
        ("not JSON", 400),
        ("form body", 415),
    ],
)
async def test_what_is_not_a_genuine_notification_changes_nothing(
    live: tuple[Starlette, httpx.AsyncClient], case: str, status: int
) -> None:
    app, http = live
    service = service_of(app)
    refused: dict[str, httpx.Response] = {}
    async with events(store_of(app), str(COMPANY)) as messages:
        if case == "wrong client state":
            refused[case] = await post(http, notification(app, clientState="guessed"))
        elif case == "client state of another resource":
            other = service.client_states.for_resource(COMPANY, "v2.0", "customers")
            refused[case] = await post(http, notification(app, clientState=other))
        elif case == "malformed body":
            refused[case] = await post(http, notification(app, changeType="renamed"))
        elif case == "not JSON":
            refused[case] = await http.post(
                "/webhooks/bc", content=b"{", headers={"Content-Type": "application/json"}
            )
        else:
            refused[case] = await http.post("/webhooks/bc", data={"value": "x"})
        genuine = await post(http, notification(app, lastModifiedDateTime="2026-06-15T09:05:00Z"))

        event = await next_event(messages)

    assert refused[case].status_code == status
    assert refused[case].json()["error"]["code"]
    assert genuine.status_code == 202
    assert event["lastModified"] == "2026-06-15T09:05:00Z"  # the first and only event: the genuine one
    assert service.stats.processed == 1
    assert service.inbox.depth == 0


async def test_a_mixed_body_is_processed_without_its_forged_entries(
    live: tuple[Starlette, httpx.AsyncClient],
) -> None:
    app, http = live
    service = service_of(app)

    response = await post(http, notification(app, clientState="forged"), notification(app))

    assert response.status_code == 202
    await until(lambda: service.stats.processed == 1)
    assert (service.stats.refused_client_state, service.stats.notifications_accepted) == (1, 1)


async def test_a_replayed_notification_is_processed_once(live: tuple[Starlette, httpx.AsyncClient]) -> None:
    app, http = live
    service = service_of(app)
    async with events(store_of(app), str(COMPANY)) as messages:
        first = await post(http, notification(app))
        replay = await post(http, notification(app))
        later = await post(http, notification(app, lastModifiedDateTime="2026-06-15T09:07:00Z"))

        assert (await next_event(messages))["lastModified"] == "2026-06-15T09:00:01.250000Z"
        assert (await next_event(messages))["lastModified"] == "2026-06-15T09:07:00Z"

    assert [r.status_code for r in (first, replay, later)] == [202, 202, 202]
    assert (service.stats.processed, service.stats.replays) == (2, 1)


async def test_a_collection_runs_the_resync_hook_once(live: tuple[Starlette, httpx.AsyncClient]) -> None:
    app, http = live
    service = service_of(app)
    resyncs: list[ResourceResync] = []

    async def hook(request: ResourceResync) -> None:
        resyncs.append(request)

    service.dispatcher.on_resync(hook)
    collection = notification(
        app,
        entity_set="salesInvoices",
        changeType="collection",
        resource=f"api/v2.0/companies({COMPANY})/salesInvoices?$filter=lastModifiedDateTime%20gt%202026-06-15T08:59:59.950Z",
    )
    async with events(store_of(app), str(COMPANY)) as messages:
        assert (await post(http, collection)).status_code == 202
        assert (await post(http, collection)).status_code == 202  # BC's retry of the same

        published = await next_event(messages)

    await until(lambda: service.stats.replays == 1)
    assert [(r.entity_set, r.reason, r.since.isoformat() if r.since else None) for r in resyncs] == [
        ("salesInvoices", "collection", "2026-06-15T08:59:59.950000+00:00")
    ]
    assert published["kind"] == "resync"


async def test_a_full_queue_asks_bc_to_send_again_later(live: tuple[Starlette, httpx.AsyncClient]) -> None:
    app, http = live
    service = service_of(app)
    entries = [notification(app, lastModifiedDateTime=f"2026-06-15T09:{m:02d}:00Z") for m in range(2)]
    service.inbox.capacity = service.inbox.depth + 1  # room for one notification only

    response = await post(http, *entries)

    assert response.status_code == 503
    assert response.headers["retry-after"] == "60"
    assert (service.stats.queue_full, service.stats.notifications_accepted) == (1, 0)


async def test_a_body_past_the_limit_is_refused_unread(live: tuple[Starlette, httpx.AsyncClient]) -> None:
    app, http = live
    huge = json.dumps(
        {"value": [notification(app)], "padding": "x" * service_of(app).settings.max_body_bytes}
    )

    response = await http.post("/webhooks/bc", content=huge, headers={"Content-Type": "application/json"})

    assert response.status_code == 413
    assert service_of(app).stats.refused_too_large == 1


async def test_refusals_and_handshakes_are_rate_limited_per_address_but_bc_is_not(
    live: tuple[Starlette, httpx.AsyncClient],
) -> None:
    app, http = live
    burst = 30  # GATEWAY_IP_RATE_LIMIT_BURST's default
    statuses = [(await post(http, notification(app, clientState="no"))).status_code for _ in range(burst + 5)]
    handshake = await http.post("/webhooks/bc?validationToken=t")
    genuine = await post(http, notification(app))

    assert 401 in statuses
    assert statuses[-1] == 429
    assert handshake.status_code == 429
    assert genuine.status_code == 202


async def test_nothing_but_post_and_the_handshake(live: tuple[Starlette, httpx.AsyncClient]) -> None:
    _, http = live

    response = await http.get("/webhooks/bc")

    assert response.status_code == 405
    assert response.headers["allow"] == "POST"
