"""BC's answers kept between operations: per customer, for their kind's time, and how old they are.

The clock that dates answers is the app's wall clock, injected: no test waits.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from gateway.app import create_app
from gateway.bc import CacheSettings
from gateway.edge.development import Development
from gateway.edge.state import gateway_state
from gateway.sandbox.store import SandboxStore
from gateway.settings import Settings
from tests.conftest import TODAY
from tests.edge.conftest import FakeClock
from tests.edge.portal_support import other_customers
from tests.helpers import graphql, rows

pytestmark = pytest.mark.anyio

DASHBOARD = """
{
  me { number balance { amount } creditLimit { amount } aging { current { amount } } }
  orders(first: 5) { nodes { number orderDate status totalIncludingTax { amount } } }
  invoices(first: 5, filter: { status: [OPEN] }) { nodes { number dueDate remainingAmount { amount } } }
}
"""
INVOICES = "{ invoices(first: 5) { nodes { number remainingAmount { amount } } } }"
CATALOGUE = "{ items(first: 5) { nodes { number availability { onHand available } } } }"


@pytest.fixture
async def served(
    development: Development, clock: FakeClock
) -> AsyncIterator[tuple[Starlette, httpx.AsyncClient]]:
    async with _app(development, clock, Settings()) as served:
        yield served


def _app(development: Development, clock: FakeClock, settings: Settings) -> Any:
    app = create_app(settings, development=development, today=lambda: TODAY, clock=clock, wall_clock=clock)

    class Served:
        async def __aenter__(self) -> tuple[Starlette, httpx.AsyncClient]:
            self.lifespan = app.router.lifespan_context(app)
            await self.lifespan.__aenter__()
            self.http = httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app), base_url="http://gateway.test"
            )
            return app, self.http

        async def __aexit__(self, *exc: object) -> None:
            await self.http.aclose()
            await self.lifespan.__aexit__(None, None, None)

    return Served()


def a_customer(store: SandboxStore) -> tuple[str, str]:
    company = store.companies[0]["id"]
    numbers = sorted({row["customerNumber"] for row in rows(store, company, "salesInvoices")})
    return company, numbers[0]


async def ask(client: httpx.AsyncClient, query: str, token: str) -> dict[str, Any]:
    response = await graphql(client, query, token=token)
    body: dict[str, Any] = response.json()
    assert response.status_code == 200, body
    assert "errors" not in body, body
    return body


def reads(bc_log: Any) -> list[str]:
    """The entity sets BC was asked for (a $batch envelope is not a read of its own; the
    company's currency is read once per app)."""
    return sorted(
        str(e.entity_set)
        for e in bc_log.entries
        if e.entity_set not in (None, "$batch", "generalLedgerSetup")
    )


async def test_a_repeated_dashboard_within_its_time_makes_no_bc_request_and_after_it_the_same_reads(
    served: tuple[Starlette, httpx.AsyncClient],
    shared_store: SandboxStore,
    token_for: Any,
    bc_log: Any,
    clock: FakeClock,
) -> None:
    _, client = served
    company, number = a_customer(shared_store)
    token = token_for(number, company)

    first = await ask(client, DASHBOARD, token)
    cold = reads(bc_log)
    bc_log.clear()
    clock.advance(14.0)
    again = await ask(client, DASHBOARD, token)
    assert bc_log.entries == []
    assert again["data"] == first["data"]

    clock.advance(1.0)  # orders and invoices are kept 15 s, the account 30 s
    await ask(client, DASHBOARD, token)
    assert "customers" not in reads(bc_log)
    assert {"salesOrders", "salesInvoices"} <= set(reads(bc_log))
    bc_log.clear()
    clock.advance(30.0)
    await ask(client, DASHBOARD, token)
    # Everything expired: the cold dashboard's reads, exactly — but the items it read ahead for
    # its orders' views, the catalogue's, kept their minute.
    assert reads(bc_log) == [read for read in cold if read != "items"]


async def test_the_age_of_the_oldest_kept_answer_is_in_the_response(
    served: tuple[Starlette, httpx.AsyncClient], shared_store: SandboxStore, token_for: Any, clock: FakeClock
) -> None:
    _, client = served
    company, number = a_customer(shared_store)
    token = token_for(number, company)

    fresh = await ask(client, INVOICES, token)
    clock.advance(7.0)
    kept = await ask(client, INVOICES, token)

    assert "extensions" not in fresh  # all of it read from BC for this operation
    assert kept["extensions"] == {"oldestDataAgeSeconds": 7.0}


async def test_two_customers_identical_queries_are_two_kept_answers(
    served: tuple[Starlette, httpx.AsyncClient], shared_store: SandboxStore, token_for: Any, bc_log: Any
) -> None:
    app, client = served
    company, number = a_customer(shared_store)
    other = other_customers(shared_store, company, number)[0]
    answers = gateway_state(app).bc.answers
    assert answers is not None

    await ask(client, INVOICES, token_for(number, company))
    one = answers.kept_in_memory
    await ask(client, INVOICES, token_for(other, company))

    assert one >= 1
    assert answers.kept_in_memory == 2 * one
    filters = [e.filter or "" for e in bc_log.entries if e.entity_set == "salesInvoices"]
    assert [f"customerNumber eq '{number}'" in text for text in filters] == [True, False]
    assert f"customerNumber eq '{other}'" in filters[1]


async def test_the_catalogue_and_stock_one_customer_read_serve_the_others(
    served: tuple[Starlette, httpx.AsyncClient], shared_store: SandboxStore, token_for: Any, bc_log: Any
) -> None:
    _, client = served
    company, number = a_customer(shared_store)
    other = other_customers(shared_store, company, number)[0]

    await ask(client, CATALOGUE, token_for(number, company))
    assert {"items", "itemAvailabilities"} <= set(reads(bc_log))
    bc_log.clear()
    await ask(client, CATALOGUE, token_for(other, company))

    assert bc_log.entries == []


async def test_with_the_cache_off_every_operation_reads_bc(
    development: Development, shared_store: SandboxStore, token_for: Any, bc_log: Any, clock: FakeClock
) -> None:
    company, number = a_customer(shared_store)
    token = token_for(number, company)
    async with _app(development, clock, Settings(cache=CacheSettings(enabled=False))) as (app, client):
        first = await ask(client, DASHBOARD, token)
        cold = reads(bc_log)
        bc_log.clear()
        again = await ask(client, DASHBOARD, token)
        assert gateway_state(app).bc.answers is None

    assert reads(bc_log) == cold
    assert "extensions" not in again
    assert again["data"] == first["data"]
