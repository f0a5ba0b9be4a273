"""The dashboard's five newest orders and the orders page's first twenty are one read: a small
page's discovery and resolution are a default page's (docs/order-status.md, "One page of
history"), so whichever of the two a customer opens first, the other is served kept."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from gateway.bc import CacheSettings
from gateway.sandbox.store import SandboxStore
from gateway.settings import Settings
from tests.edge.conftest import FakeClock
from tests.edge.test_order_view_cost import Served, _page, _signed_in, gateway_over, served
from tests.edge.test_reference_screens import CountingTransport

__all__ = ["served"]  # the fixture, shared with the order view's costs

pytestmark = pytest.mark.anyio


async def test_the_orders_page_after_the_dashboard_costs_bc_nothing(
    served: Served, shared_store: SandboxStore
) -> None:
    _, _, token = await _signed_in(served, shared_store)
    dashboard = await served.ask("PortalDashboard", token)
    served.clear()

    page = await _page(served, token)

    newest = [node["number"] for node in dashboard["data"]["orders"]["nodes"]]
    assert [node["number"] for node in page][: len(newest)] == newest
    assert len(page) == 20
    assert served.counting.requests == []


async def test_the_dashboard_after_the_orders_page_reads_no_order_again(
    served: Served, shared_store: SandboxStore
) -> None:
    _, _, token = await _signed_in(served, shared_store)
    page = await _page(served, token)
    served.clear()

    dashboard = await served.ask("PortalDashboard", token)

    assert [node["number"] for node in dashboard["data"]["orders"]["nodes"]] == [
        node["number"] for node in page[:5]
    ]
    assert served.reads() == ["customers", "salesInvoices"]  # its account and open invoices alone


OPEN = {"first": 20, "filter": {"status": ["OPEN"]}}  # the portal's invoices page


async def test_the_invoices_page_after_the_dashboard_costs_bc_nothing(
    served: Served, shared_store: SandboxStore
) -> None:
    """The dashboard's five open invoices are read as the invoices page's twenty (and one more)
    are, and answer their head: the page is served from that read.  Before, the two reads
    differed in their `$top` alone, and the page was a BC request of its own."""
    _, _, token = await _signed_in(served, shared_store)
    dashboard = await served.ask("PortalDashboard", token)
    served.clear()

    page = (await served.ask("PortalInvoices", token, **OPEN))["data"]["invoices"]["nodes"]

    newest = [node["number"] for node in dashboard["data"]["invoices"]["nodes"]]
    assert newest
    assert [node["number"] for node in page][: len(newest)] == newest
    assert served.counting.requests == []


@pytest.fixture
async def uncached(development: Any, bc_log: Any, clock: FakeClock) -> AsyncIterator[Served]:
    counting = CountingTransport(development.bc_transport)
    async with gateway_over(
        development, counting, clock, Settings(cache=CacheSettings(enabled=False))
    ) as client:
        yield Served(client, counting, bc_log, clock, development)


async def test_with_the_cache_off_the_dashboard_reads_fewer_orders_than_the_orders_page(
    uncached: Served, shared_store: SandboxStore
) -> None:
    # Nothing is kept for the orders page to be served from, so the dashboard reads its five.
    _, _, token = await _signed_in(uncached, shared_store)
    uncached.clear()
    await uncached.ask("PortalDashboard", token)
    dashboard = uncached.bc_log.rows_read("salesOrders")
    uncached.clear()
    await _page(uncached, token)
    page = uncached.bc_log.rows_read("salesOrders")

    assert 0 < dashboard < page
