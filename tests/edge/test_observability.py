"""What an operator sees of each request: one access line, the request id everywhere (the
answer, every BC call's audit record, the write's), and the metrics moving with the traffic.

The same in real processes, with JSON on standard output: ``test_observability_process.py``.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from gateway.edge.development import Development, mint_for
from gateway.edge.ratelimit import RateLimit
from gateway.sandbox.store import SandboxStore
from tests.edge.conftest import GatewayFactory
from tests.edge.test_documents import invoice_owner
from tests.edge.writes_support import customer, gateway_client, items, place
from tests.helpers import data_of, graphql

pytestmark = pytest.mark.anyio

DASHBOARD = "query Dashboard { me { number } orders(first: 3) { nodes { number lines { number } } } }"
CATALOGUE = "query Catalogue { items(first: 5) { nodes { number } } }"


def http_requests(bc_log: Any) -> int:
    """What the gateway sent BC: a $batch is one request (the sandbox logs its operations too)."""
    return sum(1 for entry in bc_log.entries if not entry.in_batch)


def access_lines(caplog: pytest.LogCaptureFixture) -> list[dict[str, Any]]:
    return [r.access for r in caplog.records if r.name == "gateway.access"]  # type: ignore[attr-defined]


def bc_calls(caplog: pytest.LogCaptureFixture) -> list[dict[str, Any]]:
    return [r.bc_call for r in caplog.records if r.name == "gateway.audit.bc"]  # type: ignore[attr-defined]


Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def samples(text: str) -> Samples:
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(found: Samples, name: str, **labels: str) -> float:
    return found.get((name, frozenset(labels.items())), 0.0)


def total(found: Samples, name: str) -> float:
    return sum(number for (sample, _), number in found.items() if sample == name)


async def scrape(client: httpx.AsyncClient, **headers: str) -> Samples:
    response = await client.get("/metrics", headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return samples(response.text)


async def test_each_request_is_one_access_line_with_who_what_cost_and_bc_calls(
    client: httpx.AsyncClient,
    token_for: Callable[..., str],
    development: Development,
    bc_log: Any,
    caplog: pytest.LogCaptureFixture,
) -> None:
    number = development.customers[0].customer_number
    bc_log.clear()
    with caplog.at_level(logging.INFO, logger="gateway.access"):
        response = await graphql(
            client, DASHBOARD, token=token_for(number), headers={"x-request-id": "portal-7f3a"}
        )

    assert response.status_code == 200
    assert response.headers["x-request-id"] == "portal-7f3a"
    [line] = [line for line in access_lines(caplog) if line["request_id"] == "portal-7f3a"]
    assert (line["method"], line["path"], line["status"]) == ("POST", "/graphql", 200)
    assert (line["customer"], line["company"]) == (number, development.customers[0].company_id)
    assert (line["operation"], line["operation_type"], line["outcome"]) == ("Dashboard", "query", "ok")
    assert line["cost"] > 1
    assert line["bc_calls"] == http_requests(bc_log) > 0
    assert line["duration_ms"] >= line["bc_ms"] >= 0


async def test_a_request_without_a_usable_id_gets_one_that_its_bc_calls_carry(
    client: httpx.AsyncClient,
    token_for: Callable[..., str],
    development: Development,
    bc_log: Any,
    caplog: pytest.LogCaptureFixture,
) -> None:
    bc_log.clear()
    with caplog.at_level(logging.INFO, logger="gateway"):
        response = await graphql(client, DASHBOARD, token=token_for(development.customers[0].customer_number))

    request_id = response.headers["x-request-id"]
    assert re.fullmatch(r"[0-9a-f]{32}", request_id)
    calls = bc_calls(caplog)
    assert len(calls) == http_requests(bc_log)
    assert sum(len(call.get("batch", [])) for call in calls) == len(bc_log.entries) - len(calls)
    assert {(call["request_id"], call["operation"]) for call in calls} == {(request_id, "Dashboard")}


async def test_a_refused_request_is_one_line_with_its_code_and_no_bc_call(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture, bc_log: Any
) -> None:
    bc_log.clear()
    with caplog.at_level(logging.INFO, logger="gateway.access"):
        await graphql(client, DASHBOARD, token="not-a-token")

    line = access_lines(caplog)[-1]
    assert (line["status"], line["outcome"], line["error_codes"]) == (401, "refused", ["UNAUTHENTICATED"])
    assert (line["customer"], line["bc_calls"]) == (None, 0)
    assert bc_log.entries == []


async def test_a_download_links_token_never_reaches_the_access_line(
    client: httpx.AsyncClient,
    shared_store: SandboxStore,
    token_for: Callable[..., str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    company, number = invoice_owner(shared_store)
    token = token_for(number, company)
    data = await data_of(client, "{ invoices(first: 1) { nodes { pdfUrl } } }", token=token)
    link = data["invoices"]["nodes"][0]["pdfUrl"]
    with caplog.at_level(logging.DEBUG, logger="gateway"):
        response = await client.get(link, headers={"authorization": f"Bearer {token}"})

    assert response.status_code == 200
    line = access_lines(caplog)[-1]
    assert line["path"] == "/documents/{token}"
    assert (line["customer"], line["company"], line["bc_calls"]) == (number, company, 2)
    assert link.rsplit("/", 1)[1] not in caplog.text


async def test_the_metrics_move_with_the_traffic(
    client: httpx.AsyncClient, token_for: Callable[..., str], development: Development, bc_log: Any
) -> None:
    token = token_for(development.customers[0].customer_number)
    other = token_for(development.customers[1].customer_number)
    before = await scrape(client)
    bc_log.clear()
    await graphql(client, DASHBOARD, token=token)
    await graphql(client, CATALOGUE, token=token)
    await graphql(client, CATALOGUE, token=token)  # the same response again: kept whole
    await graphql(client, CATALOGUE, token=other)  # another customer: the shared answers are kept
    await graphql(client, "{ me { number", token=token)  # does not parse: refused
    sent_to_bc = http_requests(bc_log)
    after = await scrape(client)

    def moved(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert moved("bc_gateway_operations_total", operation="Dashboard", type="query", outcome="ok") == 1
    assert moved("bc_gateway_operations_total", operation="Catalogue", type="query", outcome="ok") == 3
    assert moved("bc_gateway_operation_duration_seconds_count", operation="Catalogue", type="query") == 3
    assert moved("bc_gateway_requests_refused_total", code="GRAPHQL_PARSE_FAILED") == 1
    assert total(after, "bc_gateway_bc_requests_total") - total(before, "bc_gateway_bc_requests_total") == (
        sent_to_bc
    )
    assert (
        total(after, "bc_gateway_bc_request_duration_seconds_count")
        - total(before, "bc_gateway_bc_request_duration_seconds_count")
        == sent_to_bc
    )
    assert moved("bc_gateway_cache_lookups_total", cache="answers.catalogue", result="miss") >= 1
    assert moved("bc_gateway_cache_lookups_total", cache="answers.catalogue", result="hit") >= 1
    assert moved("bc_gateway_cache_lookups_total", cache="responses", result="hit") == 1
    assert value(after, "bc_gateway_bc_breaker_state", state="closed") == 1
    assert value(after, "bc_gateway_bc_in_flight") == 0


async def test_rate_limit_refusals_are_counted(
    gateway: GatewayFactory, token_for: Callable[..., str], development: Development
) -> None:
    token = token_for(development.customers[0].customer_number)
    async with gateway(rate_limit=RateLimit(per_minute=1, burst=2)) as client:
        answers = [await graphql(client, "{ me { number } }", token=token) for _ in range(4)]
        found = await scrape(client)

    assert [a.status_code for a in answers].count(429) >= 1
    refused = [a for a in answers if a.status_code == 429]
    assert value(found, "bc_gateway_rate_limited_total", bucket="customer") == len(refused)
    assert value(found, "bc_gateway_requests_refused_total", code="RATE_LIMITED") == len(refused)


@pytest.mark.writes
async def test_a_write_is_audited_under_the_request_id_and_its_replay_is_counted(
    store: SandboxStore, development: Development, caplog: pytest.LogCaptureFixture
) -> None:
    company, number = customer(store)
    buyer = next(c for c in development.customers if (c.company_id, c.customer_number) == (company, number))
    token = mint_for(development, buyer)
    line = {"itemNumber": items(store, company)[0]["number"], "quantity": "1"}
    order = {"lines": [line], "idempotencyKey": "k-1"}
    async with gateway_client(development) as client:
        with caplog.at_level(logging.INFO, logger="gateway"):
            placed = await place(client, token, order, headers={"x-request-id": "write-1"})
            await place(client, token, order, headers={"x-request-id": "write-2"})
        found = await scrape(client)

    writes = [r.write for r in caplog.records if r.name == "gateway.audit.write"]  # type: ignore[attr-defined]
    assert [(w["request_id"], w["operation"], w["mutation"], w["outcome"]) for w in writes] == [
        ("write-1", "Place", "placeOrder", "created"),
        ("write-2", "Place", "placeOrder", "replayed"),
    ]
    assert writes[0]["document_number"] == placed["order"]["number"]
    for_customer = [call for call in bc_calls(caplog) if call["customer"] is not None]
    assert {call["request_id"] for call in for_customer} == {"write-1"}  # the replay asked BC nothing
    assert value(found, "bc_gateway_writes_total", mutation="placeOrder", outcome="created") == 1
    assert value(found, "bc_gateway_idempotent_replays_total", mutation="placeOrder") == 1
