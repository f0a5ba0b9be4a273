"""A real gateway on a free port, in safelist mode, and one headless Chromium for the module.

The gateway runs with uvicorn in a thread, in development mode on the embedded sandbox, with
only the portal's operations on its safelist (written by ``bc-gateway portal-manifest``).  Its
identity provider and token validator share ``ShiftedClock``, which a test moves forward to
make access tokens expire mid-journey without waiting.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from gateway.app import create_app
from gateway.cli import main as cli
from gateway.edge.config import EdgeSettings
from gateway.edge.development import start_development
from gateway.settings import SandboxSettings, Settings

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
ACCESS_TOKEN_TTL = 120
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
            scale=0.05, data_dir=folder / "data", access_token_ttl_seconds=ACCESS_TOKEN_TTL
        ),
        edge=replace(EdgeSettings(), persisted_queries="safelist", safelist_file=manifest),
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
