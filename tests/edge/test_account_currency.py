"""Balances are in the company's currency, whatever currency the customer trades in."""

from __future__ import annotations

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
from tests.helpers import data_of, graphql, rows

pytestmark = pytest.mark.anyio


async def test_a_foreign_currency_customers_balance_is_labelled_with_the_company_currency(
    client: httpx.AsyncClient, shared_store: SandboxStore, token_for: Any
) -> None:
    for company in shared_store.companies:
        local = rows(shared_store, company["id"], "generalLedgerSetup")[0]["localCurrencyCode"]
        foreign = [
            row
            for row in rows(shared_store, company["id"], "customers")
            if row["currencyCode"] != local and row["blocked"] == "_x0020_"
        ]
        if not foreign:
            continue
        customer = foreign[0]
        details = next(
            row
            for row in rows(shared_store, company["id"], "customerFinancialDetails")
            if row["number"] == customer["number"]
        )
        data = await data_of(
            client,
            "{ me { currencyCode balance { amount currencyCode } creditLimit { currencyCode } } }",
            token=token_for(customer["number"], company["id"]),
        )
        assert data["me"]["currencyCode"] == customer["currencyCode"]
        assert Decimal(data["me"]["balance"]["amount"]) == details["balance"]
        assert data["me"]["balance"]["currencyCode"] == local
        assert data["me"]["creditLimit"]["currencyCode"] == local
        return
    pytest.fail("the demo world should have a customer trading in a foreign currency")


async def test_a_company_whose_currency_cannot_be_read_answers_an_error_until_it_can() -> None:
    store = build_store(seed=SEED, scale=SCALE, today=TODAY)
    sandbox = create_sandbox_app(SandboxConfig(seed=SEED, scale=SCALE, today=TODAY), store=store)
    development = start_development(Settings(), sandbox=sandbox)
    customer = development.customers[0]
    ledger_setup = rows(store, customer.company_id, "generalLedgerSetup")
    saved = list(ledger_setup)
    ledger_setup.clear()  # BC answers generalLedgerSetup with no row (no permission, say)
    app = create_app(Settings(), development=development, today=lambda: TODAY)
    query = "{ me { number balance { amount currencyCode } } }"
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gateway.test") as http,
    ):
        token = mint_for(development, customer)
        unreadable = (await graphql(http, query, token=token)).json()
        ledger_setup.extend(saved)
        readable = (await graphql(http, query, token=token)).json()

    assert unreadable["data"]["me"] is None or unreadable["data"]["me"]["balance"] is None
    assert [error["extensions"]["code"] for error in unreadable["errors"]] == ["BC_BAD_RESPONSE"]
    assert readable["data"]["me"]["balance"]["currencyCode"] == saved[0]["localCurrencyCode"]


async def test_the_amounts_are_the_same_once_the_company_currency_is_known() -> None:
    # The first operation reads the currency from BC (each amount through its resolver); later
    # ones find it known and write the amounts with the customer (Customer.balance_ahead …).
    store = build_store(seed=SEED, scale=SCALE, today=TODAY)
    sandbox = create_sandbox_app(SandboxConfig(seed=SEED, scale=SCALE, today=TODAY), store=store)
    development = start_development(Settings(), sandbox=sandbox)
    customer = development.customers[0]
    details = next(
        row
        for row in rows(store, customer.company_id, "customerFinancialDetails")
        if row["number"] == customer.customer_number
    )
    local = rows(store, customer.company_id, "generalLedgerSetup")[0]["localCurrencyCode"]
    app = create_app(Settings(), development=development, today=lambda: TODAY)
    query = """{ me { balance { amount currencyCode } overdueAmount { amount currencyCode }
                      creditLimit { amount currencyCode } availableCredit { amount } } }"""
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gateway.test") as http,
    ):
        token = mint_for(development, customer)
        first = await data_of(http, query, token=token)
        known = await data_of(http, query, token=token)

    assert known == first
    me = first["me"]
    assert Decimal(me["balance"]["amount"]) == details["balance"]
    assert Decimal(me["overdueAmount"]["amount"]) == details["overdueAmount"]
    assert {me[name]["currencyCode"] for name in ("balance", "overdueAmount", "creditLimit")} == {local}
