"""Nothing the gateway logs or answers holds a bearer token, the BC client secret or a BC URL.

``tests/leak_watch.py`` records every log record and gateway response of the run.  This test makes
its own traffic — a dashboard, a refused token, a BC failure — and checks what was recorded, so it
means the same alone, first, last or shuffled; ``tests/conftest.py`` checks the whole run again
when the session ends.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from gateway.app import create_app
from gateway.bc import CacheSettings
from gateway.edge.development import Development, mint_for
from gateway.sandbox.app import sandbox_of
from gateway.sandbox.faults import Fault
from gateway.settings import Settings
from tests.bc.fakes import FakeTime
from tests.conftest import TODAY
from tests.helpers import graphql
from tests.leak_watch import WATCH

pytestmark = pytest.mark.anyio

DASHBOARD = "{ me { number name } orders(first: 3) { nodes { number lines { description } } } }"


async def test_no_log_line_or_response_body_holds_a_secret_or_a_bc_url(
    development: Development, sandbox: Starlette
) -> None:
    # A fake BC clock: the failing reads below are retried without waiting for real.  Nothing is
    # kept between the operations: the last answer must come from a failing BC.
    settings = Settings(cache=CacheSettings(enabled=False))
    app = create_app(settings, development=development, today=lambda: TODAY, bc_clock=FakeTime().clock())
    customer = development.customers[0]
    token = mint_for(development, customer)
    seen = len(WATCH.bodies)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gateway.test") as client,
    ):
        answered: list[Any] = [(await graphql(client, DASHBOARD, token=token)).json()]
        answered.append((await graphql(client, DASHBOARD, token=token[:-4] + "AAAA")).json())
        sandbox_of(sandbox).faults.set([Fault("status", status=503)])
        answered.append((await graphql(client, DASHBOARD, token=token)).json())

    assert answered[0]["data"]["me"]["number"] == customer.customer_number
    assert answered[1]["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert {error["extensions"]["code"] for error in answered[2]["errors"]} == {"BC_UNAVAILABLE"}
    assert len(WATCH.bodies) == seen + 3  # the watch saw this test's answers
    assert WATCH.findings() == []
