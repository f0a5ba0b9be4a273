"""`bc-gateway sandbox` on a port and `bc-gateway staff`, for real: BC's notifications go out over
HTTP to a subscriber, after the configured delay."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from tests.redis_server import free_port

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]


class Receiver(BaseHTTPRequestHandler):
    """A subscriber on the network: echoes handshakes, keeps notification bodies."""

    bodies: ClassVar[list[dict[str, Any]]] = []

    def do_POST(self) -> None:
        token = parse_qs(urlsplit(self.path).query).get("validationToken")
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        if token:
            answer = token[0].encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)
            return
        Receiver.bodies.append(json.loads(body))
        self.send_response(202)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        return


@pytest.fixture
def receiver() -> Iterator[str]:
    Receiver.bodies.clear()
    server = ThreadingHTTPServer(("127.0.0.1", free_port()), Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/hook"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def sandbox_url() -> Iterator[str]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BC_", "AUTH_", "GATEWAY_", "SANDBOX_"))}
    command = [sys.executable, "-m", "gateway", "sandbox", "--port", str(port), "--scale", "0.05"]
    process = subprocess.Popen(
        [*command, "--notification-delay", "1"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            httpx.get(f"{url}/_sandbox/stats", timeout=2)
            break
        except httpx.TransportError:
            time.sleep(0.2)
    try:
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


def staff(url: str, *arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "gateway", "staff", *arguments, "--url", url],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_staff_ship_and_the_sandbox_notifies_a_subscriber_over_http(sandbox_url: str, receiver: str) -> None:
    root = f"{sandbox_url}/v2.0/sandbox/production"
    token = httpx.post(
        f"{sandbox_url}/sandbox/oauth2/v2.0/token",
        data={
            "grant_type": "client_credentials",
            "client_id": "sandbox-client",
            "client_secret": "sandbox-secret",
            "scope": "https://api.businesscentral.dynamics.com/.default",
        },
    ).json()["access_token"]
    with httpx.Client(headers={"Authorization": f"Bearer {token}"}, timeout=30) as bc:
        companies = bc.get(f"{root}/api/v2.0/companies").json()["value"]
        company = sorted(companies, key=lambda c: c["name"])[0]["id"]
        resource = f"/api/v2.0/companies({company})/salesOrders"
        body = {"notificationUrl": receiver, "resource": resource}
        created = bc.post(f"{root}/api/v2.0/subscriptions", json=body)
    assert created.status_code == 201, created.text

    shipped = staff(sandbox_url, "ship", "--company", company)

    assert shipped.returncode == 0, shipped.stderr
    assert shipped.stdout.startswith("Shipped order")
    deadline = time.monotonic() + 20
    while not Receiver.bodies and time.monotonic() < deadline:
        time.sleep(0.1)
    (entry,) = Receiver.bodies[0]["value"]
    assert entry["subscriptionId"] == created.json()["subscriptionId"]
    assert (entry["changeType"], entry["resource"].startswith(resource)) == ("updated", True)
    refused = staff(sandbox_url, "pay", "--invoice", "NO-SUCH-INVOICE")
    assert refused.returncode == 1
    assert "No invoice NO-SUCH-INVOICE" in refused.stderr
