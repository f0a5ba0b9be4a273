"""The BC request count of each reference screen, exactly: at most one request per dependency
level (a level's independent reads travel as one JSON $batch where BC accepts it)."""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from typing import Any

import httpx
import pytest

from gateway.app import create_app
from gateway.edge.development import Development
from gateway.sandbox.store import SandboxStore
from gateway.settings import Settings
from tests.conftest import TODAY
from tests.edge.portal_support import customer_with, ledger_entries, other_customers, posted_invoices
from tests.helpers import data_of

pytestmark = pytest.mark.anyio

DASHBOARD = """
{
  me { number name balance { amount } creditLimit { amount } availableCredit { amount }
       overdueAmount { amount } aging { current { amount } period1 { label amount { amount } } } }
  orders(first: 5) { nodes { number orderDate status totalIncludingTax { amount } } }
  invoices(first: 5) { nodes { number dueDate status remainingAmount { amount } isOverdue pdfUrl } }
}
"""
INVOICES_PAGE = """
{
  invoices(first: 20) {
    nodes { number invoiceDate dueDate status isOverdue daysOverdue remainingAmount { amount }
            totalIncludingTax { amount } pdfUrl lines { sequence description quantity } }
    pageInfo { hasNextPage endCursor }
  }
}
"""
STATEMENT_PAGE = """
query($from: Date!) {
  statement(from: $from) {
    openingBalance { amount } closingBalance { amount }
    entries {
      postingDate type documentNumber description debit { amount } credit { amount } balance { amount }
    }
  }
}
"""


def busy(store: SandboxStore) -> tuple[str, str]:
    return customer_with(
        store,
        lambda c, n: min(len(posted_invoices(store, c, n)), len(ledger_entries(store, c, n))),
        minimum=5,
    )


async def _count(
    client: httpx.AsyncClient, bc_log: Any, query: str, token: str, warm: str, **variables: Any
) -> list[str]:
    """The BC reads of ``query`` for ``token``'s customer, nothing of it kept yet, in a company
    whose own facts (its currency) are known: ``warm``, another customer of it, asked first."""
    await data_of(client, query, variables, token=warm)
    bc_log.clear()
    await data_of(client, query, variables, token=token)
    return sorted(str(e.entity_set) for e in bc_log.entries)


class CountingTransport(httpx.AsyncBaseTransport):
    """The gateway's HTTP round trips to BC (a $batch is one, whatever it carries)."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.requests: list[str] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if "/api/" in request.url.path:
            self.requests.append(f"{request.method} {request.url.path.rsplit('/', 1)[-1]}")
        return await self.inner.handle_async_request(request)


async def test_the_dashboard_is_two_levels_of_bc_reads(
    development: Development, shared_store: SandboxStore, token_for: Any, bc_log: Any
) -> None:
    company, customer = busy(shared_store)
    counting = CountingTransport(development.bc_transport)
    app = create_app(
        Settings(), development=dataclasses.replace(development, bc_transport=counting), today=lambda: TODAY
    )
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gateway.test") as client,
    ):
        others = other_customers(shared_store, company, customer)
        read = await _count(
            client, bc_log, DASHBOARD, token_for(customer, company), token_for(others[0], company)
        )
        counting.requests.clear()
        await data_of(client, DASHBOARD, token=token_for(others[1], company))

    # Two dependency levels.  Level 1: me with its aging, the invoices, and the orders'
    # discovery — open orders, and the posted shipments, invoices and (where the tenant has
    # them) archives that date completed orders.  Level 2: the completed orders on the page looked
    # up by number, whole — open check, shipments, invoices, archives — as `order(number)` does:
    # a completed order's documents carry their own dates, so no read by date is sure to have them
    # all (docs/order-status.md).
    level_1 = [
        "customers",
        "salesInvoices",
        "salesInvoices",
        "salesOrderArchives",
        "salesOrders",
        "salesShipments",
    ]
    level_2 = ["salesInvoices", "salesOrderArchives", "salesOrders", "salesShipments"]
    # And in level 2's $batch, read ahead for the views of the page's open orders: their
    # documents and archives, their lines' items (docs/caching.md, "Read along with the page").
    read_ahead = ["items", "salesInvoices", "salesOrderArchives", "salesShipments"]
    assert [name for name in read if name != "$batch"] == sorted(level_1 + level_2 + read_ahead)
    assert sorted(counting.requests) in (
        # JSON $batch on: one round trip per level.
        ["POST $batch", "POST $batch"],
        # $batch off (or refused by BC): the reads one by one, each level's at once.
        sorted(f"GET {name}" for name in level_1 + level_2),
    )


async def test_the_invoices_page_with_lines_and_pdf_links_is_one_bc_request(
    client: httpx.AsyncClient, shared_store: SandboxStore, token_for: Any, bc_log: Any
) -> None:
    company, customer = busy(shared_store)
    warm = token_for(other_customers(shared_store, company, customer)[0], company)
    requests = await _count(client, bc_log, INVOICES_PAGE, token_for(customer, company), warm)
    assert requests == ["salesInvoices"]


async def test_the_statement_page_is_two_bc_requests_at_once(
    client: httpx.AsyncClient, shared_store: SandboxStore, token_for: Any, bc_log: Any
) -> None:
    company, customer = busy(shared_store)
    start = (TODAY - timedelta(days=365)).isoformat()
    warm = token_for(other_customers(shared_store, company, customer)[0], company)
    requests = await _count(
        client, bc_log, STATEMENT_PAGE, token_for(customer, company), warm, **{"from": start}
    )
    # The entries since `from` and the balance they start from, at once (one on each API route).
    assert requests == ["customerFinancialDetails", "customerLedgerEntries"]
