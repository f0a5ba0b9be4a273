"""The README's first command, for real: `bc-gateway serve` in its own process, then a query."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[str, dict[str, str], subprocess.Popen[str]]]:
    port = _free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("BC_", "AUTH_", "GATEWAY_", "SANDBOX_"))
    }
    env.update({"GATEWAY_PORT": str(port), "SANDBOX_SCALE": "0.05"})
    process = subprocess.Popen(
        [sys.executable, "-m", "gateway", "serve"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert process.stdout is not None
    header: dict[str, str] | None = None
    deadline = time.monotonic() + 120
    printed: list[str] = []
    while header is None and time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        printed.append(line)
        if '"Authorization"' in line:
            header = json.loads(line.strip())
    assert header is not None, "".join(printed)
    url = f"http://127.0.0.1:{port}"
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                break
        except httpx.TransportError:
            time.sleep(0.2)
    try:
        yield url, header, process
    finally:
        process.terminate()
        process.wait(timeout=30)
        process.stdout.close()


def test_the_printed_header_returns_that_customers_orders(
    served: tuple[str, dict[str, str], subprocess.Popen[str]],
) -> None:
    url, header, _ = served
    response = httpx.post(
        f"{url}/graphql",
        json={"query": "{ me { number } orders(first: 5) { nodes { number status } } }"},
        headers=header,
        timeout=30,
    )
    body = response.json()
    assert response.status_code == 200, body
    assert "errors" not in body, body
    assert body["data"]["me"]["number"]
    assert isinstance(body["data"]["orders"]["nodes"], list)


def test_token_command_mints_a_header_for_another_demo_customer(
    served: tuple[str, dict[str, str], subprocess.Popen[str]],
) -> None:
    url, _, _ = served
    listing = subprocess.run(
        [sys.executable, "-m", "gateway", "token", "--list", "--gateway", url],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
        cwd=ROOT,
    )
    last = listing.stdout.splitlines()[-1].split()
    customer = last[0]
    company = next(part for part in last if part.count("-") == 4)
    minted = subprocess.run(
        [
            sys.executable,
            "-m",
            "gateway",
            "token",
            "--customer",
            customer,
            "--company",
            company,
            "--gateway",
            url,
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=ROOT,
    )
    assert minted.returncode == 0, minted.stderr
    header = json.loads(minted.stdout)
    response = httpx.post(f"{url}/graphql", json={"query": "{ me { number } }"}, headers=header, timeout=30)
    assert response.json()["data"]["me"]["number"] == customer
