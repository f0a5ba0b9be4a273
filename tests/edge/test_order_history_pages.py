"""One order, one date, one status — on every page, under every filter, and in ``order(number)``.

BC gives a posted shipment or invoice its own dates, days or weeks after the order date, so one
order's documents are scattered over the history (the demo world's are: a shipment at the end of
a month, its invoice in the next).  Walking every page of every demo customer must list each
order exactly once, as ``order(number)`` shows it; and so must a date window whose edge falls
between an order's shipment and its invoice.  Both BC versions: with ``salesOrderArchives``
("full") and without ("bare").
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from typing import Any

import httpx
import pytest

from gateway.resolvers.dates import months_before
from gateway.sandbox.config import Profile
from gateway.sandbox.store import SandboxStore
from gateway.sandbox.world import build_store
from tests.conftest import SEED, TODAY
from tests.edge.profiles import profile_gateway, token_of
from tests.helpers import data_of, rows

pytestmark = pytest.mark.anyio

PAGE = """
query($after: String, $filter: OrderFilter) {
  orders(first: 7, after: $after, filter: $filter) {
    nodes { number orderDate status open }
    pageInfo { hasNextPage endCursor }
  }
}
"""
PROFILES: tuple[Profile, ...] = ("full", "bare")
# A smaller demo world than the shared one (same customers, fewer orders each): every page of
# every customer, twice, stays quick.
SCALE = 0.05
Listed = tuple[str, str, bool]  # order date, status, open


async def listed(http: httpx.AsyncClient, token: str, filter: dict[str, Any]) -> list[tuple[str, Listed]]:
    """Every page, in order: (number, (date, status, open))."""
    found: list[tuple[str, Listed]] = []
    after = None
    while True:
        page = (await data_of(http, PAGE, {"after": after, "filter": filter}, token=token))["orders"]
        found += [(n["number"], (n["orderDate"], n["status"], n["open"])) for n in page["nodes"]]
        if not page["pageInfo"]["hasNextPage"]:
            return found
        after = page["pageInfo"]["endCursor"]


async def one_by_one(http: httpx.AsyncClient, token: str, numbers: list[str]) -> dict[str, Listed | None]:
    """``order(number)`` for each number (ten aliases per request, the root-field limit)."""
    found: dict[str, Listed | None] = {}
    for start in range(0, len(numbers), 10):
        chunk = numbers[start : start + 10]
        fields = " ".join(
            f'o{i}: order(number: "{n}") {{ orderDate status open }}' for i, n in enumerate(chunk)
        )
        data = await data_of(http, f"{{ {fields} }}", token=token)
        for i, number in enumerate(chunk):
            order = data[f"o{i}"]
            found[number] = (order["orderDate"], order["status"], order["open"]) if order else None
    return found


def assert_once_and_as_order_number_says(
    pages: list[tuple[str, Listed]], single: dict[str, Listed | None]
) -> None:
    numbers = [number for number, _ in pages]
    assert len(numbers) == len(set(numbers)), sorted(n for n in numbers if numbers.count(n) > 1)
    assert dict(pages) == {number: single[number] for number in numbers}
    keys = [(shown[0], number) for number, shown in pages]
    assert keys == sorted(keys, reverse=True)  # newest first, by the date shown


def straddling(store: SandboxStore, company: str, customer: str) -> list[tuple[date, date]]:
    """(shipment date, invoice date) of the customer's orders shipped in one month and invoiced
    in a later one: windows ending or starting between the two are the edges that matter."""
    shipped: dict[str, list[date]] = defaultdict(list)
    invoiced: dict[str, list[date]] = defaultdict(list)
    for entity_set, dates in (("salesShipments", shipped), ("salesInvoices", invoiced)):
        for row in rows(store, company, entity_set):
            if row["customerNumber"] == customer and row["orderNumber"]:
                dates[row["orderNumber"]].append(date.fromisoformat(row["postingDate"]))
    pairs = []
    earliest = months_before(TODAY, 12) + timedelta(days=60)  # windows well inside the history
    for number, days in shipped.items():
        first_shipment, first_invoice = min(days), min(invoiced.get(number, [TODAY]))
        if first_shipment < earliest:
            continue
        if (first_shipment.year, first_shipment.month) != (first_invoice.year, first_invoice.month):
            pairs.append((first_shipment, first_invoice))
    return sorted(pairs)


@pytest.fixture(scope="module")
def world() -> SandboxStore:
    return build_store(seed=SEED, scale=SCALE, today=TODAY)


@pytest.mark.parametrize("profile", PROFILES)
async def test_every_page_of_every_customer_lists_each_order_once_as_order_number_shows_it(
    world: SandboxStore, profile: Profile
) -> None:
    async with profile_gateway(world, profile) as (http, development, _):
        for member in development.customers:
            token = token_of(development, member.company_id, member.customer_number)
            pages = await listed(http, token, {})
            single = await one_by_one(http, token, [number for number, _ in pages])

            assert_once_and_as_order_number_says(pages, single)


@pytest.mark.parametrize("profile", PROFILES)
async def test_a_window_whose_edge_falls_between_shipment_and_invoice_agrees_with_order_number(
    world: SandboxStore, profile: Profile
) -> None:
    checked = 0
    async with profile_gateway(world, profile) as (http, development, _):
        for member in development.customers:
            company, customer = member.company_id, member.customer_number
            token = token_of(development, company, customer)
            for shipped, invoiced in straddling(world, company, customer)[-1:]:
                for window in (
                    {"to": shipped.isoformat()},
                    {"from": (shipped - timedelta(days=60)).isoformat(), "to": shipped.isoformat()},
                    {"from": invoiced.isoformat()},
                    {"from": invoiced.isoformat(), "to": (invoiced + timedelta(days=30)).isoformat()},
                ):
                    pages = await listed(http, token, window)
                    single = await one_by_one(http, token, [number for number, _ in pages])

                    assert_once_and_as_order_number_says(pages, single)
                    start, end = window.get("from", "0001-01-01"), window.get("to", "9999-12-31")
                    assert all(start <= shown[0] <= end for _, shown in pages), window
                    checked += 1
    assert checked >= 8
