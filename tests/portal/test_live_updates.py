"""BC's changes reach the portal as they happen, over the gateway's GraphQL subscriptions.

Staff ship an order through the sandbox's control endpoint (``/_sandbox/staff``), the sandbox
notifies the gateway ``NOTIFICATION_DELAY`` seconds later, and the customer's open dashboard
shows the order's new status without a reload, with a notice a screen reader reads out; another
customer's page hears nothing of it.  The socket's own life: a refreshed token is sent on it in a
ping, a dropped socket comes back and subscribes again, a company switch reconnects for the other
company, sign-out closes it.  Each test ships orders of its own customers (the module shares one
gateway and one demo world).  Playwright waits on the page, never a sleep.
"""

from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import httpx
import pytest

from tests.portal.conftest import ACCESS_TOKEN_TTL, DESKTOP, Gateway, Watch, expect, heading, shot, sign_in
from tests.portal.test_browser_journeys import GROUP_10000

pytestmark = pytest.mark.slow

EVENT_TIMEOUT = 30_000  # ms: BC's notification, the gateway's processing, the socket; seconds in fact


def staff(gateway: Gateway, action: str, **options: Any) -> dict[str, Any]:
    """What BC's staff do, on the development gateway's embedded sandbox."""
    response = httpx.post(f"{gateway.url}/_sandbox/staff/{action}", json=options, timeout=30)
    assert response.status_code == 200, response.text
    outcome: dict[str, Any] = response.json()
    return outcome


@dataclass
class Sockets:
    """The page's WebSockets, and every message it sent and received on each (by socket index)."""

    opened: list[Any] = field(default_factory=list)
    sent: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    received: list[tuple[int, dict[str, Any]]] = field(default_factory=list)

    @classmethod
    def of(cls, page: Any) -> Sockets:
        sockets = cls()
        page.on("websocket", sockets._opened)
        return sockets

    def _opened(self, ws: Any) -> None:
        index = len(self.opened)
        self.opened.append(ws)
        ws.on("framesent", lambda frame: self.sent.append((index, json.loads(frame))))
        ws.on("framereceived", lambda frame: self.received.append((index, json.loads(frame))))

    def sent_on(self, index: int, kind: str) -> list[dict[str, Any]]:
        return [message for at, message in self.sent if at == index and message["type"] == kind]

    def mentioning(self, number: str) -> list[dict[str, Any]]:
        """The events (``next``) received that mention ``number``."""
        return [m for _, m in self.received if m["type"] == "next" and number in json.dumps(m)]


def signed_in_and_live(open_page: Any, gateway: Gateway, account: str) -> tuple[Any, Watch, Sockets]:
    page, watch = open_page(DESKTOP)
    sockets = Sockets.of(page)
    sign_in(page, gateway, account)
    expect_live(page)
    return page, watch, sockets


def expect_live(page: Any) -> None:
    expect(page.locator("#live-state")).to_have_attribute("data-state", "live", timeout=EVENT_TIMEOUT)
    expect(page.locator("#live-state")).to_have_text("Live")


def a_released_order(page: Any) -> str:
    """The number of a released order on the dashboard: one the warehouse can ship."""
    row = page.locator('#dashboard-body tr[data-order]:has([data-status="RELEASED"])').first
    number: str = row.get_attribute("data-order")
    return number


def company_of(page: Any) -> str:
    company: str = page.evaluate("sessionStorage.getItem('portal.company')")
    return company


def ships_and_shows(page: Any, gateway: Gateway) -> str:
    """Staff ship one of the page's customer's released orders; the dashboard shows it shipped."""
    number = a_released_order(page)
    staff(gateway, "ship", company=company_of(page), order=number)
    row = page.locator(f'#dashboard-body tr[data-order="{number}"]')
    expect(row.locator("[data-status]")).to_have_attribute("data-status", "SHIPPED", timeout=EVENT_TIMEOUT)
    return number


def answers_a_token_ping(frame: str) -> bool:
    """The gateway's pong to a ping that carried a token: it says when the new token expires."""
    message = json.loads(frame)
    return bool(message["type"] == "pong" and message.get("payload"))


def claims(token: str) -> dict[str, Any]:
    payload = token.split(".")[1]
    decoded: dict[str, Any] = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    return decoded


