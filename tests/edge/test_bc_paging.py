"""Answers that span several BC pages are complete and in order (BC's page size set tiny)."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from gateway.app import create_app
from gateway.edge.development import Development
from gateway.sandbox.store import SandboxStore
from gateway.settings import Settings
from tests.conftest import TODAY
from tests.edge.test_tenant_isolation import two_customers
from tests.helpers import customer_rows, data_of, rows

pytestmark = pytest.mark.anyio

PAGE_SIZE = 2


@pytest.fixture
async def small_pages(development: Development) -> AsyncIterator[httpx.AsyncClient]:
    tiny = dataclasses.replace(
        development, bc_settings=dataclasses.replace(development.bc_settings, page_size=PAGE_SIZE)
    )
    app: Starlette = create_app(Settings(), development=tiny, today=lambda: TODAY)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gateway.test") as http,
    ):
        yield http


async def test_lookups_that_span_several_bc_pages_are_complete_and_in_order(
    small_pages: httpx.AsyncClient, shared_store: SandboxStore, token_for: Any, bc_log: Any
) -> None:
    company, customer, _ = two_customers(shared_store)
    shipments = sorted(
        customer_rows(shared_store, company, "salesShipments", customer),
        key=lambda row: (row["postingDate"], row["number"]),
        reverse=True,
    )[:10]
    bc_log.clear()

    data = await data_of(
        small_pages,
        "{ shipments(first: 10) { nodes { number lines { number lineType item { number name } } } } }",
        token=token_for(customer, company),
    )

    assert [node["number"] for node in data["shipments"]["nodes"]] == [row["number"] for row in shipments]
    names = {row["number"]: row["displayName"] for row in rows(shared_store, company, "items")}
    item_lines = [
        line for node in data["shipments"]["nodes"] for line in node["lines"] if line["lineType"] == "ITEM"
    ]
    assert len({line["number"] for line in item_lines}) > PAGE_SIZE
    for line in item_lines:
        assert line["item"] == {"number": line["number"], "name": names[line["number"]]}
    # The item lookup really was served in several BC pages, each following BC's next link.
    assert any("skiptoken" in entry.query_string for entry in bc_log.entries if entry.entity_set == "items")


async def test_item_prices_are_in_the_companys_currency(
    client: httpx.AsyncClient, shared_store: SandboxStore, token_for: Any
) -> None:
    for company in shared_store.companies:
        setup = rows(shared_store, company["id"], "generalLedgerSetup")[0]
        customer = next(
            r["number"] for r in rows(shared_store, company["id"], "customers") if r["blocked"] == "_x0020_"
        )
        data = await data_of(
            client,
            "{ items(first: 3) { nodes { unitPrice { amount currencyCode } } } }",
            token=token_for(customer, company["id"]),
        )
        assert {node["unitPrice"]["currencyCode"] for node in data["items"]["nodes"]} == {
            setup["localCurrencyCode"]
        }
