"""Defence in depth: a row of another customer that BC sends anyway never reaches the caller."""

from __future__ import annotations

import dataclasses
import json
import logging
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from gateway.app import create_app
from gateway.edge.development import Development
from gateway.sandbox.store import SandboxStore
from gateway.settings import Settings
from tests.conftest import TODAY
from tests.edge.test_tenant_isolation import two_customers

pytestmark = pytest.mark.anyio

FOREIGN_NUMBERS = {
    "salesOrders": "S-ORD-FOREIGN",
    "salesInvoices": "S-INV-FOREIGN",
    "salesShipments": "S-SHP-FOREIGN",
}


class ForeignRowInjector(httpx.AsyncBaseTransport):
    """A BC that ignores the customer filter once: each collection answer gains another customer's row."""

    def __init__(self, inner: httpx.AsyncBaseTransport, foreign_customer: str) -> None:
        self.inner = inner
        self.foreign_customer = foreign_customer

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        entity_set = request.url.path.rsplit("/", 1)[-1]
        batched = entity_set == "$batch" and request.method == "POST"
        if not batched and (entity_set not in FOREIGN_NUMBERS or request.method != "GET"):
            return response
        body = json.loads(await response.aread())
        # Inside a JSON $batch each read's answer is an inner body: each of them gains a row too.
        if batched:
            sets = {
                r["id"]: urlsplit(r["url"]).path.rsplit("/", 1)[-1]
                for r in json.loads(request.content)["requests"]
            }
            pages = [(sets.get(a["id"], ""), a.get("body") or {}) for a in body["responses"]]
        else:
            pages = [(entity_set, body)]
        for page_set, page in pages:
            if page_set in FOREIGN_NUMBERS and page.get("value"):
                intruder = dict(
                    page["value"][0], customerNumber=self.foreign_customer, number=FOREIGN_NUMBERS[page_set]
                )
                page["value"].append(intruder)
        headers = {
            k: v
            for k, v in response.headers.items()
            if k.lower() not in ("content-length", "content-encoding")
        }
        return httpx.Response(response.status_code, headers=headers, json=body)


@pytest.mark.parametrize("field", ["orders", "invoices", "shipments"])
async def test_a_foreign_row_is_dropped_and_logged_as_a_security_event(
    field: str,
    development: Development,
    shared_store: SandboxStore,
    token_for: Any,
    caplog: pytest.LogCaptureFixture,
) -> None:
    company, a, b = two_customers(shared_store)
    leaky = dataclasses.replace(development, bc_transport=ForeignRowInjector(development.bc_transport, b))
    app = create_app(Settings(), development=leaky, today=lambda: TODAY)
    query = f"{{ {field}(first: 5) {{ nodes {{ number }} }} }}"
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gateway.test") as client,
    ):
        with caplog.at_level(logging.ERROR, logger="gateway.security"):
            response = await client.post(
                "/graphql",
                json={"query": query},
                headers={"authorization": f"Bearer {token_for(a, company)}"},
            )

    body = response.json()
    assert "errors" not in body, body
    numbers = [node["number"] for node in body["data"][field]["nodes"]]
    assert numbers
    assert not set(numbers) & set(FOREIGN_NUMBERS.values())
    events = [r for r in caplog.records if getattr(r, "security_event", None) == "scope_violation"]
    assert events
    assert all(event.customer == a for event in events)  # type: ignore[attr-defined]
