"""Issue 10's acceptance for the audit trail, the logs and the metrics, on real processes.

A production ``bc-gateway serve`` (JSON logs by default) runs against the standalone sandbox
(``bc-gateway sandbox``), with a development gateway as its identity provider; a test drives a
dashboard (BC ``$batch``), the catalogue, an order and its replay, a download and a refused
request, then reads what the gateway printed: one JSON audit record per BC request — as many as
the sandbox's request log counts — one access line per request, nothing secret in any line, the
audit file holding the same records, and ``/metrics`` having moved with the traffic.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.edge.test_serve_process import SCALE, _cli, _environ, _free_port, _read_until, _start, _stop
from tests.leak_watch import PATTERNS

pytestmark = pytest.mark.slow

METRICS_TOKEN = "metrics-token-for-the-test-0123"
DOCUMENT_KEY = "a-document-key-for-the-acceptance-test-0123456789"
DASHBOARD = """query Dashboard {
  me { number name balance { amount } }
  orders(first: 3) { nodes { number status lines { number quantity } } }
  invoices(first: 3) { nodes { number pdfUrl } }
}"""
CATALOGUE = "query Catalogue { items(first: 3) { nodes { number name } } }"
PLACE = """mutation Place($input: PlaceOrderInput!) {
  placeOrder(input: $input) { __typename ... on PlacedOrder { order { number } } ... on WriteError { code } }
}"""
IDEMPOTENCY_KEY = "acceptance-order-key-51f0"


class Drained:
    """A pipe's lines, read as they come in a thread (a full pipe would stall the process)."""

    def __init__(self, pipe: Any) -> None:
        self.pipe = pipe
        self.lines: list[str] = []
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        for line in self.pipe:
            self.lines.append(line)

    def close(self) -> list[str]:
        """The lines, once the process has ended (its end closes the pipe)."""
        self._thread.join(timeout=10)
        self.pipe.close()
        return self.lines


@pytest.fixture(scope="module", autouse=True)
def quiet_http_client() -> Iterator[None]:
    """This test's own httpx logs each URL it asks for (a download link among them) at INFO."""
    logger = logging.getLogger("httpx")
    level = logger.level
    logger.setLevel(logging.WARNING)
    yield
    logger.setLevel(level)


@dataclass
class Run:
    stdout: list[str]
    stderr: list[str]
    audit_file: list[str]
    sandbox_stats: dict[str, Any]
    secrets: list[str]
    request_ids: dict[str, str]  # what each request was, by the X-Request-Id it sent
    answers: dict[str, httpx.Response]
    metrics_before: str
    metrics_after: str
    metrics_refused: httpx.Response


def _wait_until_up(url: str, process: subprocess.Popen[str], timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, "the gateway stopped"
        try:
            if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"{url} never answered")


@pytest.fixture(scope="module")
def standalone_sandbox() -> Iterator[tuple[str, dict[str, str]]]:
    port = _free_port()
    process = _start(["-m", "gateway", "sandbox", "--port", str(port), "--scale", SCALE], _environ())
    try:
        printed = _read_until(process, "BC_CLIENT_SECRET")
        values = dict(line.split(None, 1) for line in printed if line.strip().startswith("BC_"))
        yield f"http://127.0.0.1:{port}", {name: value.strip() for name, value in values.items()}
    finally:
        _stop(process)


@pytest.fixture(scope="module")
def identity_provider() -> Iterator[str]:
    """A development gateway on the same demo world, used only for its identity provider."""
    port = _free_port()
    process = _start(["-m", "gateway", "serve", "--port", str(port)], _environ(SANDBOX_SCALE=SCALE))
    try:
        _read_until(process, "The demo customers:")
        yield f"http://127.0.0.1:{port}"
    finally:
        _stop(process)


