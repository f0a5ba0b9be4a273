"""The README's commands, for real: `bc-gateway serve`, `token`, `sandbox` and the app factory in
their own processes, and what a person sees when the configuration is wrong."""

from __future__ import annotations

import hashlib
import json
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests import processes
from tests.processes import ROOT, SCALE
from tests.processes import cli as _cli
from tests.processes import environ as _environ
from tests.processes import free_port as _free_port
from tests.processes import printed_so_far as _printed_so_far
from tests.processes import read_until as _read_until
from tests.processes import refuses_in_one_line as _refuses_in_one_line
from tests.processes import start as _start
from tests.processes import stop as _stop

pytestmark = pytest.mark.slow

# The banner each served gateway printed, by URL (for the tests that read it).
_BANNERS: dict[str, list[str]] = {}


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[str, dict[str, str], subprocess.Popen[str]]]:
    """`bc-gateway serve --port P` in development mode; GATEWAY_PORT names another port, which
    the flag overrides."""
    port = _free_port()
    env = _environ(GATEWAY_PORT=str(_free_port()), SANDBOX_SCALE=SCALE)
    process = _start(["-m", "gateway", "serve", "--port", str(port)], env)
    try:
        printed = _read_until(process, "The demo customers:")
        url = f"http://127.0.0.1:{port}"
        # The banner comes once the server listens: the first request needs no retry.
        assert httpx.get(f"{url}/healthz", timeout=5).status_code == 200
        header = json.loads(next(line for line in printed if '"Authorization"' in line).strip())
        _BANNERS[url] = printed
        yield url, header, process
    finally:
        _stop(process)


@pytest.fixture(scope="module")
def banner(served: tuple[str, dict[str, str], subprocess.Popen[str]]) -> list[str]:
    return _BANNERS[served[0]]


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


def test_the_token_command_the_banner_prints_works_as_printed(
    served: tuple[str, dict[str, str], subprocess.Popen[str]], banner: list[str]
) -> None:
    url, _, _ = served
    line = next(line for line in banner if "This header again:" in line)
    command = line.split("bc-gateway", 1)[1].split()
    assert command[:2] == ["token", "--customer"]
    minted = _cli(*command)
    assert minted.returncode == 0, minted.stderr
    response = httpx.post(
        f"{url}/graphql", json={"query": "{ me { number } }"}, headers=json.loads(minted.stdout), timeout=30
    )
    banner_customer = command[2]
    assert response.json()["data"]["me"]["number"] == banner_customer


def test_the_token_command_finds_the_gateway_where_gateway_host_and_port_say(
    served: tuple[str, dict[str, str], subprocess.Popen[str]],
) -> None:
    url, _, _ = served
    port = url.rsplit(":", 1)[1]
    listing = _cli("token", "--list", env=_environ(GATEWAY_HOST="0.0.0.0", GATEWAY_PORT=port))  # noqa: S104
    assert listing.returncode == 0, listing.stderr
    assert len(listing.stdout.splitlines()) > 3


def test_an_unknown_customer_gets_its_own_message(
    served: tuple[str, dict[str, str], subprocess.Popen[str]],
) -> None:
    url, _, _ = served
    minted = _cli("token", "--customer", "NOSUCH-1", "--gateway", url)
    assert minted.returncode == 1
    assert minted.stderr.strip() == (
        "bc-gateway: NOSUCH-1 is not a demo customer of this gateway; `bc-gateway token --list` shows them"
    )
    assert minted.stdout == ""


def test_token_command_mints_a_header_for_another_demo_customer(
    served: tuple[str, dict[str, str], subprocess.Popen[str]],
) -> None:
    url, _, _ = served
    listing = _cli("token", "--list", "--gateway", url)
    assert listing.returncode == 0, listing.stderr
    last = listing.stdout.splitlines()[-1].split()
    customer = last[0]
    company = next(part for part in last if part.count("-") == 4)
    minted = _cli("token", "--customer", customer, "--company", company, "--gateway", url)
    assert minted.returncode == 0, minted.stderr
    header = json.loads(minted.stdout)
    response = httpx.post(f"{url}/graphql", json={"query": "{ me { number } }"}, headers=header, timeout=30)
    assert response.json()["data"]["me"]["number"] == customer


