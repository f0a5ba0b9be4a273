"""`bc-gateway serve` as an operator runs it: terminating TLS itself (1.2 or later only), and on
SIGTERM turning readiness false first, finishing the requests in flight, then exiting.

Each test runs a production gateway in its own process against the standalone sandbox on
loopback, with a certificate and an identity provider's keys made here."""

from __future__ import annotations

import concurrent.futures
import contextlib
import signal
import socket
import ssl
import subprocess
import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests import processes
from tests.auth.tokens import AUDIENCE, ISSUER, SigningKey, claims, jwks, rsa_key, token
from tests.certificates import Certificate, self_signed

pytestmark = pytest.mark.slow

ME = {"query": "{ me { number } }"}


@pytest.fixture(scope="module")
def sandbox() -> Iterator[dict[str, str]]:
    with processes.standalone_sandbox() as values:
        yield values


@pytest.fixture(scope="module")
def key() -> SigningKey:
    return rsa_key()


@pytest.fixture(scope="module")
def jwks_url(key: SigningKey) -> Iterator[str]:
    with processes.json_server(jwks(key)) as url:
        yield url


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> Certificate:
    return self_signed(tmp_path_factory.mktemp("tls"))


@pytest.fixture(scope="module")
def bearer(sandbox: dict[str, str], key: SigningKey) -> dict[str, str]:
    signed = token(key, claims(bc_company=processes.sandbox_company(sandbox), bc_customer="10000"))
    return {"Authorization": f"Bearer {signed}"}


@dataclass(frozen=True)
class Served:
    url: str
    process: subprocess.Popen[str]
    env: dict[str, str]


@contextlib.contextmanager
def production_gateway(
    sandbox: dict[str, str], jwks_url: str, certificate: Certificate, **variables: str
) -> Iterator[Served]:
    """`bc-gateway serve` in production mode over TLS: its https URL, process and environment."""
    port = processes.free_port()
    env = processes.environ(
        **{name: value for name, value in sandbox.items() if name.startswith("BC_")},
        AUTH_ISSUER=ISSUER,
        AUTH_AUDIENCE=AUDIENCE,
        AUTH_JWKS_URL=jwks_url,
        GATEWAY_DOCUMENT_KEY="a-document-key-of-at-least-32-characters",
        GATEWAY_PORT=str(port),
        GATEWAY_TLS_CERT_FILE=str(certificate.cert_file),
        GATEWAY_TLS_KEY_FILE=str(certificate.key_file),
        **variables,
    )
    process = processes.start(["-m", "gateway", "serve"], env)
    try:
        printed = processes.read_until(process, "GraphQL at")
        url = f"https://127.0.0.1:{port}"
        assert printed[-1].strip() == f"bc-gateway: GraphQL at {url}/graphql"
        yield Served(url, process, env)
    finally:
        processes.stop(process)


@contextlib.contextmanager
def bc_latency(sandbox: dict[str, str], milliseconds: int) -> Iterator[None]:
    """Every BC request the sandbox answers from now on takes ``milliseconds``."""
    faults = f"{sandbox['origin']}/_sandbox/faults"
    httpx.put(faults, json=[{"kind": "latency", "latency_ms": milliseconds}], timeout=10).raise_for_status()
    try:
        yield
    finally:
        httpx.delete(faults, timeout=10).raise_for_status()


def wait_for_bc_request_in_flight(sandbox: dict[str, str]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if httpx.get(f"{sandbox['origin']}/_sandbox/stats", timeout=10).json()["in_flight"] > 0:
            return
        time.sleep(0.02)
    raise AssertionError("no BC request ever reached the sandbox")


def test_https_is_served_and_the_operation_answers(
    sandbox: dict[str, str], jwks_url: str, certificate: Certificate, bearer: dict[str, str]
) -> None:
    verify = ssl.create_default_context(cafile=certificate.cert_file)
    with (
        production_gateway(sandbox, jwks_url, certificate) as served,
        httpx.Client(verify=verify) as client,
    ):
        answer = client.post(f"{served.url}/graphql", json=ME, headers=bearer, timeout=30)
        # The image's HEALTHCHECK, with the same environment: over https, on this machine.
        assert processes.cli("healthcheck", env=served.env).returncode == 0
        assert processes.cli("healthcheck", "--ready", env=served.env).returncode == 0
    assert processes.cli("healthcheck", env=served.env).returncode == 1
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"data": {"me": {"number": "10000"}}}
    # HTTPS seen by the edge: HSTS on the answer, and no HTTPS_REQUIRED.
    assert answer.headers["strict-transport-security"].startswith("max-age=")


def _tls_client(version: ssl.TLSVersion, certificate: Certificate) -> ssl.SSLContext:
    """A client that offers ``version`` only — willing, even where this machine's OpenSSL is not."""
    context = ssl.create_default_context(cafile=certificate.cert_file)
    context.set_ciphers("DEFAULT:@SECLEVEL=0")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # TLSv1_1 is deprecated: the point
        context.minimum_version = context.maximum_version = version
    return context


