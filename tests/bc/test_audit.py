"""One audit record per BC call: who, what, outcome; never a secret, token or host."""

from __future__ import annotations

import logging
from typing import Any

import httpx
import pytest
import respx

from gateway.bc import BCClient, BCNotFound, CustomerScope, Query, scoped
from tests.bc.conftest import COMPANY_ID, COMPANY_PATH, SECRET, TOKEN

AUDIT = "gateway.audit.bc"


def audit_records(caplog: pytest.LogCaptureFixture) -> list[dict[str, Any]]:
    return [record.bc_call for record in caplog.records if record.name == AUDIT and record.msg == "bc_call"]


@pytest.mark.anyio
async def test_each_call_is_audited_with_its_context(
    client: BCClient, router: respx.MockRouter, scope: CustomerScope, caplog: pytest.LogCaptureFixture
) -> None:
    router.get(f"{COMPANY_PATH}/salesOrders").respond(
        json={"value": [{"customerNumber": "10000"}, {"customerNumber": "10000"}]},
        headers={"request-id": "corr-1"},
    )
    with caplog.at_level(logging.INFO, logger=AUDIT):
        await client.session(scope, operation="MyOrders").fetch(scoped(Query("salesOrders"), scope))
    [record] = audit_records(caplog)
    assert record["customer"] == "10000"
    assert record["company"] == str(COMPANY_ID)
    assert record["operation"] == "MyOrders"
    assert record["method"] == "GET"
    assert record["route"] == "api/v2.0"
    assert record["entity_set"] == "salesOrders"
    assert record["status"] == 200
    assert record["rows"] == 2
    assert record["correlation_id"] == "corr-1"
    assert record["duration_ms"] >= 0
    assert record["principal"] == client.principals.all[0].name  # which app registration asked


@pytest.mark.anyio
async def test_failed_call_is_audited_with_bc_status_and_correlation(
    client: BCClient, router: respx.MockRouter, scope: CustomerScope, caplog: pytest.LogCaptureFixture
) -> None:
    router.get(f"{COMPANY_PATH}/items").respond(
        404, json={"error": {"code": "BadRequest_NotFound", "message": "nope  CorrelationId:  c-404."}}
    )
    with caplog.at_level(logging.INFO, logger=AUDIT), pytest.raises(BCNotFound):
        await client.session(scope).fetch(Query("items"))
    [record] = audit_records(caplog)
    assert record["status"] == 404
    assert record["correlation_id"] == "c-404"
    assert record["rows"] is None


@pytest.mark.anyio
async def test_audit_records_hold_no_secret_token_or_host(
    client: BCClient, router: respx.MockRouter, scope: CustomerScope, caplog: pytest.LogCaptureFixture
) -> None:
    router.get(f"{COMPANY_PATH}/items").respond(json={"value": []})
    with caplog.at_level(logging.DEBUG, logger=AUDIT):
        await client.session(scope).fetch(Query("items"))
    text = repr(audit_records(caplog))
    assert audit_records(caplog)
    for forbidden in (SECRET, TOKEN, "bc.test", "https://", "Bearer"):
        assert forbidden not in text


@pytest.mark.anyio
async def test_each_attempt_is_a_record_with_the_request_id_and_its_attempt_number(
    client: BCClient, router: respx.MockRouter, scope: CustomerScope, caplog: pytest.LogCaptureFixture
) -> None:
    router.get(f"{COMPANY_PATH}/items").mock(
        side_effect=[
            httpx.Response(503, headers={"retry-after": "1"}),
            httpx.Response(200, json={"value": []}),
        ]
    )
    with caplog.at_level(logging.INFO, logger=AUDIT):
        await client.session(scope, operation="Items", request_id="req-42").fetch(Query("items"))
    records = audit_records(caplog)
    assert [(r["status"], r["attempt"]) for r in records] == [(503, 1), (200, 2)]
    assert {(r["request_id"], r["operation"]) for r in records} == {("req-42", "Items")}


@pytest.mark.anyio
async def test_a_batch_record_names_the_entity_sets_it_read(
    client: BCClient, router: respx.MockRouter, scope: CustomerScope, caplog: pytest.LogCaptureFixture
) -> None:
    router.post("/bc/api/v2.0/$batch").respond(
        json={
            "responses": [
                {"id": "1", "status": 200, "body": {"value": []}},
                {"id": "2", "status": 200, "body": {"value": []}},
            ]
        }
    )
    with caplog.at_level(logging.INFO, logger=AUDIT):
        await client.session(scope).fetch_many([Query("items"), scoped(Query("salesOrders"), scope)])
    [record] = audit_records(caplog)
    assert (record["entity_set"], record["batch"]) == ("$batch", ["items", "salesOrders"])
