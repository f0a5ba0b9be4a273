"""The dashboard's five newest orders and the orders page's first twenty are one read: a small
page's discovery and resolution are a default page's (docs/order-status.md, "One page of
history"), so whichever of the two a customer opens first, the other is served kept."""

from __future__ import annotations

import pytest

from gateway.sandbox.store import SandboxStore
from tests.edge.test_order_view_cost import Served, _page, _signed_in, served

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