def test_a_shipped_order_shows_on_the_dashboard_without_a_reload(open_page: Any, gateway: Gateway) -> None:
    page, watch, sockets = signed_in_and_live(open_page, gateway, "Müller Bürobedarf GmbH")
    other, other_watch, other_sockets = signed_in_and_live(open_page, gateway, "Adatum Corporation")
    mine, theirs = a_released_order(page), a_released_order(other)
    requests_before = len(watch.graphql)

    staff(gateway, "ship", company=company_of(page), order=mine)

    row = page.locator(f'#dashboard-body tr[data-order="{mine}"]')
    expect(row.locator("[data-status]")).to_have_attribute("data-status", "SHIPPED", timeout=EVENT_TIMEOUT)
    expect(row).to_contain_text("Shipped")
    notices = page.get_by_role("list", name="Updates")
    expect(notices).to_have_attribute("aria-live", "polite")
    expect(notices).to_contain_text(f"Order {mine} has shipped.", timeout=EVENT_TIMEOUT)
    expect(notices).to_contain_text(re.compile(rf"Shipment \S+ for order {re.escape(mine)} is on its way\."))
    expect(heading(page)).to_have_text("Welcome, Müller Bürobedarf GmbH")
    assert len(watch.graphql) == requests_before  # nothing was asked again: the update came by itself
    shot(page, "live-update")

    # The other customer, signed in all along, heard nothing of it.  Their own order shipped
    # after it reaches them, so by then anything about the first would have too.
    staff(gateway, "ship", company=company_of(other), order=theirs)
    expect(other.get_by_role("list", name="Updates")).to_contain_text(
        f"Order {theirs} has shipped.", timeout=EVENT_TIMEOUT
    )
    assert other_sockets.mentioning(mine) == []
    assert mine not in other.locator("body").inner_text()
    assert sockets.mentioning(theirs) == []
    assert sockets.mentioning(mine)
    assert watch.errors == []
    assert other_watch.errors == []


def test_the_order_page_fills_in_the_shipment_as_it_is_posted(open_page: Any, gateway: Gateway) -> None:
    page, watch, _ = signed_in_and_live(open_page, gateway, "O'Connor Polska Sp. z o.o.")
    number = a_released_order(page)
    page.locator("#dashboard-body").get_by_role("link", name=number, exact=True).click()
    expect(heading(page)).to_have_text(f"Order {number}")
    expect(page.locator("#order-shipments")).to_contain_text("Nothing has shipped yet.")

    staff(gateway, "ship", company=company_of(page), order=number, fraction=0.5)

    expect(page.locator("#order-status [data-status]")).to_have_attribute(
        "data-status", "PARTIALLY_SHIPPED", timeout=EVENT_TIMEOUT
    )
    expect(page.locator("#order-shipments [data-shipment]")).to_have_count(1, timeout=EVENT_TIMEOUT)
    shipped = page.locator("#order-lines td[data-label=Shipped]").all_text_contents()
    assert any(quantity not in {"0", "—"} for quantity in shipped)
    assert watch.errors == []


def test_a_refreshed_token_is_sent_on_the_open_socket(open_page: Any, gateway: Gateway) -> None:
    page, watch = open_page(DESKTOP)
    sockets = Sockets.of(page)
    page.clock.install()  # the browser's clock, moved together with the gateway's below
    sign_in(page, gateway, "Société Générale d'Équipement")
    expect_live(page)
    (socket,) = sockets.opened
    (init,) = sockets.sent_on(0, "connection_init")
    first_token = init["payload"]["Authorization"].removeprefix("Bearer ")

    # The access token nears its end: the portal refreshes it, and the socket gets it in a ping
    gateway.clock.advance(ACCESS_TOKEN_TTL + 65)  # past the TTL and the validator's leeway
    with socket.expect_event("framereceived", predicate=answers_a_token_ping) as pong:
        page.clock.fast_forward((ACCESS_TOKEN_TTL + 65) * 1000)

    assert len(watch.grants("refresh_token")) == 1
    (ping,) = [m for m in sockets.sent_on(0, "ping") if m.get("payload")]
    refreshed = ping["payload"]["Authorization"].removeprefix("Bearer ")
    assert refreshed == page.evaluate("JSON.parse(sessionStorage.getItem('portal.session')).accessToken")
    assert refreshed != first_token
    assert claims(refreshed)["sub"] == claims(first_token)["sub"]
    # The gateway took it (a token it refused would close the socket with 4403)
    assert json.loads(pong.value) == {"type": "pong", "payload": {"expiresAt": claims(refreshed)["exp"]}}

    # The same socket goes on: no second connection, and changes still arrive
    ships_and_shows(page, gateway)
    assert len(sockets.opened) == 1
    assert not socket.is_closed()
    assert watch.errors == []


def test_a_dropped_socket_comes_back_and_subscribes_again(open_page: Any, gateway: Gateway) -> None:
    page, watch = open_page(DESKTOP)
    routed: list[tuple[Any, Any]] = []

    def to_the_gateway(ws: Any) -> None:
        routed.append((ws, ws.connect_to_server()))

    page.route_web_socket(re.compile(r"/graphql$"), to_the_gateway)
    sign_in(page, gateway, "Świętokrzyska Hurtownia")
    expect_live(page)

    page_side, gateway_side = routed[0]
    page_side.close(code=1001, reason="Going away")  # as a proxy restarting would
    gateway_side.close()
    expect(page.locator("#live-state")).to_have_attribute("data-state", "reconnecting")
    expect(page.locator("#live-state")).to_have_text("Reconnecting…")
    expect_live(page)  # after a second or so, without a reload

    assert len(routed) == 2
    ships_and_shows(page, gateway)  # the new socket subscribed again
    assert watch.errors == []


