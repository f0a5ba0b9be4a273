"""What the portal's order view (`PortalOrder`) costs BC, exactly: alone, and after the page the
customer clicked it on.  Its reads by number are kept one answer per number, so the order and
its documents read by the orders page (or the dashboard) serve it (docs/caching.md, "One answer
per key")."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest

from gateway.app import create_app
from gateway.edge.development import Development, mint_for
from gateway.portal.operations import collect_operations, operations_source
from gateway.sandbox.store import SandboxStore
from gateway.settings import Settings
from tests.conftest import TODAY
from tests.edge.conftest import FakeClock
from tests.edge.portal_support import other_customers
from tests.edge.test_reference_screens import CountingTransport
from tests.helpers import graphql, rows

pytestmark = pytest.mark.anyio

PORTAL = {
    re.search(r"(?:query|mutation|subscription) (\w+)", document).group(1): document  # type: ignore[union-attr]
    for document in collect_operations(operations_source())
}
CURRENCY = "{ me { balance { amount currencyCode } } }"  # the company's currency, and nothing else
ROUND_ONE = ["salesInvoices", "salesOrderArchives", "salesOrders", "salesShipments"]
RECENT = ["shipmentTrackings"]  # the customer's recent ones, with their documents, read along


@dataclasses.dataclass
class Served:
    client: httpx.AsyncClient
    counting: CountingTransport
    bc_log: Any
    clock: FakeClock
    development: Development

    async def ask(self, operation: str, token: str, **variables: Any) -> dict[str, Any]:
        response = await graphql(self.client, PORTAL[operation], variables, token=token)
        body: dict[str, Any] = response.json()
        assert response.status_code == 200, body
        assert "errors" not in body, body
        return body

    def clear(self) -> None:
        self.bc_log.clear()
        self.counting.requests.clear()

    def reads(self) -> list[str]:
        return sorted(str(e.entity_set) for e in self.bc_log.entries if e.entity_set not in (None, "$batch"))


@asynccontextmanager
async def gateway_over(
    development: Development, bc: httpx.AsyncBaseTransport, clock: FakeClock, settings: Settings
) -> AsyncIterator[httpx.AsyncClient]:
    """A client of a gateway whose requests to BC go through ``bc``, on ``clock``."""
    app = create_app(
        settings,
        development=dataclasses.replace(development, bc_transport=bc),
        today=lambda: TODAY,
        clock=clock,
        wall_clock=clock,
    )
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gateway.test") as client,
    ):
        yield client


@pytest.fixture
async def served(development: Development, bc_log: Any, clock: FakeClock) -> AsyncIterator[Served]:
    counting = CountingTransport(development.bc_transport)
    async with gateway_over(development, counting, clock, Settings()) as client:
        yield Served(client, counting, bc_log, clock, development)


def _shipped(store: SandboxStore, company: str, order_number: str) -> bool:
    return any(row["orderNumber"] == order_number for row in rows(store, company, "salesShipments"))


def _items(store: SandboxStore, company: str, order: dict[str, Any]) -> set[str]:
    """The item numbers of an open order's lines, as the sandbox holds them."""
    lines = rows(store, company, "salesOrderLines")
    return {
        line["lineObjectNumber"] for line in lines if line["documentId"] == order["id"] and line.get("itemId")
    }


async def _page(served: Served, token: str) -> list[dict[str, Any]]:
    body = await served.ask("PortalOrders", token, first=20)
    nodes: list[dict[str, Any]] = body["data"]["orders"]["nodes"]
    return nodes


def _customer(store: SandboxStore) -> tuple[str, str, str]:
    """(company, customer, another customer of it): a customer with open orders, shipped and
    not, and completed ones."""
    company = store.companies[0]["id"]
    orders = rows(store, company, "salesOrders")
    for customer in sorted({row["customerNumber"] for row in orders}):
        mine = [row["number"] for row in orders if row["customerNumber"] == customer]
        if any(_shipped(store, company, n) for n in mine) and any(
            not _shipped(store, company, n) for n in mine
        ):
            return company, customer, other_customers(store, company, customer)[0]
    raise AssertionError("no customer with shipped and unshipped open orders")


async def _warm(served: Served, company: str, other: str) -> None:
    """What a company's first operation reads once (its currency), read for another customer
    by a query that reads no order (the dashboard reads ahead the items of its orders' lines,
    which any customer's order view of the company may share)."""
    response = await graphql(served.client, CURRENCY, {}, token=served_token(served, other, company))
    assert "errors" not in response.json()
    served.clear()


async def _signed_in(served: Served, store: SandboxStore) -> tuple[str, str, str]:
    """(company, customer, the customer's token), nothing of the customer kept yet."""
    company, customer, other = _customer(store)
    await _warm(served, company, other)
    return company, customer, served_token(served, customer, company)


def served_token(served: Served, customer: str, company: str) -> str:
    found = next(
        c
        for c in served.development.customers
        if c.customer_number == customer and str(c.company_id) == company
    )
    return mint_for(served.development, found)


async def test_an_order_alone_is_its_documents_then_their_details(
    served: Served, shared_store: SandboxStore
) -> None:
    """On a miss: the order and its documents at once (one $batch); then, at once, what hangs
    off them: the shipments' tracking and proof of delivery and the company's carriers (one
    $batch of the portal API) and the lines' items (the standard API's: a $batch is one API's)."""
    company, customer, token = await _signed_in(served, shared_store)
    number = next(
        row["number"]
        for row in rows(shared_store, company, "salesOrders")
        if row["customerNumber"] == customer and _shipped(shared_store, company, row["number"])
    )

    order = (await served.ask("PortalOrder", token, number=number))["data"]["order"]

    assert (order["number"], order["open"]) == (number, True)
    assert order["shipments"]
    # With its shipments' tracking and proof of delivery, the customer's recent ones (read along).
    assert served.reads() == sorted(
        [*ROUND_ONE, *RECENT, "deliveryDocuments", "items", "shipmentTrackings", "shippingAgents"]
    )
    assert sorted(served.counting.requests) == ["GET items", "POST $batch", "POST $batch"]