@pytest.fixture(scope="module")
def run(
    standalone_sandbox: tuple[str, dict[str, str]],
    identity_provider: str,
    tmp_path_factory: pytest.TempPathFactory,
) -> Run:
    sandbox_url, bc = standalone_sandbox
    audit_file = tmp_path_factory.mktemp("audit") / "audit.log"
    port = _free_port()
    env = _environ(
        **bc,
        AUTH_ISSUER=f"{identity_provider}/dev-idp",
        AUTH_AUDIENCE="bc-gateway-dev",
        AUTH_JWKS_URL=f"{identity_provider}/dev-idp/.well-known/jwks.json",
        GATEWAY_PORT=str(port),
        GATEWAY_TRUSTED_PROXIES="127.0.0.1",
        GATEWAY_AUDIT_FILE=str(audit_file),
        GATEWAY_METRICS_TOKEN=METRICS_TOKEN,
        GATEWAY_DOCUMENT_KEY=DOCUMENT_KEY,
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "gateway", "serve"],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    stdout, stderr = Drained(process.stdout), Drained(process.stderr)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(url, process)
        header = json.loads(_cli("token", "--customer", "10000", "--gateway", identity_provider).stdout)
        token = header["Authorization"].removeprefix("Bearer ")
        answers: dict[str, httpx.Response] = {}
        with httpx.Client(base_url=url, timeout=30, headers={"x-forwarded-proto": "https"}) as client:
            metrics = {"authorization": f"Bearer {METRICS_TOKEN}"}
            metrics_refused = client.get("/metrics")
            metrics_before = client.get("/metrics", headers=metrics).text

            def ask(request_id: str, body: dict[str, Any], **headers: str) -> httpx.Response:
                sent = {**header, "x-request-id": request_id, **headers}
                answers[request_id] = client.post("/graphql", json=body, headers=sent)
                return answers[request_id]

            dashboard = ask("dashboard-1", {"query": DASHBOARD}).json()
            ask("catalogue-1", {"query": CATALOGUE})
            item = answers["catalogue-1"].json()["data"]["items"]["nodes"][0]["number"]
            order = {"input": {"lines": [{"itemNumber": item, "quantity": "1"}]}}
            ask("order-1", {"query": PLACE, "variables": order}, **{"idempotency-key": IDEMPOTENCY_KEY})
            ask("order-2", {"query": PLACE, "variables": order}, **{"idempotency-key": IDEMPOTENCY_KEY})
            links = [node["pdfUrl"] for node in dashboard["data"]["invoices"]["nodes"] if node["pdfUrl"]]
            # The link names the public (https) URL; this test reaches the same path over loopback.
            download = httpx.URL(links[0]).path
            answers["download-1"] = client.get(download, headers={**header, "x-request-id": "download-1"})
            answers["refused-1"] = client.post(
                "/graphql",
                json={"query": CATALOGUE},
                headers={"authorization": f"Bearer {token[:-6]}AAAAAA", "x-request-id": "refused-1"},
            )
            metrics_after = client.get("/metrics", headers=metrics).text
    finally:
        process.terminate()
        process.wait(timeout=30)
        printed, errors = stdout.close(), stderr.close()
    stats = httpx.get(f"{sandbox_url}/_sandbox/stats", timeout=10).json()
    return Run(
        stdout=printed,
        stderr=errors,
        audit_file=audit_file.read_text(encoding="utf-8").splitlines(),
        sandbox_stats=stats,
        secrets=[
            token,
            bc["BC_CLIENT_SECRET"],
            IDEMPOTENCY_KEY,
            METRICS_TOKEN,
            DOCUMENT_KEY,
            links[0].rsplit("/", 1)[1],
        ],
        request_ids={
            "dashboard-1": "Dashboard",
            "catalogue-1": "Catalogue",
            "order-1": "Place",
            "order-2": "Place",
            "download-1": "",
            "refused-1": "",
        },
        answers=answers,
        metrics_before=metrics_before,
        metrics_after=metrics_after,
        metrics_refused=metrics_refused,
    )


def records(lines: list[str]) -> list[dict[str, Any]]:
    return [json.loads(line) for line in lines]


def of(run: Run, logger: str) -> list[dict[str, Any]]:
    return [record for record in records(run.stdout) if record["logger"] == logger]


def test_standard_output_is_nothing_but_json_lines(run: Run) -> None:
    assert run.stdout
    parsed = records(run.stdout)  # raises on a line that is not JSON
    assert {"time", "level", "logger", "message"} <= set(parsed[0])
    assert any("GraphQL at" in line for line in run.stderr)  # the banner: stderr, for a person
    assert not [record for record in parsed if record["logger"] == "uvicorn.access"]  # ours instead


def test_every_answer_went_as_the_test_expects(run: Run) -> None:
    for request_id in ("dashboard-1", "catalogue-1", "order-1", "order-2"):
        body = run.answers[request_id].json()
        assert "errors" not in body, (request_id, body)
    assert run.answers["order-1"].json()["data"]["placeOrder"]["__typename"] == "PlacedOrder"
    assert run.answers["order-2"].json() == run.answers["order-1"].json()
    assert run.answers["download-1"].status_code == 200
    assert run.answers["refused-1"].status_code == 401


def test_one_audit_record_per_bc_request_as_the_sandbox_counts_them(run: Run) -> None:
    calls = [record["bc_call"] for record in of(run, "gateway.audit.bc")]
    stats = run.sandbox_stats

    assert len(calls) == stats["http_requests"]
    # A $batch is one request that names its reads; the sandbox logs each read too.
    assert sum(len(call.get("batch", [])) for call in calls) == stats["requests"] - stats["http_requests"]
    assert any(call["entity_set"] == "$batch" and call["request_id"] == "dashboard-1" for call in calls)
    [order_post] = [c for c in calls if (c["method"], c["entity_set"]) == ("POST", "salesOrders")]
    assert (order_post["request_id"], order_post["operation"], order_post["status"]) == (
        "order-1",
        "Place",
        201,
    )
    fields = {"request_id", "customer", "company", "operation", "method", "route", "entity_set", "status"}
    for call in calls:
        assert fields | {"duration_ms", "correlation_id", "attempt"} <= set(call)
        assert call["attempt"] >= 1


