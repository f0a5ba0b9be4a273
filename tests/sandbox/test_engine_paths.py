"""Resource paths, the response envelope, lines that need a parent, and BC's errors."""

from __future__ import annotations

import json

import httpx
import pytest

from gateway.sandbox.store import STANDARD_ROUTE, SandboxStore
from tests.sandbox.conftest import API, BASE_URL, CO, COMPANY, ENV_ROOT, guid

pytestmark = pytest.mark.anyio

LINES_NEED_PARENT = "You must specify an Id or a Document Id to get the lines."


async def test_companies_collection_has_bc_envelope(bc: httpx.AsyncClient) -> None:
    body = (await bc.get(f"{API}/companies")).json()
    assert body["@odata.context"] == f"{BASE_URL}{API}/$metadata#companies"
    assert [c["name"] for c in body["value"]] == ["CRONUS", "OTHER"]
    assert body["value"][0]["@odata.etag"].startswith('W/"')


async def test_one_company_by_key(bc: httpx.AsyncClient) -> None:
    body = (await bc.get(CO)).json()
    assert body["@odata.context"] == f"{BASE_URL}{API}/$metadata#companies/$entity"
    assert body["id"] == COMPANY


async def test_entity_set_of_a_company(bc: httpx.AsyncClient) -> None:
    body = (await bc.get(f"{CO}/customers")).json()
    assert body["@odata.context"] == f"{BASE_URL}{API}/$metadata#companies({COMPANY})/customers"
    assert len(body["value"]) == 5


async def test_companies_do_not_share_rows(bc: httpx.AsyncClient) -> None:
    other = (await bc.get(f"{API}/companies(22222222-2222-2222-2222-222222222222)/customers")).json()
    assert [c["number"] for c in other["value"]] == ["90000"]


async def test_one_entity_by_key(bc: httpx.AsyncClient) -> None:
    body = (await bc.get(f"{CO}/salesOrders({guid(2, 'd')})")).json()
    assert body["@odata.context"] == f"{BASE_URL}{API}/$metadata#companies({COMPANY})/salesOrders/$entity"
    assert body["number"] == "SO/1002"


async def test_keys_match_regardless_of_case(bc: httpx.AsyncClient) -> None:
    response = await bc.get(f"{CO}/salesOrders({guid(2, 'D')})")
    assert response.json()["number"] == "SO/1002"


async def test_contained_navigation_collection(bc: httpx.AsyncClient) -> None:
    order_id = guid(3, "d")
    body = (await bc.get(f"{CO}/salesOrders({order_id})/salesOrderLines")).json()
    assert body["@odata.context"].endswith(f"#companies({COMPANY})/salesOrders({order_id})/salesOrderLines")
    assert [line["sequence"] for line in body["value"]] == [10000, 20000, 30000]


async def test_contained_navigation_by_key(bc: httpx.AsyncClient) -> None:
    response = await bc.get(f"{CO}/salesOrders({guid(3, 'd')})/salesOrderLines({guid(5, 'e')})")
    assert response.json()["lineObjectNumber"] == "1003"
    assert response.json()["@odata.context"].endswith("/salesOrderLines/$entity")


async def test_single_navigation(bc: httpx.AsyncClient) -> None:
    response = await bc.get(f"{CO}/salesOrders({guid(3, 'd')})/customer")
    assert response.json()["number"] == "20000"


async def test_lines_without_a_parent_are_refused(bc: httpx.AsyncClient) -> None:
    response = await bc.get(f"{CO}/salesOrderLines")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "Application_DialogException"
    assert response.json()["error"]["message"].startswith(LINES_NEED_PARENT)


async def test_lines_with_an_ignored_in_filter_are_refused(bc: httpx.AsyncClient) -> None:
    filter_ = f"documentId in ({guid(1, 'd')},{guid(2, 'd')})"
    response = await bc.get(f"{CO}/salesOrderLines", params={"$filter": filter_})
    assert response.status_code == 400


