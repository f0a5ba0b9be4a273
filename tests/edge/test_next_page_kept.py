"""The orders page's second page right after its first costs BC nothing: a first page read while
answers are kept reads for two pages (discovery `$top`s, and the next page's completed orders
resolved riding along), and the next page is served from those kept answers when they are sure
to hold it — the same orders, order, cursors and statuses as a page read from BC, which a
gateway with the cache off gives (docs/order-status.md, "The next page")."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import parse_qs

import pytest
from starlette.applications import Starlette

from gateway.bc import CacheSettings
from gateway.edge.development import Development, mint_for
from gateway.sandbox.store import SandboxStore
from gateway.settings import Settings
from tests.edge.conftest import FakeClock
from tests.edge.test_order_view_cost import Served, gateway_over
from tests.edge.test_reference_screens import CountingTransport
from tests.helpers import rows
from tests.history import ExpectedOrder, long_history_sandbox, long_history_store, order_history

pytestmark = pytest.mark.anyio

LONG = 1000  # about three orders a day: both page boundaries fall inside a day of several orders
CUSTOMER = f"LONG-{LONG}"


@pytest.fixture(scope="module")
def long_store() -> SandboxStore:
    return long_history_store(LONG)


@pytest.fixture
def sandbox(long_store: SandboxStore) -> Starlette:
    return long_history_sandbox(long_store, LONG)


@pytest.fixture
def history(long_store: SandboxStore) -> list[ExpectedOrder]:
    return order_history(long_store, long_store.companies[0]["id"], CUSTOMER)


@dataclasses.dataclass
class Portal:
    """The same customer on two gateways over one BC: answers kept, and the cache off."""

    kept: Served
    fresh: Served
    token: str

    async def page(self, served: Served, after: str | None = None, **filter: Any) -> dict[str, Any]:
        """One page of `PortalOrders` (the portal's orders page), its BC HTTP requests counted."""
        served.clear()
        variables: dict[str, Any] = {"first": 20, "after": after, "filter": filter or None}
        page: dict[str, Any] = (await served.ask("PortalOrders", self.token, **variables))["data"]["orders"]
        return page


@pytest.fixture
async def portal(development: Development, bc_log: Any, clock: FakeClock) -> AsyncIterator[Portal]:
    kept, fresh = CountingTransport(development.bc_transport), CountingTransport(development.bc_transport)
    off = Settings(cache=CacheSettings(enabled=False))
    customer = next(c for c in development.customers if c.customer_number == CUSTOMER)
    async with (
        gateway_over(development, kept, clock, Settings()) as kept_client,
        gateway_over(development, fresh, clock, off) as fresh_client,
    ):
        yield Portal(
            Served(kept_client, kept, bc_log, clock, development),
            Served(fresh_client, fresh, bc_log, clock, development),
            mint_for(development, customer),
        )


def numbers(page: dict[str, Any]) -> list[str]:
    return [node["number"] for node in page["nodes"]]


async def test_page_two_right_after_page_one_costs_bc_nothing_and_is_the_page_bc_gives(
    portal: Portal, history: list[ExpectedOrder], long_store: SandboxStore
) -> None:
    first = await portal.page(portal.kept)
    assert len(portal.kept.counting.requests) == 2  # discovery, resolution: as before

    second = await portal.page(portal.kept, first["pageInfo"]["endCursor"])

    assert portal.kept.counting.requests == []
    assert second == await portal.page(portal.fresh, first["pageInfo"]["endCursor"])
    assert numbers(second) == [order.number for order in history[20:40]]
    # What the page had to get right: a boundary inside a day of several orders, completed
    # orders (dated by their archives) among open ones.
    assert history[19].order_date == history[20].order_date == history[21].order_date
    company = long_store.companies[0]["id"]
    archived = {row["number"] for row in rows(long_store, company, "salesOrderArchives")}
    completed = [node for node in second["nodes"] if not node["open"]]
    assert completed
    assert {node["number"] for node in completed} <= archived
    assert {node["status"] for node in completed} == {"INVOICED"}


async def test_page_three_after_the_kept_pages_is_read_from_bc_and_is_the_page_bc_gives(
    portal: Portal, history: list[ExpectedOrder]
) -> None:
    first = await portal.page(portal.kept)
    second = await portal.page(portal.kept, first["pageInfo"]["endCursor"])
    assert portal.kept.counting.requests == []

    third = await portal.page(portal.kept, second["pageInfo"]["endCursor"])

    # Below what the first page read: discovery below the cursor, as any later page.
    assert portal.kept.counting.requests != []
    assert third == await portal.page(portal.fresh, second["pageInfo"]["endCursor"])
    assert numbers(third) == [order.number for order in history[40:60]]


async def test_page_two_after_page_ones_answers_expired_is_read_as_before(portal: Portal) -> None:
    first = await portal.page(portal.kept)
    portal.kept.clock.advance(16)  # past the orders' 15 s
    bc_gives = await portal.page(portal.fresh, first["pageInfo"]["endCursor"])
    fresh_requests = len(portal.fresh.counting.requests)

    second = await portal.page(portal.kept, first["pageInfo"]["endCursor"])

    assert second == bc_gives
    assert len(portal.kept.counting.requests) == fresh_requests == 2


async def test_page_two_after_the_dashboard_and_page_one_costs_bc_nothing(portal: Portal) -> None:
    """The portal's way there: the dashboard reads the orders page's first page (its five newest
    are its head), so the orders page and its second page are both served kept."""
    await portal.kept.ask("PortalDashboard", portal.token)
    first = await portal.page(portal.kept)
    second = await portal.page(portal.kept, first["pageInfo"]["endCursor"])

    assert portal.kept.counting.requests == []
    assert second == await portal.page(portal.fresh, first["pageInfo"]["endCursor"])


async def test_a_page_two_in_a_date_window_right_after_its_page_one_costs_bc_nothing(
    portal: Portal, history: list[ExpectedOrder]
) -> None:
    window = {"from": history[70].order_date, "to": history[3].order_date}
    first = await portal.page(portal.kept, **window)

    second = await portal.page(portal.kept, first["pageInfo"]["endCursor"], **window)

    assert portal.kept.counting.requests == []
    assert second == await portal.page(portal.fresh, first["pageInfo"]["endCursor"], **window)
    expected = [o.number for o in history if window["from"] <= o.order_date <= window["to"]][20:40]
    assert numbers(second) == expected


@pytest.mark.parametrize("status", ["PARTIALLY_SHIPPED", "INVOICED"])
async def test_a_page_two_by_status_is_the_page_bc_gives_at_no_more_cost(portal: Portal, status: str) -> None:
    """A status the resolved lines decide: matches can be too sparse for a first page's reads to
    hold two pages, so such a first page reads for itself and its next page is read from BC as
    before — and is the page BC gives."""
    first = await portal.page(portal.kept, status=[status])
    second = await portal.page(portal.kept, first["pageInfo"]["endCursor"], status=[status])
    spent = len(portal.kept.counting.requests)

    assert second == await portal.page(portal.fresh, first["pageInfo"]["endCursor"], status=[status])
    assert spent <= len(portal.fresh.counting.requests)
    assert second["nodes"]
    assert {node["status"] for node in second["nodes"]} == {status}


async def test_with_the_cache_off_a_page_reads_its_own_size_as_before(portal: Portal) -> None:
    """Nothing is kept for a next page to be served from: each page asks for what it shows (its
    `$top`s: the page and two more orders, four times that of posted documents) in two
    requests, discovery and resolution — while a first page whose answers are kept asks for two
    pages in the same two requests."""
    first = await portal.page(portal.fresh)
    assert len(portal.fresh.counting.requests) == 2
    assert tops(portal.fresh) == {**dict.fromkeys(ORDERS, 20 + 2), **dict.fromkeys(POSTED, 4 * (20 + 2))}

    await portal.page(portal.fresh, first["pageInfo"]["endCursor"])
    assert len(portal.fresh.counting.requests) == 2
    assert tops(portal.fresh) == {**dict.fromkeys(ORDERS, 20 + 2), **dict.fromkeys(POSTED, 4 * (20 + 2))}

    await portal.page(portal.kept)
    assert len(portal.kept.counting.requests) == 2
    assert tops(portal.kept) == {**dict.fromkeys(ORDERS, 40 + 2), **dict.fromkeys(POSTED, 4 * (40 + 2))}


ORDERS = ("salesOrders", "salesOrderArchives")
POSTED = ("salesShipments", "salesInvoices")


def tops(served: Served) -> dict[str, int]:
    """The `$top` each entity set's reads asked for (the discovery reads: reads by key have none)."""
    found: dict[str, set[int]] = {}
    for entry in served.bc_log.entries:
        top = parse_qs(entry.query_string).get("$top")
        if top and entry.entity_set:
            found.setdefault(entry.entity_set, set()).update(map(int, top))
    assert all(len(asked) == 1 for asked in found.values()), found
    return {entity_set: asked.pop() for entity_set, asked in found.items()}
