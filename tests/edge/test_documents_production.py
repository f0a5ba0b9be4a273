"""Downloads work the same behind the production edge (its guards and middleware) as in
development mode."""

from __future__ import annotations

from typing import Any

import pytest

from gateway.edge.documents import DOWNLOAD_COST
from gateway.edge.ratelimit import RateLimit
from gateway.sandbox.store import SandboxStore
from tests.edge.conftest import GatewayFactory
from tests.edge.portal_support import customer_with, posted_invoices
from tests.helpers import data_of

pytestmark = pytest.mark.anyio


async def test_the_owner_downloads_an_invoice_pdf_from_a_production_gateway(
    gateway: GatewayFactory, shared_store: SandboxStore, token_for: Any
) -> None:
    company, customer = customer_with(shared_store, lambda c, n: len(posted_invoices(shared_store, c, n)))
    invoice = posted_invoices(shared_store, company, customer)[0]
    token = token_for(customer, company)
    async with gateway(production=True, base_url="https://portal.example.com") as client:
        data = await data_of(
            client,
            "query($n: String!) { invoice(number: $n) { pdfUrl } }",
            {"n": invoice["number"]},
            token=token,
        )
        url = data["invoice"]["pdfUrl"]
        response = await client.get(url, headers={"authorization": f"Bearer {token}"})
        refused = await client.get(url)

    assert url.startswith("https://portal.example.com/documents/")
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF-")
    assert response.headers["cache-control"] == "private, no-store"
    assert refused.status_code == 401


async def test_guessing_links_is_rate_limited_per_address_without_asking_bc(
    gateway: GatewayFactory, shared_store: SandboxStore, token_for: Any, bc_log: Any
) -> None:
    company, customer = customer_with(shared_store, lambda c, n: len(posted_invoices(shared_store, c, n)))
    token = token_for(customer, company)
    async with gateway(
        production=True, base_url="https://portal.example.com", ip_rate_limit=RateLimit(per_minute=1, burst=3)
    ) as client:
        bc_log.clear()
        statuses = [
            (
                await client.get(f"/documents/guess{n}.AAAA", headers={"authorization": f"Bearer {token}"})
            ).status_code
            for n in range(5)
        ]
    assert statuses == [403, 403, 403, 429, 429]
    assert bc_log.entries == []


async def test_downloads_count_against_the_customers_rate_limit(
    gateway: GatewayFactory, shared_store: SandboxStore, token_for: Any
) -> None:
    company, customer = customer_with(shared_store, lambda c, n: len(posted_invoices(shared_store, c, n)))
    invoice = posted_invoices(shared_store, company, customer)[0]
    token = token_for(customer, company)
    budget = RateLimit(per_minute=1, burst=DOWNLOAD_COST + 5)  # one page and one download, not two
    async with gateway(production=True, base_url="https://portal.example.com", rate_limit=budget) as client:
        data = await data_of(
            client,
            "query($n: String!) { invoice(number: $n) { pdfUrl } }",
            {"n": invoice["number"]},
            token=token,
        )
        headers = {"authorization": f"Bearer {token}"}
        first = await client.get(data["invoice"]["pdfUrl"], headers=headers)
        second = await client.get(data["invoice"]["pdfUrl"], headers=headers)
    assert first.status_code == 200
    assert second.status_code == 429
    assert int(second.headers["retry-after"]) > 0
