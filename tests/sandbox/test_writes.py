"""POST, PATCH and DELETE through the sandbox engine: capabilities, read-only fields, ETags."""

from __future__ import annotations

import httpx
import pytest

from tests.sandbox.conftest import CO, guid

pytestmark = pytest.mark.anyio

CUSTOMER_1 = f"{CO}/customers({guid(1, 'c')})"


async def _etag(bc: httpx.AsyncClient, url: str) -> str:
    response = await bc.get(url)
    assert response.status_code == 200, response.text
    tag: str = response.json()["@odata.etag"]
    return tag


async def test_post_creates_an_entity_with_etag_and_location(bc: httpx.AsyncClient) -> None:
    response = await bc.post(f"{CO}/customers", json={"number": "60000", "displayName": "New Co"})
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["displayName"] == "New Co"
    assert body["@odata.etag"].startswith('W/"')
    assert body["@odata.context"].endswith(
        "/$metadata#companies(11111111-1111-1111-1111-111111111111)/customers/$entity"
    )
    assert response.headers["location"].endswith(
        f"/companies(11111111-1111-1111-1111-111111111111)/customers({body['id']})"
    )
    again = await bc.get(response.headers["location"].removeprefix("http://bc.test"))
    assert again.json()["displayName"] == "New Co"


async def test_post_refuses_a_read_only_property_with_bcs_error(bc: httpx.AsyncClient) -> None:
    response = await bc.post(f"{CO}/salesOrders", json={"customerNumber": "10000", "number": "X-1"})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "BadRequest_InvalidOperation"
    assert error["message"].startswith("Control 'Number' is read-only")


async def test_patch_refuses_a_read_only_property(bc: httpx.AsyncClient) -> None:
    url = f"{CO}/salesOrders({guid(1, 'd')})"
    response = await bc.patch(url, json={"totalAmountIncludingTax": 1}, headers={"If-Match": "*"})
    assert response.status_code == 400
    assert response.json()["error"]["message"].startswith("Control 'Total Amount Including Tax' is read-only")


async def test_unknown_property_is_refused(bc: httpx.AsyncClient) -> None:
    response = await bc.post(f"{CO}/customers", json={"displayName": "X", "colour": "red"})
    assert response.status_code == 400
    assert (
        "The property 'colour' does not exist on type 'Microsoft.NAV.customer'"
        in response.json()["error"]["message"]
    )


async def test_invalid_json_is_an_invalid_request_body(bc: httpx.AsyncClient) -> None:
    response = await bc.post(
        f"{CO}/customers", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "BadRequest"
    assert response.json()["error"]["message"].startswith("Invalid Request Body")


async def test_patch_without_if_match_is_refused(bc: httpx.AsyncClient) -> None:
    response = await bc.patch(CUSTOMER_1, json={"displayName": "Renamed"})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "BadRequest_InvalidToken"
    assert error["message"].startswith(
        "Could not validate the client concurrency token required by the service. "
        "Please provide a valid token in the client request."
    )


async def test_patch_with_current_etag_updates_and_changes_the_etag(bc: httpx.AsyncClient) -> None:
    before = await _etag(bc, CUSTOMER_1)
    response = await bc.patch(CUSTOMER_1, json={"displayName": "Renamed"}, headers={"If-Match": before})
    assert response.status_code == 200, response.text
    assert response.json()["displayName"] == "Renamed"
    assert response.json()["@odata.etag"] != before
    assert (await bc.get(CUSTOMER_1)).json()["displayName"] == "Renamed"


async def test_patch_with_stale_etag_is_a_conflict(bc: httpx.AsyncClient) -> None:
    stale = await _etag(bc, CUSTOMER_1)
    await bc.patch(CUSTOMER_1, json={"displayName": "First"}, headers={"If-Match": stale})
    response = await bc.patch(CUSTOMER_1, json={"displayName": "Second"}, headers={"If-Match": stale})
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "Request_EntityChanged"
    assert error["message"].startswith("Another user has already changed the record.")
    assert (await bc.get(CUSTOMER_1)).json()["displayName"] == "First"


async def test_patch_with_star_if_match_always_applies(bc: httpx.AsyncClient) -> None:
    response = await bc.patch(CUSTOMER_1, json={"displayName": "Starred"}, headers={"If-Match": "*"})
    assert response.status_code == 200


async def test_delete_needs_if_match_and_answers_204(bc: httpx.AsyncClient) -> None:
    assert (await bc.delete(CUSTOMER_1)).status_code == 400
    stale_tag = 'W/"JzIwOzE7MDA7Jw=="'
    assert (await bc.delete(CUSTOMER_1, headers={"If-Match": stale_tag})).status_code == 409
    response = await bc.delete(CUSTOMER_1, headers={"If-Match": await _etag(bc, CUSTOMER_1)})
    assert response.status_code == 204
    assert (await bc.get(CUSTOMER_1)).status_code == 404


async def test_deleting_an_order_deletes_its_lines(bc: httpx.AsyncClient) -> None:
    order = f"{CO}/salesOrders({guid(3, 'd')})"
    assert (await bc.delete(order, headers={"If-Match": "*"})).status_code == 204
    lines = await bc.get(f"{CO}/salesOrderLines", params={"$filter": f"documentId eq {guid(3, 'd')}"})
    assert lines.json()["value"] == []


async def test_writes_to_a_set_bc_declares_read_only_are_not_allowed(bc: httpx.AsyncClient) -> None:
    url = f"{CO}/salesShipmentLines({guid(1, 'f')})"
    response = await bc.patch(url, json={"description": "x"}, headers={"If-Match": "*"})
    assert response.status_code == 405
    assert response.json()["error"]["code"] == "BadRequest_MethodNotAllowed"


async def test_post_to_a_single_entity_is_not_allowed(bc: httpx.AsyncClient) -> None:
    response = await bc.post(CUSTOMER_1, json={})
    assert response.status_code == 405