def test_forwarded_headers_from_this_machine_are_not_believed_without_trusted_proxies(
    served: tuple[str, dict[str, str], subprocess.Popen[str]],
) -> None:
    """uvicorn believes X-Forwarded-* from 127.0.0.1 by default; the gateway must not."""
    url, _, _ = served
    claimed_https = httpx.get(f"{url}/healthz", headers={"x-forwarded-proto": "https"}, timeout=5)
    assert "strict-transport-security" not in claimed_https.headers
    # A client rotating X-Forwarded-For still spends one address's bucket (30 requests).
    statuses = [
        httpx.post(
            f"{url}/graphql",
            json={"query": "{ me { number } }"},
            headers={"authorization": "Bearer forged", "x-forwarded-for": f"198.51.100.{n}"},
            timeout=10,
        ).status_code
        for n in range(40)
    ]
    assert 429 in statuses


def test_a_clients_mistakes_and_a_dropped_upload_print_no_traceback(
    served: tuple[str, dict[str, str], subprocess.Popen[str]],
) -> None:
    url, header, process = served
    bad_cursor = httpx.post(
        f"{url}/graphql",
        json={"query": '{ orders(first: 2, after: "not-a-cursor") { nodes { number } } }'},
        headers=header,
        timeout=30,
    )
    port = int(url.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=10) as dropped:  # gone mid-body
        dropped.sendall(
            b"POST /graphql HTTP/1.1\r\nHost: gateway\r\nContent-Type: application/json\r\n"
            b"Content-Length: 1000\r\n\r\n" + b'{"query": "{ me'
        )
    # The server has handled both once it answers a later request: what they printed is there.
    assert httpx.get(f"{url}/healthz", timeout=5).status_code == 200
    printed = _printed_so_far(process)
    assert bad_cursor.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert "Traceback" not in printed
    assert "Exception in ASGI application" not in printed


def test_a_port_in_use_is_one_line_naming_it_and_no_banner() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        by_variable = _cli("serve", env=_environ(GATEWAY_PORT=port, SANDBOX_SCALE=SCALE))
        by_flag = _cli("serve", "--port", port, env=_environ(SANDBOX_SCALE=SCALE))
    assert "already in use" in _refuses_in_one_line(by_variable, "GATEWAY_PORT")
    assert "already in use" in _refuses_in_one_line(by_flag, "--port")


@pytest.mark.parametrize("host", ["no-such-host.invalid", "192.0.2.1", "not a host"])
def test_a_host_the_gateway_cannot_listen_on_is_one_line_naming_it(host: str) -> None:
    result = _cli("serve", env=_environ(GATEWAY_HOST=host, GATEWAY_PORT=str(_free_port())))
    _refuses_in_one_line(result, "GATEWAY_HOST")


LOOPBACK_ONLY = {
    "BC_BASE_URL": "http://bc.example.com:7048/bc",
    "BC_TOKEN_URL": "http://login.example.com/t/oauth2/v2.0/token",
    "BC_CLIENT_ID": "client",
    "BC_CLIENT_SECRET": "s3cret",
    "AUTH_ISSUER": "https://login.example.com/",
    "AUTH_AUDIENCE": "portal",
    "AUTH_JWKS_URL": "https://login.example.com/keys",
}


def test_an_http_token_url_to_another_machine_is_one_line_naming_it() -> None:
    result = _cli("serve", env=_environ(**LOOPBACK_ONLY))
    assert "https" in _refuses_in_one_line(result, "BC_TOKEN_URL")


def test_a_sandbox_with_no_app_registration_is_refused_in_one_line() -> None:
    result = _cli("sandbox", "--clients", "0", "--port", str(_free_port()))
    assert result.returncode == 2
    assert result.stderr.strip() == "bc-gateway: --clients: clients must be between 1 and 20"


def test_a_production_gateway_without_a_document_key_is_one_line_naming_it() -> None:
    """Replicas must share the key that signs download links: production does not make one up."""
    on_this_machine = {**LOOPBACK_ONLY, "BC_BASE_URL": "http://127.0.0.1:9/bc"}
    on_this_machine["BC_TOKEN_URL"] = "http://127.0.0.1:9/t/oauth2/v2.0/token"
    result = _cli("serve", env=_environ(**on_this_machine, GATEWAY_PORT=str(_free_port())))
    assert "openssl rand" in _refuses_in_one_line(result, "GATEWAY_DOCUMENT_KEY")


