"""The statement of account: from the analytics API's ledger entries, reconciled to the cent."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest

from gateway.sandbox.store import SandboxStore
from tests.conftest import TODAY
from tests.edge.portal_support import balance_lcy, customer_with, ledger_entries, money
from tests.helpers import data_of, graphql

pytestmark = pytest.mark.anyio

STATEMENT = """
query($from: Date!, $to: Date) {
  statement(from: $from, to: $to) {
    from to currencyCode
    openingBalance { amount currencyCode }
    entries {
      postingDate type documentNumber description debit { amount } credit { amount } balance { amount }
    }
    totalDebit { amount } totalCredit { amount }
    closingBalance { amount }
  }
}
"""
ENCODED = ("_x0020_", "_x002E_")


def busiest(store: SandboxStore) -> tuple[str, str]:
    return customer_with(store, lambda c, n: len(ledger_entries(store, c, n)), minimum=10)


def expected(store: SandboxStore, company: str, customer: str, start: date, end: date) -> dict[str, Any]:
    """Computed from the analytics rows: applications move amounts between the customer's own
    entries, so they are left out; everything else is a movement of the balance."""
    moves = sorted(
        (r for r in ledger_entries(store, company, customer) if r["dcleEntryType"] != "Application"),
        key=lambda r: (r["dclePostingDate"], r["dcleEntryNo"]),
    )
    opening = sum((r["dcleAmountLCY"] for r in moves if r["dclePostingDate"] < start.isoformat()), Decimal(0))
    within = [r for r in moves if start.isoformat() <= r["dclePostingDate"] <= end.isoformat()]
    return {"opening": opening, "within": within}


async def test_the_statement_lists_every_movement_with_a_running_balance(
    client: httpx.AsyncClient, shared_store: SandboxStore, token_for: Any
) -> None:
    company, customer = busiest(shared_store)
    start, end = TODAY - timedelta(days=180), TODAY - timedelta(days=30)
    want = expected(shared_store, company, customer, start, end)

    data = await data_of(
        client,
        STATEMENT,
        {"from": start.isoformat(), "to": end.isoformat()},
        token=token_for(customer, company),
    )

    statement = data["statement"]
    assert money(statement["openingBalance"]["amount"]) == want["opening"]
    assert [(e["postingDate"], e["documentNumber"]) for e in statement["entries"]] == [
        (r["dclePostingDate"], r["dcleDocumentNo"] or None) for r in want["within"]
    ]
    running = want["opening"]
    for entry, row in zip(statement["entries"], want["within"], strict=True):
        running += row["dcleAmountLCY"]
        assert money(entry["debit"]["amount"]) - money(entry["credit"]["amount"]) == row["dcleAmountLCY"]
        assert money(entry["balance"]["amount"]) == running
    assert money(statement["closingBalance"]["amount"]) == running
    assert statement["currencyCode"] in ("GBP", "PLN")


async def test_opening_balance_plus_movements_is_the_closing_balance_and_today_it_is_the_balance(
    client: httpx.AsyncClient, shared_store: SandboxStore, token_for: Any
) -> None:
    company, customer = busiest(shared_store)
    start = TODAY - timedelta(days=365)

    data = await data_of(client, STATEMENT, {"from": start.isoformat()}, token=token_for(customer, company))
    me = await data_of(client, "{ me { balance { amount } } }", token=token_for(customer, company))

    statement = data["statement"]
    opening = money(statement["openingBalance"]["amount"])
    debit, credit = money(statement["totalDebit"]["amount"]), money(statement["totalCredit"]["amount"])
    closing = money(statement["closingBalance"]["amount"])
    assert opening + debit - credit == closing
    assert statement["to"] == TODAY.isoformat()
    assert closing == balance_lcy(shared_store, company, customer)
    assert closing == money(me["me"]["balance"]["amount"])


async def test_entry_types_are_portal_names_never_bc_encodings(
    client: httpx.AsyncClient, shared_store: SandboxStore, token_for: Any
) -> None:
    company, customer = busiest(shared_store)
    start = TODAY - timedelta(days=600)
    want = expected(shared_store, company, customer, start, TODAY)
    names = {
        "Invoice": "INVOICE",
        "Payment": "PAYMENT",
        "Credit_x0020_Memo": "CREDIT_MEMO",
        "Refund": "REFUND",
    }

    data = await data_of(client, STATEMENT, {"from": start.isoformat()}, token=token_for(customer, company))

    types = [e["type"] for e in data["statement"]["entries"]]
    for entry, row in zip(data["statement"]["entries"], want["within"], strict=True):
        if row["dcleEntryType"] == "Initial_x0020_Entry":
            assert entry["type"] == names[row["dcleDocumentType"]]
        assert not any(code in entry["description"] for code in ENCODED)
    assert {"INVOICE", "PAYMENT"} <= set(types)


async def test_the_statement_reads_the_balance_and_no_entry_before_from(
    client: httpx.AsyncClient, shared_store: SandboxStore, token_for: Any, bc_log: Any
) -> None:
    company, customer = busiest(shared_store)
    token = token_for(customer, company)
    start = TODAY - timedelta(days=90)
    await data_of(client, "{ me { balance { amount } } }", token=token)  # the company's currency
    bc_log.clear()

    await data_of(client, STATEMENT, {"from": start.isoformat()}, token=token)

    # Two reads sent at once (two API routes: no one $batch holds both): the entries since `from`
    # and the customer's balance, each scoped to the caller.
    reads = sorted((e.route, e.entity_set) for e in bc_log.entries)
    assert reads == [
        ("microsoft/analytics/v1.0", "customerLedgerEntries"),
        ("v2.0", "customerFinancialDetails"),
    ]
    ledger = next(e for e in bc_log.entries if e.entity_set == "customerLedgerEntries")
    assert f"dcleCustomerNo eq '{customer}'" in (ledger.filter or "")
    assert f"dclePostingDate ge {start.isoformat()}" in (ledger.filter or "")
    since = [
        r
        for r in ledger_entries(shared_store, company, customer)
        if r["dclePostingDate"] >= start.isoformat()
    ]
    assert ledger.rows == len([r for r in since if r["dcleEntryType"] != "Application"])
    details = next(e for e in bc_log.entries if e.entity_set == "customerFinancialDetails")
    assert f"number eq '{customer}'" in (details.filter or "")


async def test_a_statement_reads_the_same_rows_whatever_history_lies_before_from(
    client: httpx.AsyncClient, shared_store: SandboxStore, token_for: Any, bc_log: Any
) -> None:
    company, customer = busiest(shared_store)
    token = token_for(customer, company)
    rows_read = []
    for start in (TODAY - timedelta(days=60), TODAY - timedelta(days=30)):
        bc_log.clear()
        await data_of(client, STATEMENT, {"from": start.isoformat()}, token=token)
        rows_read.append(bc_log.rows_read("customerLedgerEntries"))
    entries = sorted(r["dclePostingDate"] for r in ledger_entries(shared_store, company, customer))
    recent = [
        sum(1 for day in entries if day >= start.isoformat())
        for start in (TODAY - timedelta(days=60), TODAY - timedelta(days=30))
    ]

    assert entries[0] < (TODAY - timedelta(days=300)).isoformat()  # a long history before both
    assert rows_read[0] <= recent[0]
    assert rows_read[1] <= recent[1]
    assert rows_read[1] < len(entries) // 2


async def test_a_reversed_range_is_a_user_error(
    client: httpx.AsyncClient, shared_store: SandboxStore, token_for: Any
) -> None:
    company, customer = busiest(shared_store)
    response = await graphql(
        client,
        STATEMENT,
        {"from": TODAY.isoformat(), "to": (TODAY - timedelta(days=1)).isoformat()},
        token=token_for(customer, company),
    )
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_the_statement_pdf_link_downloads_bcs_customer_statement(
    client: httpx.AsyncClient, shared_store: SandboxStore, token_for: Any, bc_log: Any
) -> None:
    company, customer = busiest(shared_store)
    token = token_for(customer, company)
    data = await data_of(
        client,
        "query($from: Date!) { statement(from: $from) { pdfUrl } }",
        {"from": (TODAY - timedelta(days=30)).isoformat()},
        token=token,
    )
    bc_log.clear()

    response = await client.get(data["statement"]["pdfUrl"], headers={"authorization": f"Bearer {token}"})

    assert response.status_code == 200
    assert response.content.startswith(b"%PDF-")
    assert b"Customer Statement" in response.content
    assert customer.encode() in response.content
    pdf = [e for e in bc_log.entries if e.entity_set == "pdfDocument"]
    assert len(pdf) == 1
    assert "/customerContacts(" in pdf[0].path
