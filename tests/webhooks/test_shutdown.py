"""A gateway stops when asked, whatever its subscription manager is doing with BC at that moment."""

from __future__ import annotations

import asyncio

import pytest

from tests.live.conftest import LiveClock, live_app
from tests.webhooks.conftest import world_sandbox

pytestmark = pytest.mark.anyio


async def test_shutdown_during_the_first_pass_over_bc_ends_the_lifespan() -> None:
    # The manager's first pass lists BC's companies and subscriptions and creates its own, through
    # the BC client's concurrency limiter; a shutdown may land at any of those awaits.  (On Python
    # 3.11, asyncio.wait_for in the limiter swallowed a cancellation that came as the slot was
    # taken: the manager ran on and the lifespan never ended.)
    clock = LiveClock()
    sandbox = world_sandbox(clock.datetime)  # type: ignore[arg-type]
    for turns in range(20, 40):
        app, _ = live_app(sandbox, clock)

        async def start_and_stop() -> None:
            async with app.router.lifespan_context(app):  # noqa: B023 - awaited in this iteration
                for _ in range(turns):  # noqa: B023
                    await asyncio.sleep(0)

        # A hang guard only: the lifespan ends at once.
        await asyncio.wait_for(asyncio.shield(start_and_stop()), 5)
