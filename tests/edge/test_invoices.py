"""Invoices: posted only, newest first, with payment state, overdue days, lines and a PDF link."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import httpx
import pytest

from gateway.app import create_app
from gateway.edge.development import mint_for, start_development
from gateway.sandbox.app import create_sandbox_app
from gateway.sandbox.config import SandboxConfig
from gateway.sandbox.store import SandboxStore
from gateway.sandbox.world import build_store
from gateway.settings import Settings
from tests.conftest import SCALE, SEED, TODAY
from tests.edge.portal_support import customer_with, money, posted_invoices
from tests.helpers import data_of, rows

pytestmark = pytest.mark.anyio

INVOICES = """
query($after: String) {
  invoices(first: 100, after: $after) {
    nodes { number postingDate dueDate status isOverdue daysOverdue remainingAmount { amount }
            totalIncludingTax { amount } pdfUrl lines { sequence number quantity } }
    pageInfo { hasNextPage endCursor }
  }
}
"""
FIRST_FIVE = "{ invoices(first: 5) { nodes { number } pageInfo { hasNextPage } } }"


def overdue_days(invoice: dict[str, Any]) -> int:
    if invoice["status"] != "Open" or invoice["remainingAmount"] <= 0:
        return 0
    return max((TODAY - date.fromisoformat(invoice["dueDate"])).days, 0)


async def test_invoices_are_the_posted_ones_with_status_overdue_days_lines_and_pdf_links(
    client: httpx.AsyncClient, shared_store: SandboxStore, token_for: Any
) -> None:
    company, customer = customer_with(
        shared_store,
        lambda c, n: sum(1 for i in posted_invoices(shared_store, c, n) if overdue_days(i) > 0),
    )
    want = posted_invoices(shared_store, company, customer)
    token = token_for(customer, company)
    nodes: list[dict[str, Any]] = []
    after = None
    while True:
        page = (await data_of(client, INVOICES, {"after": after}, token=token))["invoices"]
        nodes += page["nodes"]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]

    assert [n["number"] for n in nodes] == [i["number"] for i in want]
    lines = rows(shared_store, company, "salesInvoiceLines")
    for node, invoice in zip(nodes, want, strict=True):
        assert node["status"] == invoice["status"].upper()
        assert node["dueDate"] == invoice["dueDate"]
        assert money(node["remainingAmount"]["amount"]) == invoice["remainingAmount"]
        assert money(node["totalIncludingTax"]["amount"]) == invoice["totalAmountIncludingTax"]
        assert node["daysOverdue"] == overdue_days(invoice)
        assert node["isOverdue"] == (overdue_days(invoice) > 0)
        assert node["pdfUrl"].startswith("http://gateway.test/documents/")
        mine = sorted(
            li["sequence"]
            for li in lines
            # The gateway's reference comment, copied from a portal order, is never shown.
            if li["documentId"] == invoice["id"] and not li["description"].startswith("Portal order ref")
        )
        assert [li["sequence"] for li in node["lines"]] == mine
    assert any(n["isOverdue"] for n in nodes)


async def test_a_draft_invoice_is_never_shown(
    client: httpx.AsyncClient, shared_store: SandboxStore, token_for: Any
) -> None:
    company = shared_store.companies[0]["id"]
    draft = next(i for i in rows(shared_store, company, "salesInvoices") if i["status"] == "Draft")
    token = token_for(draft["customerNumber"], company)
    one = await data_of(
        client, "query($n: String!) { invoice(number: $n) { number } }", {"n": draft["number"]}, token=token
    )
    listed = await data_of(client, INVOICES, token=token)
    assert one["invoice"] is None
    assert draft["number"] not in {n["number"] for n in listed["invoices"]["nodes"]}


async def test_a_list_that_shows_no_lines_reads_the_invoices_without_them(
    client: httpx.AsyncClient, shared_store: SandboxStore, token_for: Any, bc_log: Any
) -> None:
    company, customer = customer_with(shared_store, lambda c, n: len(posted_invoices(shared_store, c, n)))
    token = token_for(customer, company)
    headers_only = "{ invoices(first: 5) { nodes { number dueDate status isOverdue } } }"
    with_lines = "{ invoices(first: 5) { edges { node { number lines { number quantity } } } } }"

    bc_log.clear()
    plain = await data_of(client, headers_only, token=token)
    plain_reads = [e.query_string for e in bc_log.entries if e.entity_set == "salesInvoices"]
    bc_log.clear()
    full = await data_of(client, with_lines, token=token)
    full_reads = [e.query_string for e in bc_log.entries if e.entity_set == "salesInvoices"]

    assert [n["number"] for n in plain["invoices"]["nodes"]] == [
        e["node"]["number"] for e in full["invoices"]["edges"]
    ]
    assert any(e["node"]["lines"] for e in full["invoices"]["edges"])
    # The same request count either way; lines are expanded only when they are shown.
    assert len(plain_reads) == len(full_reads) == 1
    assert "expand" not in plain_reads[0]
    assert "salesInvoiceLines" in full_reads[0]


def _released_drafts(store: SandboxStore, company: str, customer: str) -> list[dict[str, Any]]:
    """The customer's invoices BC cannot tell from posted ones by status: Open, nothing remaining."""
    return [
        r
        for r in rows(store, company, "salesInvoices")
        if r["customerNumber"] == customer and r["status"] == "Open" and r["remainingAmount"] <= 0
    ]


