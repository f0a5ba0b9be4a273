"""The demo world as a whole: deterministic, big enough, and readable by the dev-mode CLI."""

from __future__ import annotations

from datetime import date

import pytest

from gateway.sandbox.store import STANDARD_ROUTE, SandboxStore
from gateway.sandbox.world import DemoCustomer, build_store, demo_customers

TODAY = date(2026, 11, 25)


@pytest.fixture(scope="module")
def full_store() -> SandboxStore:
    return build_store(seed=42, scale=1.0, today=TODAY)


def _snapshot(store: SandboxStore) -> list[object]:
    return [
        (
            company,
            [
                (name, store.table(company["id"], STANDARD_ROUTE, name))
                for name in store.entity_sets(company["id"], STANDARD_ROUTE)
            ],
        )
        for company in store.companies
    ]


def test_same_seed_scale_and_day_build_identical_stores() -> None:
    first = build_store(seed=7, scale=0.05, today=TODAY)
    second = build_store(seed=7, scale=0.05, today=TODAY)
    assert repr(_snapshot(first)) == repr(_snapshot(second))


def test_a_different_seed_builds_a_different_world() -> None:
    first = build_store(seed=7, scale=0.05, today=TODAY)
    second = build_store(seed=8, scale=0.05, today=TODAY)
    assert first.companies[0]["id"] != second.companies[0]["id"]
    assert repr(_snapshot(first)) != repr(_snapshot(second))


def test_dates_follow_the_given_today() -> None:
    store = build_store(seed=7, scale=0.05, today=date(2030, 1, 15))
    company = store.companies[0]["id"]
    order_dates = [row["orderDate"] for row in store.table(company, STANDARD_ROUTE, "salesOrders")]
    assert max(order_dates) <= "2030-01-15"
    assert min(order_dates) >= "2028-07-01"


def test_two_companies_one_with_polish_document_numbers(full_store: SandboxStore) -> None:
    names = [c["name"] for c in full_store.companies]
    assert names == ["CRONUS International Ltd.", "CRONUS Polska Sp. z o.o."]
    polska = full_store.companies[1]["id"]
    numbers = [row["number"] for row in full_store.table(polska, STANDARD_ROUTE, "salesInvoices")]
    assert all("/" in number for number in numbers)


@pytest.mark.parametrize(
    ("entity_set", "minimum"),
    [
        ("customers", 40),
        ("items", 300),
        ("itemCategories", 8),
        ("unitsOfMeasure", 4),
        ("customerContacts", 40),
        ("salesShipments", 3000),
        ("salesInvoices", 3000),
        ("salesCreditMemos", 20),
        ("salesOrders", 200),
    ],
)
def test_full_scale_has_the_promised_volume(full_store: SandboxStore, entity_set: str, minimum: int) -> None:
    for company in full_store.companies:
        assert len(full_store.table(company["id"], STANDARD_ROUTE, entity_set)) >= minimum


def test_full_scale_has_three_thousand_orders_per_company(full_store: SandboxStore) -> None:
    for company in full_store.companies:
        order_numbers = {r["number"] for r in full_store.table(company["id"], STANDARD_ROUTE, "salesOrders")}
        order_numbers |= {
            r["orderNumber"] for r in full_store.table(company["id"], STANDARD_ROUTE, "salesShipments")
        }
        assert len(order_numbers) >= 2900


def test_demo_customers_lists_every_customer_with_its_company(full_store: SandboxStore) -> None:
    customers = demo_customers(full_store)
    total = sum(len(full_store.table(c["id"], STANDARD_ROUTE, "customers")) for c in full_store.companies)
    assert len(customers) == total
    assert all(isinstance(c, DemoCustomer) for c in customers)
    assert {c.company_name for c in customers} == {c["name"] for c in full_store.companies}
    assert {"All", "Ship"} <= {c.blocked for c in customers}


def test_a_long_history_customer_has_that_many_orders_of_its_own_in_the_last_year() -> None:
    store = build_store(seed=7, scale=0.05, today=TODAY, long_histories=(60, 150))
    company = store.companies[0]["id"]

    def orders_of(number: str) -> list[dict[str, object]]:
        open_orders = [
            r for r in store.table(company, STANDARD_ROUTE, "salesOrders") if r["customerNumber"] == number
        ]
        completed = [
            r
            for r in store.table(company, STANDARD_ROUTE, "salesOrderArchives")
            if r["sellToCustomerNumber"] == number
        ]
        return open_orders + completed

    for count in (60, 150):
        orders = orders_of(f"LONG-{count}")
        dates = [str(r.get("orderDate") or r.get("documentDate")) for r in orders]
        assert len(orders) == count
        assert min(dates) > date(TODAY.year - 1, TODAY.month, TODAY.day).isoformat()
    customers = {r["number"] for r in store.table(company, STANDARD_ROUTE, "customers")}
    assert {"LONG-60", "LONG-150"} <= customers


def test_the_demo_world_has_no_long_history_unless_asked(full_store: SandboxStore) -> None:
    assert not any(
        row["number"].startswith("LONG-")
        for company in full_store.companies
        for row in full_store.table(company["id"], STANDARD_ROUTE, "customers")
    )