async def test_an_order_on_a_miss_reads_no_item_another_order_view_read(
    served: Served, shared_store: SandboxStore
) -> None:
    """Items are kept one answer per item for every customer of the company: an order whose
    items another customer's order view read costs its own documents only."""
    company, _, other = _customer(shared_store)
    orders = [row for row in rows(shared_store, company, "salesOrders") if _items(shared_store, company, row)]
    first, second = next(
        (a, b)
        for a in orders
        for b in orders
        if a["customerNumber"] != b["customerNumber"]
        and _items(shared_store, company, b) <= _items(shared_store, company, a)
        and not _shipped(shared_store, company, b["number"])
    )
    await _warm(served, company, other)
    await served.ask(
        "PortalOrder", served_token(served, first["customerNumber"], company), number=first["number"]
    )
    served.clear()

    token = served_token(served, second["customerNumber"], company)
    order = (await served.ask("PortalOrder", token, number=second["number"]))["data"]["order"]

    assert {line["item"]["number"] for line in order["lines"] if line["item"]} == _items(
        shared_store, company, second
    )
    assert served.reads() == ROUND_ONE
    assert served.counting.requests == ["POST $batch"]


async def test_an_order_clicked_on_the_orders_page_reads_only_what_the_page_did_not(
    served: Served, shared_store: SandboxStore
) -> None:
    """The page read each order, and — in the room its reads had — read ahead the documents,
    archives and lines' items of its newest open orders: the order view of any of them reads
    none of those again."""
    company, _, token = await _signed_in(served, shared_store)
    page = await _page(served, token)
    opened = [node for node in page if node["open"]]
    unshipped = next(n for n in opened if not _shipped(shared_store, company, n["number"]))
    shipped = next(n for n in opened if _shipped(shared_store, company, n["number"]))
    completed = next(node for node in page if not node["open"])
    served.clear()

    # An open order not shipped yet: nothing (its lines' items were read ahead with the page).
    first = await served.ask("PortalOrder", token, number=unshipped["number"])
    assert first["data"]["order"]["status"] == unshipped["status"]
    assert all(line["item"] for line in first["data"]["order"]["lines"] if line["lineType"] == "ITEM")
    assert served.reads() == []
    assert served.counting.requests == []

    # Shipped, open or completed: the first reads what hangs off its shipments, with the
    # customer's recent tracking and proof of delivery and the company's carriers (kept after
    # it); the second is served from those (and reads only the items not read yet).
    expected = [["deliveryDocuments", *RECENT, "shipmentTrackings", "shippingAgents"], []]
    for node, reads in zip((shipped, completed), expected, strict=True):
        served.clear()
        order = (await served.ask("PortalOrder", token, number=node["number"]))["data"]["order"]
        assert [order["number"], order["open"], order["status"]] == [
            node["number"],
            node["open"],
            node["status"],
        ]
        assert [read for read in served.reads() if read != "items"] == reads
        requests = [request for request in served.counting.requests if request != "GET items"]
        assert requests == (["POST $batch"] if reads else [])


async def test_an_order_from_the_dashboard_is_served_from_what_the_dashboard_read(
    served: Served, shared_store: SandboxStore
) -> None:
    company, _, token = await _signed_in(served, shared_store)
    dashboard = (await served.ask("PortalDashboard", token))["data"]["orders"]["nodes"]
    unshipped = next(n for n in dashboard if not _shipped(shared_store, company, n["number"]))
    served.clear()

    order = (await served.ask("PortalOrder", token, number=unshipped["number"]))["data"]["order"]

    assert order["status"] == unshipped["status"]
    assert served.reads() == []
    assert served.counting.requests == []


async def test_an_order_served_from_the_page_says_how_old_the_page_is(
    served: Served, shared_store: SandboxStore
) -> None:
    company, _, token = await _signed_in(served, shared_store)
    page = await _page(served, token)
    unshipped = next(n for n in page if n["open"] and not _shipped(shared_store, company, n["number"]))
    served.clear()
    served.clock.advance(7)

    body = await served.ask("PortalOrder", token, number=unshipped["number"])

    # The order, its documents and its items were read 7 seconds ago, with the page.
    assert served.reads() == []
    assert body["extensions"]["oldestDataAgeSeconds"] == pytest.approx(7)


async def test_what_a_page_reads_ahead_is_no_part_of_its_age(
    served: Served, shared_store: SandboxStore
) -> None:
    """The dashboard reads its orders' lines' items ahead, for their views; read ahead again from
    the catalogue's kept answers, they do not make a dashboard read from BC look old."""
    _, _, token = await _signed_in(served, shared_store)
    await served.ask("PortalDashboard", token)
    assert "items" in served.reads()  # read ahead, with the orders' second round
    served.clear()
    served.clock.advance(31)  # the orders (15 s) and the account (30 s) expired; items keep 60 s

    again = await served.ask("PortalDashboard", token)

    assert "items" not in served.reads()  # served kept, 31 s old
    assert "customers" in served.reads()
    assert "oldestDataAgeSeconds" not in again.get("extensions", {})