async def test_a_page_of_invoices_reads_from_bc_only_the_rows_it_shows_and_one_more(
    client: httpx.AsyncClient, shared_store: SandboxStore, token_for: Any, bc_log: Any
) -> None:
    # The dashboard's five invoices read the invoices page's twenty and one more from BC (the
    # twenty-first says whether a next page exists; the twenty serve the invoices page kept:
    # docs/caching.md), not a hundred, while none of the newest is one the gateway must leave out.
    def fitting(company: str, customer: str) -> int:
        if _released_drafts(shared_store, company, customer):
            return 0
        return len(posted_invoices(shared_store, company, customer))

    company, customer = customer_with(shared_store, fitting, minimum=8)
    want = posted_invoices(shared_store, company, customer)
    bc_log.clear()
    page = await data_of(client, FIRST_FIVE, token=token_for(customer, company))

    assert [n["number"] for n in page["invoices"]["nodes"]] == [i["number"] for i in want[:5]]
    assert page["invoices"]["pageInfo"]["hasNextPage"] is True
    assert bc_log.rows_read("salesInvoices") == 21


async def test_an_invoice_bc_cannot_filter_out_is_skipped_and_the_page_still_fills() -> None:
    # A released draft (Open, nothing remaining) among the first rows BC sends is left out, and
    # the page reads on until it has its five invoices.
    store = build_store(seed=SEED, scale=SCALE, today=TODAY)
    company, customer = customer_with(store, lambda c, n: len(posted_invoices(store, c, n)), minimum=8)
    released = posted_invoices(store, company, customer)[1]
    released.update(status="Open", remainingAmount=Decimal(0))
    want = posted_invoices(store, company, customer)
    sandbox = create_sandbox_app(SandboxConfig(seed=SEED, scale=SCALE, today=TODAY), store=store)
    development = start_development(Settings(), sandbox=sandbox)
    app = create_app(Settings(), development=development, today=lambda: TODAY)
    member = next(
        c for c in development.customers if (str(c.company_id), c.customer_number) == (company, customer)
    )
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gateway.test") as http,
    ):
        page = await data_of(http, FIRST_FIVE, token=mint_for(development, member))

    assert released["number"] not in [i["number"] for i in want]
    assert [n["number"] for n in page["invoices"]["nodes"]] == [i["number"] for i in want[:5]]
    assert page["invoices"]["pageInfo"]["hasNextPage"] is True