def test_the_socket_follows_the_company_and_closes_on_sign_out(open_page: Any, gateway: Gateway) -> None:
    page, watch, sockets = signed_in_and_live(open_page, gateway, GROUP_10000)
    (init,) = sockets.sent_on(0, "connection_init")
    assert init["payload"] == {
        "Authorization": f"Bearer {watch.last_bearer()}",
        "X-BC-Company": company_of(page),
    }
    subscribed = [m["payload"]["query"].split()[1] for m in sockets.sent_on(0, "subscribe")]
    assert subscribed == ["PortalOrderUpdated", "PortalDocumentPosted", "PortalQueryUpdated"]

    page.get_by_label("Company").select_option(index=1)
    expect(heading(page)).to_have_text("Welcome, Jan Ubezpieczenia S.A.")
    expect_live(page)
    first, second = sockets.opened
    assert first.is_closed()
    (again,) = sockets.sent_on(1, "connection_init")
    assert again["payload"]["X-BC-Company"] == company_of(page) != init["payload"]["X-BC-Company"]
    assert len(sockets.sent_on(1, "subscribe")) == 3

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("You have signed out.")).to_be_visible()
    if not second.is_closed():
        second.wait_for_event("close")
    expect(page.locator("#live-state")).to_be_hidden()
    assert len(sockets.opened) == 2
    assert watch.errors == []


def test_a_staff_reply_appears_in_the_querys_thread(open_page: Any, gateway: Gateway) -> None:
    page, watch, _ = signed_in_and_live(open_page, gateway, "Trey Research")
    page.locator("#nav").get_by_role("link", name="Queries", exact=True).click()
    page.get_by_role("link", name="Raise a query").click()
    page.get_by_label("Subject").fill("Invoice address")
    page.get_by_label("Message").fill("Please send invoices to accounts@trey.example.")
    page.get_by_role("button", name="Send query").click()
    expect(heading(page)).to_have_text("Invoice address")
    number = page.locator("main .subtitle").inner_text().split(" · ")[0]

    staff(
        gateway,
        "answer",
        company=company_of(page),
        query=number,
        message="Done: accounts@trey.example it is.",
    )

    thread = page.locator("#thread")
    expect(thread.locator(".message.staff")).to_contain_text(
        "Done: accounts@trey.example it is.", timeout=EVENT_TIMEOUT
    )
    expect(page.locator("#query-status [data-status]")).to_have_attribute("data-status", "IN_PROGRESS")
    expect(page.get_by_role("list", name="Updates")).to_contain_text(
        "replied to your query “Invoice address”."
    )
    expect(page.get_by_label("Your reply")).to_be_visible()

    staff(
        gateway, "answer", company=company_of(page), query=number, message="Closing this one.", resolve=True
    )

    expect(page.locator("#query-status [data-status]")).to_have_attribute(
        "data-status", "RESOLVED", timeout=EVENT_TIMEOUT
    )
    expect(thread.locator(".message.staff")).to_have_count(2)
    expect(page.get_by_text("This query is resolved.")).to_be_visible()
    expect(page.get_by_label("Your reply")).to_have_count(0)
    assert watch.errors == []


def test_the_stock_screen_shows_a_stock_count_as_it_changes(open_page: Any, gateway: Gateway) -> None:
    page, watch, sockets = signed_in_and_live(open_page, gateway, "School of Fine Art")
    page.locator("#nav").get_by_role("link", name="Stock", exact=True).click()
    page.get_by_label("Search").fill("Chair")
    page.get_by_role("button", name="Search").click()
    row = page.locator("#stock-results tbody tr").first
    expect(row).to_contain_text("Chair")
    number = row.get_attribute("data-item")
    on_hand = row.locator("td[data-label='On hand']")
    before = Decimal(on_hand.inner_text().replace(",", ""))

    staff(gateway, "stock", company=company_of(page), item=number, quantity=25)

    expect(on_hand).to_have_text(f"{before + 25:,f}", timeout=EVENT_TIMEOUT)
    # It watches the items it shows: the first list's until the search, then the search's
    first, searched = [
        m for m in sockets.sent_on(0, "subscribe") if "PortalStockChanged" in m["payload"]["query"]
    ]
    assert {"id": first["id"], "type": "complete"} in sockets.sent_on(0, "complete")
    watched = searched["payload"]["variables"]["numbers"]
    assert number in watched
    assert watch.errors == []
