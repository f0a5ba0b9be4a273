"""Two gateway replicas on one real Redis: one manages BC's subscriptions, both take notifications,
a notification is processed once whichever replica BC reaches, and every replica hears the events."""

from __future__ import annotations

import uuid

import pytest
from starlette.applications import Starlette

from gateway.sandbox.app import sandbox_of
from gateway.store import StoreSettings
from tests.redis_server import RedisServer, redis_store
from tests.sandbox.webhooks.support import FakeClock
from tests.webhooks.conftest import HOOK_URL, client_for, events, gateway, next_event, service_of, until
from tests.webhooks.test_endpoint import COMPANY, notification, post

pytestmark = pytest.mark.anyio


async def test_one_replica_manages_and_both_receive_and_publish(
    redis_server: RedisServer, live_sandbox: Starlette, clock: FakeClock
) -> None:
    prefix = f"test-{uuid.uuid4().hex[:12]}"
    shared = StoreSettings(redis_server.url, prefix=prefix)
    first, second = gateway(live_sandbox, clock, shared), gateway(live_sandbox, clock, shared)
    listener = redis_store(redis_server, prefix=prefix)  # a third process on the same Redis
    async with (
        first.router.lifespan_context(first),
        second.router.lifespan_context(second),
        client_for(first) as to_first,
        client_for(second) as to_second,
    ):
        managers = [service_of(first).manager, service_of(second).manager]
        await until(lambda: any(m.reported.is_set() for m in managers))
        for manager in managers:
            await manager.step()  # the other replica reads what the holder found

        assert sorted(m.lease.held for m in managers) == [False, True]
        sandbox = sandbox_of(live_sandbox)
        ours = [s for s in sandbox.webhooks.subscriptions.active(clock.now) if s.notification_url == HOOK_URL]
        assert len(ours) == 14
        assert managers[0].report.as_json() == managers[1].report.as_json()

        async with events(listener, str(COMPANY)) as messages:
            to_a = await post(to_first, notification(first, lastModifiedDateTime="2026-06-15T10:00:00Z"))
            to_b = await post(to_second, notification(second, lastModifiedDateTime="2026-06-15T10:01:00Z"))
            again = await post(to_second, notification(second, lastModifiedDateTime="2026-06-15T10:00:00Z"))
            heard = sorted([(await next_event(messages))["lastModified"] for _ in range(2)])
            stats = [service_of(first).stats, service_of(second).stats]
            await until(lambda: sum(s.processed + s.replays for s in stats) == 3)

    await listener.aclose()
    assert [r.status_code for r in (to_a, to_b, again)] == [202, 202, 202]
    assert heard == ["2026-06-15T10:00:00Z", "2026-06-15T10:01:00Z"]
    assert (sum(s.processed for s in stats), sum(s.replays for s in stats)) == (2, 1)