def _handshake(url: str, context: ssl.SSLContext) -> str | None:
    host, port = url.removeprefix("https://").split(":")
    with (
        socket.create_connection((host, int(port)), timeout=10) as raw,
        context.wrap_socket(raw, server_hostname="localhost") as tls,
    ):
        return tls.version()


def test_tls_1_2_is_accepted_and_tls_1_1_refused(
    sandbox: dict[str, str], jwks_url: str, certificate: Certificate
) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        old = ssl.TLSVersion.TLSv1_1
    with production_gateway(sandbox, jwks_url, certificate) as served:
        url, process = served.url, served.process
        assert _handshake(url, _tls_client(ssl.TLSVersion.TLSv1_2, certificate)) == "TLSv1.2"
        with pytest.raises(ssl.SSLError):
            _handshake(url, _tls_client(old, certificate))
        # Plain HTTP on the TLS port is never served.
        host, port = url.removeprefix("https://").split(":")
        with socket.create_connection((host, int(port)), timeout=10) as plain:
            plain.sendall(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n")
            answer = plain.recv(1024)
        printed = processes.printed_so_far(process)
    assert not answer.startswith(b"HTTP/1.1 200")
    assert "Traceback" not in printed


@pytest.mark.parametrize("variable", ["GATEWAY_TLS_CERT_FILE", "GATEWAY_TLS_KEY_FILE"])
def test_a_certificate_or_key_that_cannot_be_read_is_one_line_naming_it(
    certificate: Certificate, tmp_path: Path, variable: str
) -> None:
    files = {
        "GATEWAY_TLS_CERT_FILE": str(certificate.cert_file),
        "GATEWAY_TLS_KEY_FILE": str(certificate.key_file),
    }
    files[variable] = str(tmp_path / "missing.pem")
    result = processes.cli("serve", env=processes.environ(GATEWAY_PORT=str(processes.free_port()), **files))
    assert "cannot be read" in processes.refuses_in_one_line(result, variable)


def test_sigterm_turns_readiness_false_at_once_and_delivers_the_slow_answer_before_exiting(
    sandbox: dict[str, str], jwks_url: str, certificate: Certificate, bearer: dict[str, str]
) -> None:
    verify = ssl.create_default_context(cafile=certificate.cert_file)
    drain = {"GATEWAY_SHUTDOWN_DRAIN_SECONDS": "3", "GATEWAY_SHUTDOWN_GRACE_SECONDS": "60"}
    with (
        production_gateway(sandbox, jwks_url, certificate, **drain) as served,
        httpx.Client(verify=verify, timeout=60) as client,
        concurrent.futures.ThreadPoolExecutor(1) as pool,
    ):
        assert client.get(f"{served.url}/readyz").status_code == 200
        with bc_latency(sandbox, 6000):
            slow = pool.submit(client.post, f"{served.url}/graphql", json=ME, headers=bearer)
            wait_for_bc_request_in_flight(sandbox)
            served.process.send_signal(signal.SIGTERM)
            ready = client.get(f"{served.url}/readyz")
            answer = slow.result(timeout=60)
        exit_status = served.process.wait(timeout=60)
        printed = processes.printed_so_far(served.process)
    assert (ready.status_code, ready.json()) == (503, {"status": "draining"})
    assert ready.headers["connection"] == "close"
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"data": {"me": {"number": "10000"}}}
    assert exit_status == -signal.SIGTERM  # uvicorn re-raises the signal once it has stopped
    assert "Traceback" not in printed


def test_a_request_still_running_when_the_grace_period_ends_is_cut_off_and_the_process_exits(
    sandbox: dict[str, str], jwks_url: str, certificate: Certificate, bearer: dict[str, str]
) -> None:
    verify = ssl.create_default_context(cafile=certificate.cert_file)
    now = {"GATEWAY_SHUTDOWN_DRAIN_SECONDS": "0", "GATEWAY_SHUTDOWN_GRACE_SECONDS": "1"}
    with (
        production_gateway(sandbox, jwks_url, certificate, **now) as served,
        httpx.Client(verify=verify, timeout=60) as client,
        concurrent.futures.ThreadPoolExecutor(1) as pool,
        bc_latency(sandbox, 20_000),
    ):
        slow = pool.submit(client.post, f"{served.url}/graphql", json=ME, headers=bearer)
        wait_for_bc_request_in_flight(sandbox)
        served.process.send_signal(signal.SIGTERM)
        exit_status = served.process.wait(timeout=15)
        answer = slow.result(timeout=15)
        printed = processes.printed_so_far(served.process)
    assert answer.status_code == 503
    assert answer.json()["errors"][0]["extensions"]["code"] == "SHUTTING_DOWN"
    assert exit_status == -signal.SIGTERM
    assert "Traceback" not in printed