def test_one_write_record_per_write_attempt_with_the_keys_hash(run: Run) -> None:
    writes = [record["write"] for record in of(run, "gateway.audit.write")]

    assert [(w["request_id"], w["mutation"], w["outcome"]) for w in writes] == [
        ("order-1", "placeOrder", "created"),
        ("order-2", "placeOrder", "replayed"),
    ]
    number = run.answers["order-1"].json()["data"]["placeOrder"]["order"]["number"]
    assert {w["document_number"] for w in writes} == {number}
    assert {w["idempotency_key_sha256"] for w in writes} == {
        hashlib.sha256(IDEMPOTENCY_KEY.encode()).hexdigest()
    }


def test_one_access_line_per_request_with_who_what_cost_and_bc_calls(run: Run) -> None:
    lines = [record["access"] for record in of(run, "gateway.access")]
    calls = [record["bc_call"] for record in of(run, "gateway.audit.bc")]

    for request_id, operation in run.request_ids.items():
        [line] = [line for line in lines if line["request_id"] == request_id]
        assert line["status"] == run.answers[request_id].status_code
        assert line["bc_calls"] == sum(1 for call in calls if call["request_id"] == request_id)
        if operation:
            assert (line["operation"], line["customer"], line["outcome"]) == (operation, "10000", "ok")
            assert line["cost"] >= 1
    refused = next(line for line in lines if line["request_id"] == "refused-1")
    assert (refused["outcome"], refused["error_codes"], refused["bc_calls"]) == (
        "refused",
        ["UNAUTHENTICATED"],
        0,
    )
    download = next(line for line in lines if line["request_id"] == "download-1")
    assert (download["path"], download["customer"]) == ("/documents/{token}", "10000")
    assert not [line for line in lines if line["path"] == "/metrics"]  # scrapes: DEBUG only


def test_nothing_secret_appears_in_any_line(run: Run) -> None:
    printed = "".join(run.stdout + run.audit_file)
    for secret in run.secrets:
        assert secret not in printed
    for name, pattern in PATTERNS.items():
        assert not pattern.search(printed), name
    assert not re.search(r"/documents/[A-Za-z0-9_-]{16,}\.", printed)


def test_the_audit_file_holds_the_same_audit_trail_as_json(run: Run) -> None:
    on_stdout = [r for r in records(run.stdout) if r["logger"].startswith("gateway.audit.")]

    assert records(run.audit_file) == on_stdout


def test_the_metrics_need_their_token_and_moved_with_the_traffic(run: Run) -> None:
    def samples(text: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
        return {
            (s.name, frozenset(s.labels.items())): s.value
            for family in text_string_to_metric_families(text)
            for s in family.samples
        }

    before, after = samples(run.metrics_before), samples(run.metrics_after)

    def moved(name: str, **labels: str) -> float:
        key = (name, frozenset(labels.items()))
        return after.get(key, 0.0) - before.get(key, 0.0)

    assert run.metrics_refused.status_code == 401
    assert moved("bc_gateway_operations_total", operation="Dashboard", type="query", outcome="ok") == 1
    assert moved("bc_gateway_operations_total", operation="Place", type="mutation", outcome="ok") == 2
    assert moved("bc_gateway_writes_total", mutation="placeOrder", outcome="created") == 1
    assert moved("bc_gateway_idempotent_replays_total", mutation="placeOrder") == 1
    assert moved("bc_gateway_requests_refused_total", code="UNAUTHENTICATED") == 1
    assert moved("bc_gateway_bc_requests_total", entity_set="salesOrders", method="POST", status="201") == 1
    assert moved("bc_gateway_bc_requests_total", entity_set="$batch", method="POST", status="200") >= 1
    assert after[("bc_gateway_bc_breaker_state", frozenset({("state", "closed")}))] == 1


def test_the_app_factory_configures_the_same_logging() -> None:
    """uvicorn started by a process manager: its own lines in the gateway's JSON, its access log
    replaced by the gateway's one line per request."""
    port = _free_port()
    args = ["-m", "uvicorn", "--factory", "gateway.app:app_from_environ", "--port", str(port)]
    process = _start([*args, "--no-proxy-headers"], _environ(SANDBOX_SCALE=SCALE, GATEWAY_LOG_FORMAT="json"))
    try:
        started = _read_until(process, "Uvicorn running on")
        answer = httpx.post(
            f"http://127.0.0.1:{port}/graphql",
            json={"query": "{ me { number } }"},
            headers={"x-request-id": "factory-1"},
            timeout=30,
        )
        printed = _read_until(process, '"request_id":"factory-1"')
    finally:
        _stop(process)

    assert answer.status_code == 401
    running = json.loads(started[-1])
    assert (running["logger"], running["level"]) == ("uvicorn.error", "INFO")
    lines = records([line for line in printed if line.startswith("{")])
    [access] = [
        line["access"]
        for line in lines
        if line["logger"] == "gateway.access" and line["access"]["request_id"] == "factory-1"
    ]
    assert (access["request_id"], access["status"], access["outcome"]) == ("factory-1", 401, "refused")
    assert not [line for line in lines if line["logger"] == "uvicorn.access"]