def test_a_safelist_file_that_is_not_json_is_one_line_naming_it(tmp_path: Path) -> None:
    listed = tmp_path / "operations.json"
    listed.write_text("{ me { number } }")
    env = _environ(GATEWAY_PERSISTED_QUERIES="safelist", GATEWAY_SAFELIST_FILE=str(listed))
    _refuses_in_one_line(_cli("serve", env=env), "GATEWAY_SAFELIST_FILE")


@pytest.fixture(scope="module")
def standalone_sandbox() -> Iterator[dict[str, str]]:
    """`bc-gateway sandbox`, and the BC_* values it prints for pointing a gateway at it."""
    with processes.standalone_sandbox() as values:
        yield {name: value for name, value in values.items() if name.startswith("BC_")}


def test_production_mode_runs_against_the_standalone_sandbox_on_this_machine(
    standalone_sandbox: dict[str, str], tmp_path: Path
) -> None:
    """The sandbox prints http URLs; a production gateway (no GATEWAY_TRUSTED_PROXIES) takes them,
    and a graphql-codegen persisted-documents file as its safelist."""
    assert standalone_sandbox["BC_TOKEN_URL"].startswith("http://127.0.0.1:")
    document = "query Me { me { number } }"
    listed = tmp_path / "persisted-documents.json"
    listed.write_text(json.dumps({f"sha256:{hashlib.sha256(document.encode()).hexdigest()}": document}))
    port = _free_port()
    env = _environ(
        **standalone_sandbox,
        AUTH_ISSUER="https://login.example.com/",
        AUTH_AUDIENCE="portal",
        AUTH_JWKS_URL="https://login.example.com/keys",
        GATEWAY_DOCUMENT_KEY="a-document-key-of-at-least-32-characters",
        GATEWAY_PORT=str(port),
        GATEWAY_PERSISTED_QUERIES="safelist",
        GATEWAY_SAFELIST_FILE=str(listed),
    )
    process = _start(["-m", "gateway", "serve"], env)
    try:
        printed = _read_until(process, "GraphQL at")
        url = f"http://127.0.0.1:{port}"
        ready = httpx.get(f"{url}/readyz", timeout=10)
        claimed_https = httpx.post(
            f"{url}/graphql",
            json={"documentId": "sha256:00"},
            headers={"x-forwarded-proto": "https"},
            timeout=10,
        )
    finally:
        _stop(process)
    assert printed[-1].strip() == f"bc-gateway: GraphQL at {url}/graphql"
    assert ready.status_code == 200, ready.text
    assert ready.json()["capabilities"]["api/v2.0"]["present"] is True
    # HTTPS is required in production, and the loopback peer's X-Forwarded-Proto is not believed.
    assert claimed_https.status_code == 403
    assert claimed_https.json()["errors"][0]["extensions"]["code"] == "HTTPS_REQUIRED"


def test_a_process_manager_starts_the_app_factory_from_the_environment() -> None:
    port = _free_port()
    env = _environ(SANDBOX_SCALE=SCALE)
    args = [
        "-m",
        "uvicorn",
        "--factory",
        "gateway.app:app_from_environ",
        "--port",
        str(port),
        "--no-proxy-headers",
    ]
    process = _start(args, env)
    try:
        _read_until(process, "Uvicorn running on")
        url = f"http://127.0.0.1:{port}"
        minted = _cli("token", "--customer", "10000", "--gateway", url)
        assert minted.returncode == 0, minted.stderr
        response = httpx.post(
            f"{url}/graphql",
            json={"query": "{ me { number } }"},
            headers=json.loads(minted.stdout),
            timeout=30,
        )
    finally:
        _stop(process)
    assert response.json() == {"data": {"me": {"number": "10000"}}}


def test_the_app_factory_reports_a_configuration_problem_in_one_line() -> None:
    env = _environ(GATEWAY_COST_BUDGET="lots")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            "gateway.app:app_from_environ",
            "--port",
            str(_free_port()),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=ROOT,
        env=env,
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "bc-gateway: configuration error: GATEWAY_COST_BUDGET must be a whole number" in result.stderr