async def test_lines_with_a_document_id_filter_are_served(bc: httpx.AsyncClient) -> None:
    response = await bc.get(f"{CO}/salesOrderLines", params={"$filter": f"documentId eq {guid(1, 'd')}"})
    assert [line["lineObjectNumber"] for line in response.json()["value"]] == ["1000", "1001"]


async def test_lines_by_key_are_served(bc: httpx.AsyncClient) -> None:
    response = await bc.get(f"{CO}/salesOrderLines({guid(4, 'e')})")
    assert response.json()["quantity"] == 4


async def test_shipment_lines_need_no_parent(bc: httpx.AsyncClient) -> None:
    response = await bc.get(f"{CO}/salesShipmentLines")
    assert response.status_code == 200
    assert len(response.json()["value"]) == 1


async def test_an_unknown_entity_set_is_not_found(bc: httpx.AsyncClient) -> None:
    response = await bc.get(f"{CO}/notAnEntitySet")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "BadRequest_ResourceNotFound"


async def test_an_entity_set_without_a_table_is_not_served(bc: httpx.AsyncClient) -> None:
    response = await bc.get(f"{CO}/vendors")
    assert response.status_code == 404


async def test_an_unknown_navigation_is_not_found(bc: httpx.AsyncClient) -> None:
    response = await bc.get(f"{CO}/salesOrders({guid(1, 'd')})/nope")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "BadRequest_ResourceNotFound"


async def test_an_invalid_key_is_a_bad_request(bc: httpx.AsyncClient) -> None:
    response = await bc.get(f"{CO}/salesOrders('SO-1001')")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "BadRequest_NotFound"


async def test_a_missing_entity_is_not_found(bc: httpx.AsyncClient) -> None:
    response = await bc.get(f"{CO}/salesOrders({guid(99, 'd')})")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "Internal_RecordNotFound"


async def test_an_unknown_company_is_not_found(bc: httpx.AsyncClient) -> None:
    response = await bc.get(f"{API}/companies({guid(1, '9')})/customers")
    assert response.status_code == 404


async def test_an_unknown_route_is_not_found(bc: httpx.AsyncClient) -> None:
    response = await bc.get(f"{ENV_ROOT}/api/contoso/nothing/v1.0/companies")
    assert response.status_code == 404


async def test_put_is_not_allowed(bc: httpx.AsyncClient) -> None:
    response = await bc.put(f"{CO}/customers", json={"displayName": "New"})
    assert response.status_code == 405
    assert response.json()["error"]["code"] == "BadRequest_MethodNotAllowed"


async def test_errors_have_bc_shape(bc: httpx.AsyncClient) -> None:
    body = (await bc.get(f"{CO}/notAnEntitySet")).json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message"}
    assert "  CorrelationId:  " in body["error"]["message"]


async def test_private_keys_are_never_sent(bc: httpx.AsyncClient) -> None:
    response = await bc.get(f"{CO}/salesOrders")
    assert all(not key.startswith("_") for row in response.json()["value"] for key in row)


async def test_decimals_are_json_numbers_and_text_is_utf8(bc: httpx.AsyncClient) -> None:
    response = await bc.get(f"{CO}/salesOrders({guid(2, 'd')})", params={"$expand": "salesOrderLines"})
    assert b'"totalAmountIncludingTax":250.75' in response.content
    assert b'"unitPrice":10.5' in response.content
    assert b'"quantity":3' in response.content
    customers = await bc.get(f"{CO}/customers", params={"$filter": "number eq '40000'"})
    assert "Müller Bürobedarf GmbH".encode() in customers.content
    assert json.loads(customers.content)["value"][0]["displayName"] == "Müller Bürobedarf GmbH"


async def test_etag_changes_with_the_row(bc: httpx.AsyncClient, small_store: SandboxStore) -> None:
    url = f"{CO}/customers({guid(1, 'c')})"
    before = (await bc.get(url)).json()["@odata.etag"]
    assert (await bc.get(url)).json()["@odata.etag"] == before
    small_store.table(COMPANY, STANDARD_ROUTE, "customers")[0]["displayName"] = "Renamed"
    assert (await bc.get(url)).json()["@odata.etag"] != before
