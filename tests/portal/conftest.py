"""A real gateway on a free port, in safelist mode, and one headless Chromium for the module.

The gateway runs with uvicorn in a thread, in development mode on the embedded sandbox, with
only the portal's operations on its safelist (written by ``bc-gateway portal-manifest``), and
with BC's webhooks on as ``bc-gateway serve`` has them: the sandbox notifies the gateway
``NOTIFICATION_DELAY`` seconds after a change, and the portal hears it over WebSocket.  Its
identity provider and token validator share ``ShiftedClock``, which a test moves forward to
make access tokens expire mid-journey without waiting.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
import uvicorn

from gateway.app import create_app
from gateway.cli import main as cli
from gateway.edge.config import EdgeSettings
from gateway.edge.development import start_development
from gateway.settings import SandboxSettings, Settings
from gateway.webhooks import WebhookSettings

CHROMIUM = "/usr/bin/chromium"
# Without the background-networking switches Chromium reaches for Google's services at start-up.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 900}
ACCESS_TOKEN_TTL = 120
NOTIFICATION_DELAY = 0.1  # seconds; BC waits 30 after a change before it notifies
SCREENSHOTS = Path(os.environ.get("SCREENSHOTS_DIR", Path(__file__).parent / "artifacts"))


class ShiftedClock:
    """The wall clock plus an offset that tests move forward."""

    def __init__(self) -> None:
        self.offset = 0.0

    def __call__(self) -> float:
        return time.time() + self.offset

    def advance(self, seconds: float) -> None:
        self.offset += seconds


@dataclass
class Gateway:
    url: str
    clock: ShiftedClock
    safelist: dict[str, str] = field(default_factory=dict)

    @property
    def portal(self) -> str:
        return f"{self.url}/portal/"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Gateway]:
    folder = tmp_path_factory.mktemp("portal")
    manifest = folder / "portal-safelist.json"
    assert cli(["portal-manifest", str(manifest)]) == 0
    port = _free_port()
    settings = Settings(
        port=port,
        sandbox=SandboxSettings(
            scale=0.05,
            data_dir=folder / "data",
            access_token_ttl_seconds=ACCESS_TOKEN_TTL,
            notification_delay_seconds=NOTIFICATION_DELAY,
        ),
        edge=replace(EdgeSettings(), persisted_queries="safelist", safelist_file=manifest),
        webhooks=WebhookSettings(enabled=True, notification_url=f"http://127.0.0.1:{port}/webhooks/bc"),
    )
    clock = ShiftedClock()
    development = start_development(settings, clock=clock)
    app = create_app(settings, development=development, wall_clock=clock, token_clock=clock)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while not server.started:
        assert thread.is_alive(), "the gateway did not start"
        assert time.monotonic() < deadline, "the gateway did not start in time"
        time.sleep(0.05)
    try:
        yield Gateway(url, clock, json.loads(manifest.read_text()))
    finally:
        server.should_exit = True
        thread.join(timeout=30)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists() or shutil.which(CHROMIUM) is None:
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is required in CI for the browser tests (.ci/run installs it)")
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium; CI installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


def graphql_with(gateway: Gateway, token: str, document: str) -> httpx.Response:
    return httpx.post(
        f"{gateway.url}/graphql",
        json={"query": document},
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )


@dataclass
class Watch:
    """What the page did on the network and in its console."""

    errors: list[str] = field(default_factory=list)
    authorize_urls: list[str] = field(default_factory=list)
    token_forms: list[dict[str, str]] = field(default_factory=list)
    token_answers: list[dict[str, Any]] = field(default_factory=list)
    graphql: list[tuple[dict[str, str], dict[str, Any]]] = field(default_factory=list)
    graphql_statuses: list[int] = field(default_factory=list)
    revocations: int = 0

    def attach(self, page: Any) -> None:
        page.on("console", lambda message: message.type == "error" and self.errors.append(message.text))
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        page.on("request", self._request)
        page.on("response", self._response)

    def _request(self, request: Any) -> None:
        path = urlsplit(request.url).path
        if path.endswith("/dev-idp/authorize") and request.method == "GET":
            self.authorize_urls.append(request.url)
        elif path.endswith("/dev-idp/token"):
            self.token_forms.append({k: v[0] for k, v in parse_qs(request.post_data or "").items()})
        elif path.endswith("/dev-idp/revoke"):
            self.revocations += 1
        elif path == "/graphql":
            self.graphql.append((dict(request.headers), request.post_data_json))

    def _response(self, response: Any) -> None:
        path = urlsplit(response.url).path
        if path == "/graphql":
            self.graphql_statuses.append(response.status)
        elif path.endswith("/dev-idp/token") and response.ok:
            self.token_answers.append(response.json())

    def grants(self, grant_type: str) -> list[dict[str, str]]:
        return [form for form in self.token_forms if form.get("grant_type") == grant_type]

    def last_bearer(self) -> str:
        return self.graphql[-1][0]["authorization"].removeprefix("Bearer ")


@pytest.fixture
def open_page(browser: Any) -> Iterator[Any]:
    contexts: list[Any] = []

    def opener(viewport: dict[str, int]) -> tuple[Any, Watch]:
        context = browser.new_context(viewport=viewport, accept_downloads=True, locale="en-GB")
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(20_000)
        watch = Watch()
        watch.attach(page)
        return page, watch

    yield opener
    for context in contexts:
        context.close()


def expect(target: Any) -> Any:
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(target)


def shot(page: Any, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def heading(page: Any) -> Any:
    return page.locator("main h1")


def sign_in(page: Any, gateway: Gateway, account: str) -> None:
    page.goto(gateway.portal)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_url("**/dev-idp/authorize?**")
    page.get_by_role("button", name=f"Sign in as {account}", exact=True).click()
    expect(heading(page)).to_have_text(re.compile("^Welcome"))
