"""Balances are in the company's currency, whatever currency the customer trades in."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import httpx
import pytest

from gateway.sandbox.store import SandboxStore
from tests.helpers import data_of, rows

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
