"""The account: balance, credit limit, available credit, overdue amount and aging buckets."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import httpx
import pytest

from gateway.sandbox.store import SandboxStore
from tests.edge.portal_support import money, other_customers
from tests.helpers import data_of, rows

pytestmark = pytest.mark.anyio

ACCOUNT = """
{ me { number balance { amount } creditLimit { amount } availableCredit { amount currencyCode }
       overdueAmount { amount }
       aging { asOf balanceDue { amount } current { amount }
               period1 { label amount { amount } } period2 { label amount { amount } }
               period3 { label amount { amount } } } } }
"""


def customer_rows_by(store: SandboxStore, company: str, entity_set: str, field: str, number: str) -> Any:
    return next(r for r in rows(store, company, entity_set) if r[field] == number)


def owing_customer(store: SandboxStore, *, with_limit: bool) -> tuple[str, str]:
    for company in store.companies:
        for customer in rows(store, company["id"], "customers"):
            details = customer_rows_by(
                store, company["id"], "customerFinancialDetails", "number", customer["number"]
            )
            if details["overdueAmount"] > 0 and (customer["creditLimit"] > 0) == with_limit:
                return company["id"], customer["number"]
    raise LookupError("no such customer in the demo world")


async def test_me_shows_balance_available_credit_and_aging_from_bc(
    client: httpx.AsyncClient, shared_store: SandboxStore, token_for: Any, bc_log: Any
) -> None:
    company, number = owing_customer(shared_store, with_limit=True)
    customer = customer_rows_by(shared_store, company, "customers", "number", number)
    details = customer_rows_by(shared_store, company, "customerFinancialDetails", "number", number)
    aged = customer_rows_by(shared_store, company, "agedAccountsReceivables", "customerNumber", number)
    token = token_for(number, company)
    # Money is labelled with the company's currency, read from BC once per process: warm it,
    # asking as another customer of the company (this customer's own answers stay unread).
    await data_of(
        client, ACCOUNT, token=token_for(other_customers(shared_store, company, number)[0], company)
    )
    bc_log.clear()

    me = (await data_of(client, ACCOUNT, token=token))["me"]

    assert money(me["balance"]["amount"]) == details["balance"]
    assert money(me["overdueAmount"]["amount"]) == details["overdueAmount"]
    assert money(me["creditLimit"]["amount"]) == customer["creditLimit"]
    assert money(me["availableCredit"]["amount"]) == customer["creditLimit"] - details["balance"]
    aging = me["aging"]
    assert aging["asOf"] == aged["agedAsOfDate"]
    assert money(aging["balanceDue"]["amount"]) == aged["balanceDue"]
    assert money(aging["current"]["amount"]) == aged["currentAmount"]
    for n in (1, 2, 3):
        assert aging[f"period{n}"]["label"] == aged[f"period{n}Label"]
        assert money(aging[f"period{n}"]["amount"]["amount"]) == aged[f"period{n}Amount"]
    total = sum((money(aging[f"period{n}"]["amount"]["amount"]) for n in (1, 2, 3)), Decimal(0))
    assert total + money(aging["current"]["amount"]) == money(aging["balanceDue"]["amount"])
    # One request: the aging comes expanded into the customer read, scoped to the caller.
    assert [e.entity_set for e in bc_log.entries] == ["customers"]
    assert f"number eq '{number}'" in (bc_log.entries[0].filter or "")
    assert "agedAccountsReceivable" in bc_log.entries[0].query_string


async def test_available_credit_is_null_without_a_credit_limit(
    client: httpx.AsyncClient, shared_store: SandboxStore, token_for: Any
) -> None:
    company, number = owing_customer(shared_store, with_limit=False)
    me = (await data_of(client, ACCOUNT, token=token_for(number, company)))["me"]
    assert money(me["creditLimit"]["amount"]) == 0
    assert me["availableCredit"] is None


async def test_me_without_aging_does_not_ask_bc_for_it(
    client: httpx.AsyncClient, shared_store: SandboxStore, token_for: Any, bc_log: Any
) -> None:
    company, number = owing_customer(shared_store, with_limit=True)
    token = token_for(number, company)
    await client.get("/healthz")
    bc_log.clear()
    await data_of(client, "{ me { number balance { amount } } }", token=token)
    assert "agedAccountsReceivable" not in bc_log.entries[0].query_string
