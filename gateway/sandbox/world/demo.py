"""Read-only views of the demo world that the gateway's development mode needs."""

from __future__ import annotations

from dataclasses import dataclass

from gateway.sandbox.store import STANDARD_ROUTE, SandboxStore


@dataclass(frozen=True, slots=True)
class DemoCustomer:
    company_id: str
    company_name: str
    customer_number: str
    customer_name: str
    blocked: str


def demo_customers(store: SandboxStore) -> list[DemoCustomer]:
    """Every customer of every company, in store order, for printing development tokens."""
    return [
        DemoCustomer(company["id"], company["name"], row["number"], row["displayName"], row["blocked"])
        for company in store.companies
        for row in store.table(company["id"], STANDARD_ROUTE, "customers")
    ]
