"""Nothing the gateway logs or answers holds a bearer token, the BC client secret or a BC URL;
nothing it logs holds a signed download link or an idempotency key.

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
from gateway.sandbox.store import SandboxStore
from gateway.settings import Settings
from tests.bc.fakes import FakeTime
from tests.conftest import TODAY
from tests.edge.test_documents import invoice_owner
from tests.edge.writes_support import gateway_client, items, place
from tests.helpers import data_of, graphql
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


@pytest.mark.writes
async def test_no_log_line_holds_a_download_link_or_an_idempotency_key(
    store: SandboxStore, development: Development
) -> None:
    """A download and an order (writes change the world: this test gets its own)."""
    company, number = invoice_owner(store)
    buyer = next(c for c in development.customers if (c.company_id, c.customer_number) == (company, number))
    token = mint_for(development, buyer)
    key = "order-key-4f1c9e2a7b"
    seen = len(WATCH.log_lines)
    async with gateway_client(development) as client:
        data = await data_of(client, "{ invoices(first: 1) { nodes { pdfUrl } } }", token=token)
        link = data["invoices"]["nodes"][0]["pdfUrl"]
        downloaded = await client.get(link, headers={"authorization": f"Bearer {token}"})
        line = {"itemNumber": items(store, company)[0]["number"], "quantity": "1"}
        placed = await place(client, token, {"lines": [line], "idempotencyKey": key})

    assert downloaded.status_code == 200
    assert placed["__typename"] == "PlacedOrder", placed
    logged = WATCH.log_lines[seen:]
    assert any("gateway.audit.write" in text for text in logged)
    assert not [text for text in logged if key in text or link.rsplit("/", 1)[1] in text]
    assert WATCH.findings() == []
