"""The portal's stock page: one BC read per company and minute, whoever asks and whatever moves.

The catalogue and stock are the same for every customer of a company and are kept a minute
(docs/caching.md).  Orders placed by other customers, staff shipping, and BC's change events for
them and for the items they touch must not make the page cost BC again inside that minute: under
load those happen every second or two, and each made every customer's next stock page a BC read.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from gateway.app import create_app
from gateway.edge.development import Development
from gateway.edge.state import gateway_state
from gateway.sandbox.store import SandboxStore
from gateway.settings import Settings
from tests.conftest import TODAY
from tests.edge.test_item_availability import FakeClock
from tests.edge.writes_support import items, place
from tests.helpers import data_of, rows

pytestmark = [pytest.mark.anyio, pytest.mark.writes]

# The portal's own stock page (gateway/portal/static/js/operations.js, PortalStock).
STOCK = """
query PortalStock($search: String, $first: Int!, $after: String) {
  items(search: $search, first: $first, after: $after) {
    nodes {
      number name baseUnitOfMeasure { code } unitPrice { amount currencyCode }
      availability { onHand committed available nextReceiptDate nextReceiptQuantity }
    }
    pageInfo { hasNextPage endCursor }
  }
}
"""


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def app(development: Development, clock: FakeClock) -> AsyncIterator[Starlette]:
    app = create_app(Settings(), development=development, today=lambda: TODAY, clock=clock, wall_clock=clock)
    async with app.router.lifespan_context(app):
        yield app


@pytest.fixture
async def http(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://gateway.test") as http:
        yield http


def customers(store: SandboxStore, count: int) -> tuple[str, list[str]]:
    """A company and ``count`` of its customers who may order."""
    company = store.companies[0]["id"]
    numbers = [row["number"] for row in rows(store, company, "customers") if row["blocked"] == "_x0020_"]
    return company, numbers[:count]


def bc_requests(log: Any) -> list[str]:
    """The HTTP requests BC answered since the last call (a $batch is one), by entity set."""
    asked = [e.entity_set or e.path for e in log.entries if not e.in_batch]
    log.clear()
    return asked


async def test_two_customers_asking_the_same_stock_page_cost_bc_one_read_while_a_third_orders(
    http: httpx.AsyncClient, store: SandboxStore, token_for: Callable[..., str], bc_log: Any
) -> None:
    company, (first, second, buyer) = customers(store, 3)
    page = {"search": "chair", "first": 20}
    bc_log.clear()

    asked = await data_of(http, STOCK, page, token=token_for(first, company))
    # Name and number matches together (one $batch), the page's stock, the company's currency.
    assert sorted(bc_requests(bc_log)) == ["$batch", "generalLedgerSetup", "itemAvailabilities"]

    item = items(store, company)[0]
    ordered = await place(
        http,
        token_for(buyer, company),
        {"lines": [{"itemNumber": item["number"], "quantity": "1"}], "idempotencyKey": "stock-1"},
    )
    assert ordered["__typename"] == "PlacedOrder", ordered
    bc_requests(bc_log)

    again = await data_of(http, STOCK, page, token=token_for(second, company))
    assert bc_requests(bc_log) == []  # the company's stock answers still serve, the order notwithstanding
    assert again == asked
    own = await data_of(http, STOCK, page, token=token_for(buyer, company))
    assert bc_requests(bc_log) == []  # the buyer's too: stock is the company's minute for everyone
    assert own == asked


async def test_bcs_change_events_for_orders_shipments_and_items_leave_the_stock_page_kept_its_minute(
    app: Starlette,
    http: httpx.AsyncClient,
    store: SandboxStore,
    token_for: Callable[..., str],
    bc_log: Any,
    clock: FakeClock,
) -> None:
    company, (first, second) = customers(store, 2)
    page = {"search": None, "first": 20}
    await data_of(http, STOCK, page, token=token_for(first, company))
    bc_requests(bc_log)

    # What the webhook processor calls for each change BC reports (docs/caching.md): an order of
    # the second customer changed and shipped, the shipped items touched, one of them deleted.
    answers = gateway_state(app).bc.answers
    assert answers is not None
    for entity_set, owner in (("salesOrders", second), ("salesShipments", second), ("items", None)):
        await answers.record_changed(uuid.UUID(company), entity_set, owner)
    clock.now += 59.0
    await data_of(http, STOCK, page, token=token_for(second, company))
    assert bc_requests(bc_log) == []

    clock.now += 1.0  # the minute is over: read again once, for both
    await data_of(http, STOCK, page, token=token_for(second, company))
    assert sorted(bc_requests(bc_log)) == ["itemAvailabilities", "items"]
    await data_of(http, STOCK, page, token=token_for(first, company))
    assert bc_requests(bc_log) == []
