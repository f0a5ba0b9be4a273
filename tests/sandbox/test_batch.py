"""JSON $batch: operations through the ordinary handlers, limits, and snapshot atomicity."""

from __future__ import annotations

from typing import Any

import anyio
import anyio.lowlevel
import httpx
import pytest
from starlette.applications import Starlette

from gateway.sandbox.app import sandbox_of
from tests.sandbox.conftest import API, COMPANY, guid

pytestmark = pytest.mark.anyio

BATCH = f"{API}/$batch"
CUSTOMER_1 = f"companies({COMPANY})/customers({guid(1, 'c')})"


def _op(n: int, method: str, url: str, body: Any = None, **headers: str) -> dict[str, Any]:
    op: dict[str, Any] = {"id": str(n), "method": method, "url": url, "headers": headers}
    if body is not None:
        op["body"] = body
    return op


async def _customer_name(bc: httpx.AsyncClient) -> str:
    name: str = (await bc.get(f"{API}/{CUSTOMER_1}")).json()["displayName"]
    return name


async def test_batch_answers_each_operation_with_its_own_status_and_body(bc: httpx.AsyncClient) -> None:
    requests = [
        _op(1, "GET", f"companies({COMPANY})/customers?$select=number&$top=2"),
        _op(2, "PATCH", CUSTOMER_1, {"displayName": "Batched"}, **{"If-Match": "*"}),
        _op(3, "GET", f"companies({COMPANY})/notAnEntitySet"),
    ]
    response = await bc.post(BATCH, json={"requests": requests})
    assert response.status_code == 200, response.text
    first, second, third = response.json()["responses"]
    assert (first["id"], first["status"]) == ("1", 200)
    assert [c["number"] for c in first["body"]["value"]] == ["10000", "20000"]
    assert second["status"] == 200
    assert second["body"]["displayName"] == "Batched"
    assert third["status"] == 404
    assert third["body"]["error"]["code"] == "BadRequest_ResourceNotFound"
    assert "CorrelationId" in third["body"]["error"]["message"]


async def test_each_operation_is_logged_as_its_own_request(
    bc: httpx.AsyncClient, engine_app: Starlette
) -> None:
    log = sandbox_of(engine_app).log
    log.clear()
    requests = [_op(n, "GET", f"companies({COMPANY})/customers") for n in range(3)]
    await bc.post(BATCH, json={"requests": requests})
    assert log.count(entity_set="customers") == 3
    assert log.count(entity_set="$batch") == 1
    assert log.count() == 4


async def test_more_than_100_operations_are_refused(bc: httpx.AsyncClient, engine_app: Starlette) -> None:
    log = sandbox_of(engine_app).log
    log.clear()
    requests = [_op(n, "GET", f"companies({COMPANY})/customers") for n in range(101)]
    response = await bc.post(BATCH, json={"requests": requests})
    assert response.status_code == 400
    assert "exceeds the maximum of 100 operations" in response.json()["error"]["message"]
    assert log.count() == 1  # none of the operations ran
    ok = await bc.post(BATCH, json={"requests": requests[:100]})
    assert len(ok.json()["responses"]) == 100


async def test_without_isolation_each_operation_stands_alone(bc: httpx.AsyncClient) -> None:
    requests = [
        _op(1, "PATCH", CUSTOMER_1, {"displayName": "Kept"}, **{"If-Match": "*"}),
        _op(2, "PATCH", CUSTOMER_1, {"balanceDue": 1}, **{"If-Match": "*"}),
    ]
    statuses = [r["status"] for r in (await bc.post(BATCH, json={"requests": requests})).json()["responses"]]
    assert statuses == [200, 400]
    assert await _customer_name(bc) == "Kept"


async def test_snapshot_isolation_undoes_every_change_when_one_operation_fails(bc: httpx.AsyncClient) -> None:
    before = await _customer_name(bc)
    orders_before = (await bc.get(f"{API}/companies({COMPANY})/salesOrders")).json()["value"]
    requests = [
        _op(1, "PATCH", CUSTOMER_1, {"displayName": "Undone"}, **{"If-Match": "*"}),
        _op(2, "POST", f"companies({COMPANY})/customers", {"number": "77777", "displayName": "Gone"}),
        _op(3, "DELETE", f"companies({COMPANY})/salesOrders({guid(2, 'd')})", **{"If-Match": "*"}),
        _op(4, "PATCH", CUSTOMER_1, {"displayName": "X"}, **{"If-Match": 'W/"JzIwOzE7MDA7Jw=="'}),
    ]
    response = await bc.post(BATCH, json={"requests": requests}, headers={"Isolation": "snapshot"})
    statuses = [r["status"] for r in response.json()["responses"]]
    assert statuses == [200, 201, 204, 409]
    assert await _customer_name(bc) == before
    customers = (await bc.get(f"{API}/companies({COMPANY})/customers")).json()["value"]
    assert "77777" not in {c["number"] for c in customers}
    assert (await bc.get(f"{API}/companies({COMPANY})/salesOrders")).json()["value"] == orders_before
    lines = await bc.get(
        f"{API}/companies({COMPANY})/salesOrderLines", params={"$filter": f"documentId eq {guid(2, 'd')}"}
    )
    assert len(lines.json()["value"]) == 1


async def test_snapshot_isolation_keeps_changes_when_every_operation_succeeds(bc: httpx.AsyncClient) -> None:
    requests = [_op(1, "PATCH", CUSTOMER_1, {"displayName": "Committed"}, **{"If-Match": "*"})]
    await bc.post(BATCH, json={"requests": requests}, headers={"Isolation": "snapshot"})
    assert await _customer_name(bc) == "Committed"


async def test_a_batch_needs_a_json_requests_list(bc: httpx.AsyncClient) -> None:
    response = await bc.post(BATCH, content=b"--boundary", headers={"Content-Type": "multipart/mixed"})
    assert response.status_code == 400
    assert response.json()["error"]["message"].startswith("Invalid Request Body")


async def test_a_write_during_a_snapshot_batch_is_not_undone_by_its_rollback(bc: httpx.AsyncClient) -> None:
    requests = [
        _op(1, "PATCH", CUSTOMER_1, {"displayName": "Batch"}, **{"If-Match": "*"}),
        *[_op(n, "GET", f"companies({COMPANY})/customers") for n in range(2, 40)],
        _op(40, "PATCH", CUSTOMER_1, {"balanceDue": 1}, **{"If-Match": "*"}),
    ]

    async def single() -> None:
        await anyio.lowlevel.checkpoint()
        response = await bc.patch(
            f"{API}/{CUSTOMER_1}", json={"displayName": "Single"}, headers={"If-Match": "*"}
        )
        assert response.status_code == 200

    async with anyio.create_task_group() as group:
        group.start_soon(
            lambda: bc.post(BATCH, json={"requests": requests}, headers={"Isolation": "snapshot"})
        )
        group.start_soon(single)
    assert await _customer_name(bc) == "Single"


async def test_a_metadata_read_in_a_batch_answers_the_document_as_text(bc: httpx.AsyncClient) -> None:
    response = await bc.post(BATCH, json={"requests": [_op(1, "GET", "$metadata")]})
    [answer] = response.json()["responses"]
    assert answer["status"] == 200
    assert answer["body"].startswith("<?xml")
