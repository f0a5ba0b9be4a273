"""The seed's customer journeys, taken in a real browser through the reference portal.

Headless Chromium signs in with PKCE at the development identity provider and uses the portal
against a gateway that runs only the portal's safelisted operations.  Any console error or
uncaught page error fails the journey.  Screenshots go to ``SCREENSHOTS_DIR`` (default
``tests/portal/artifacts``; ``docs/screenshots`` for the README's).
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from tests.portal.conftest import (
    ACCESS_TOKEN_TTL,
    DESKTOP,
    Gateway,
    Watch,
    expect,
    graphql_with,
    heading,
    shot,
    sign_in,
)

pytestmark = pytest.mark.slow

PHONE = {"width": 390, "height": 844}
# A buyer for customer 10000 of both demo companies, and one for customer 20000 of both.
GROUP_10000 = "O'Brien & Sons Ltd. / Jan Ubezpieczenia S.A."
GROUP_20000 = "Müller Bürobedarf GmbH / Łódzkie Zakłady Meblowe Sp. z o.o."


def go(page: Any, section: str) -> None:
    page.locator("#nav").get_by_role("link", name=section, exact=True).click()
    expect(heading(page)).to_have_text(section if section != "Dashboard" else re.compile("Welcome"))


def fits_the_screen(page: Any) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def amount(locator: Any) -> Decimal:
    return Decimal(locator.get_attribute("data-amount"))


def run_journey(page: Any, watch: Watch, gateway: Gateway, account: str, label: str) -> None:
    narrow = page.viewport_size["width"] < 500
    page.clock.install()  # the browser's clock, moved together with the gateway's below
    sign_in(page, gateway, account)

    # Signed in with the code flow and PKCE S256
    authorize = parse_qs(urlsplit(watch.authorize_urls[0]).query)
    assert authorize["code_challenge_method"] == ["S256"]
    assert len(authorize["code_challenge"][0]) == 43
    (redeemed,) = watch.grants("authorization_code")
    assert len(redeemed["code_verifier"]) >= 43
    first_company, second_company = page.locator("#company option").all_text_contents()
    expect(page.locator("#metric-balance .value")).not_to_be_empty()
    assert fits_the_screen(page)
    shot(page, f"dashboard{label}")

    # Orders, filtered, then one order's detail
    go(page, "Orders")
    page.get_by_label("Status").select_option("INVOICED")
    expect(page.locator("#order-results tbody tr").first).to_contain_text("Invoiced")
    shot(page, f"orders{label}")
    page.locator("#order-results tbody a").first.click()
    expect(heading(page)).to_have_text(re.compile("^Order "))
    expect(page.locator("[data-shipment]").first).to_be_visible()
    assert fits_the_screen(page)
    shot(page, f"order{label}")

    # An invoice PDF, downloaded with the bearer token
    with page.expect_download() as download:
        page.get_by_role("button", name=re.compile("^Download invoice")).first.click()
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF")

    # The access token expires; the portal refreshes it before its next request, unnoticed
    old_token = watch.last_bearer()
    gateway.clock.advance(ACCESS_TOKEN_TTL + 65)  # past the TTL and the validator's leeway
    page.clock.fast_forward((ACCESS_TOKEN_TTL + 65) * 1000)
    assert graphql_with(gateway, old_token, "query { me { number } }").status_code == 401
    page.get_by_role("link", name="Reorder").click()
    expect(heading(page)).to_have_text(re.compile("^Reorder from "))
    assert len(watch.grants("refresh_token")) == 1
    assert watch.last_bearer() != old_token

    # Reorder: first every line at 0 (BC's refusal, shown plainly), then one quantity changed
    quantities = page.locator("input.qty")
    for index in range(quantities.count()):
        quantities.nth(index).fill("0")
    page.get_by_role("button", name="Place order").click()
    expect(page.locator("#reorder-refused")).to_contain_text("Your order was not placed")
    for index in range(quantities.count()):
        quantities.nth(index).fill(quantities.nth(index).get_attribute("value"))
    changed = quantities.first
    changed.fill(str(Decimal(changed.get_attribute("value")) + 1))
    page.get_by_role("button", name="Place order").click()
    placed = page.locator("#reorder-placed h2")
    expect(placed).to_have_text(re.compile(r"^Order \S+ placed$"))
    shot(page, f"reorder{label}")
    new_order = placed.inner_text().split()[1]
    keys = [
        body["variables"]["input"]["idempotencyKey"]
        for _, body in watch.graphql
        if "PortalReorder" in body["query"]
    ]
    assert len(keys) == 2
    assert len(set(keys)) == 2  # one key per attempt
    go(page, "Orders")
    expect(page.locator("#order-results").get_by_role("link", name=new_order, exact=True)).to_be_visible()

    # A query: raise it, see the thread, reply
    go(page, "Queries")
    page.get_by_role("link", name="Raise a query").click()
    page.get_by_label("Category").select_option(label="Delivery")
    page.get_by_label("Subject").fill(f"Delivery of {new_order}")
    page.get_by_label("Message").fill("Could the pallets arrive before 10:00?")
    page.get_by_role("button", name="Send query").click()
    expect(heading(page)).to_have_text(f"Delivery of {new_order}")
    expect(page.locator("#thread")).to_contain_text("before 10:00")
    page.get_by_label("Your reply").fill("Gate 3, please.")
    page.get_by_role("button", name="Send reply").click()
    expect(page.locator("#thread .message.customer")).to_have_count(2)
    expect(page.locator("#thread")).to_contain_text("Gate 3, please.")
    shot(page, f"query{label}")

    # The statement for a range reconciles on screen
    go(page, "Statement")
    page.get_by_label("From").fill((date.today() - timedelta(days=180)).isoformat())
    page.get_by_label("To").fill(date.today().isoformat())
    page.get_by_role("button", name="Show").click()
    expect(page.locator("#reconciliation")).to_have_attribute("data-reconciles", "true")
    balance = amount(page.locator("#statement-opening [data-amount]"))
    rows = page.locator("#statement-results tbody tr")
    assert rows.count() > 0
    for index in range(rows.count()):
        row = rows.nth(index)
        debit = row.locator("td[data-label=Debit] [data-amount]")
        credit = row.locator("td[data-label=Credit] [data-amount]")
        balance += (amount(debit) if debit.count() else 0) - (amount(credit) if credit.count() else 0)
        assert amount(row.locator("td[data-label=Balance] [data-amount]")) == balance
    assert amount(page.locator("#statement-closing [data-amount]")) == balance
    shot(page, f"statement{label}")

    # Other screens: stock, invoices, credit memos
    go(page, "Stock")
    page.get_by_label("Search").fill("Chair")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("#stock-results tbody tr").first).to_contain_text("Chair")
    shot(page, f"stock{label}")
    go(page, "Invoices")
    expect(page.locator("#invoice-results tbody tr").first).to_be_visible()
    shot(page, f"invoices{label}")
    go(page, "Credit memos")
    expect(page.locator("#credit-memo-results")).not_to_contain_text("Loading")
    assert fits_the_screen(page)

    # Switch company: the same person, the other company's customer account
    go(page, "Dashboard")
    page.get_by_label("Company").select_option(label=second_company)
    expect(heading(page)).to_have_text(f"Welcome, {account.split(' / ')[1]}")
    assert watch.graphql[-1][0]["x-bc-company"] != watch.graphql[0][0].get("x-bc-company")
    assert first_company != second_company
    if not narrow:
        shot(page, "company-switch")

    # Sign out: the session is gone, in the tab and at the identity provider
    refresh_token = watch.token_answers[-1]["refresh_token"]
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("You have signed out.")).to_be_visible()
    assert page.evaluate("sessionStorage.length") == 0
    assert watch.revocations == 1
    replay = httpx.post(
        f"{gateway.url}/dev-idp/token",
        data={"grant_type": "refresh_token", "client_id": "bc-portal", "refresh_token": refresh_token},
    )
    assert replay.json()["error"] == "invalid_grant"

    assert 401 not in watch.graphql_statuses  # the user never saw an expired token
    assert watch.errors == []


def test_a_customers_journey_on_a_desktop(open_page: Any, gateway: Gateway) -> None:
    page, watch = open_page(DESKTOP)
    run_journey(page, watch, gateway, GROUP_10000, "")


def test_the_same_journey_on_a_phone(open_page: Any, gateway: Gateway) -> None:
    page, watch = open_page(PHONE)
    run_journey(page, watch, gateway, GROUP_20000, "-phone")


def test_a_second_customer_never_sees_the_first_ones_data(open_page: Any, gateway: Gateway) -> None:
    first, first_watch = open_page(DESKTOP)
    sign_in(first, gateway, "Trey Research")
    go(first, "Orders")
    expect(first.locator("#order-results tbody tr").first).to_be_visible()
    first_orders = set(first.locator("#order-results tbody a").all_text_contents())
    assert first_orders

    second, second_watch = open_page(DESKTOP)
    sign_in(second, gateway, "School of Fine Art")
    expect(heading(second)).to_have_text("Welcome, School of Fine Art")
    go(second, "Orders")
    expect(second.locator("#order-results tbody tr").first).to_be_visible()
    assert first_orders.isdisjoint(second.locator("#order-results tbody a").all_text_contents())
    assert "Trey Research" not in second.locator("body").inner_text()
    someone_elses = sorted(first_orders)[0]
    second.goto(f"{gateway.portal}#/orders/{someone_elses}")
    expect(second.get_by_role("alert")).to_contain_text(f"Order {someone_elses} was not found.")
    assert first_watch.errors == []
    assert second_watch.errors == []


def test_the_portal_can_be_used_with_the_keyboard_alone(open_page: Any, gateway: Gateway) -> None:
    page, watch = open_page(DESKTOP)
    sign_in(page, gateway, "Adatum Corporation")

    for _ in range(20):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent") == "Orders":
            break
    page.keyboard.press("Enter")
    expect(heading(page)).to_have_text("Orders")
    expect(page.locator("#order-results tbody a").first).to_be_visible()
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.closest('#order-results') !== null"):
            break
    page.keyboard.press("Enter")
    expect(heading(page)).to_have_text(re.compile("^Order "))
    assert watch.errors == []


def test_the_gateway_in_safelist_mode_refuses_other_documents(open_page: Any, gateway: Gateway) -> None:
    page, watch = open_page(DESKTOP)
    sign_in(page, gateway, "Adatum Corporation")

    response = graphql_with(gateway, watch.last_bearer(), "query { me { number name } }")

    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "OPERATION_NOT_SAFELISTED"
    sent = {body["query"] for _, body in watch.graphql}
    assert sent <= set(gateway.safelist.values())
