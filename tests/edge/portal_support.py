"""Expectations for the portal's account, document and statement tests, computed from the sandbox
store (never from the gateway's answers)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

from gateway.sandbox.store import ANALYTICS_ROUTE, PORTAL_ROUTE, SandboxStore
from tests.helpers import rows

POSTED = ("Open", "Paid", "Canceled", "Corrective")


def posted_invoices(store: SandboxStore, company: str, customer: str) -> list[dict[str, Any]]:
    """Posted invoices, newest first (a released draft is ``Open`` with nothing remaining)."""
    found = [
        r
        for r in rows(store, company, "salesInvoices")
        if r["customerNumber"] == customer
        and r["status"] in POSTED
        and not (r["status"] == "Open" and r["remainingAmount"] <= 0)
    ]
    return sorted(found, key=lambda r: (r["postingDate"], r["number"]), reverse=True)


def posted_credit_memos(store: SandboxStore, company: str, customer: str) -> list[dict[str, Any]]:
    found = [
        r
        for r in rows(store, company, "salesCreditMemos")
        if r["customerNumber"] == customer and r["status"] in POSTED
    ]
    return sorted(found, key=lambda r: (r["postingDate"], r["number"]), reverse=True)


def customer_with(
    store: SandboxStore, count: Callable[[str, str], int], *, minimum: int = 1
) -> tuple[str, str]:
    """(company id, customer number) of the customer with the most of something."""
    counts: Counter[tuple[str, str]] = Counter()
    for company in store.companies:
        for customer in rows(store, company["id"], "customers"):
            counts[(company["id"], customer["number"])] = count(company["id"], customer["number"])
    (company_id, number), most = counts.most_common(1)[0]
    assert most >= minimum
    return company_id, number


def other_customers(store: SandboxStore, company: str, customer: str) -> list[str]:
    """The company's other customers: asking as one of them warms what is kept per company (its
    currency, the catalogue) and nothing kept of ``customer``'s own."""
    return [row["number"] for row in rows(store, company, "customers") if row["number"] != customer]


def ledger_entries(store: SandboxStore, company: str, customer: str) -> list[dict[str, Any]]:
    return [
        r
        for r in store.table(company, ANALYTICS_ROUTE, "customerLedgerEntries")
        if r["dcleCustomerNo"] == customer
    ]


def balance_lcy(store: SandboxStore, company: str, customer: str) -> Decimal:
    details = rows(store, company, "customerFinancialDetails")
    return next(Decimal(d["balance"]) for d in details if d["number"] == customer)


def delivery_documents(store: SandboxStore, company: str, customer: str) -> list[dict[str, Any]]:
    return [
        r for r in store.table(company, PORTAL_ROUTE, "deliveryDocuments") if r["customerNumber"] == customer
    ]


def customer_queries(store: SandboxStore, company: str, customer: str) -> list[dict[str, Any]]:
    found = [
        r for r in store.table(company, PORTAL_ROUTE, "customerQueries") if r["customerNumber"] == customer
    ]
    return sorted(found, key=lambda r: r["number"], reverse=True)


def money(value: Any) -> Decimal:
    return Decimal(str(value))


def iso(day: date) -> str:
    return day.isoformat()
