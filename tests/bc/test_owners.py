"""The owner read: whose records a notification names, identifiers only, many ids per request."""

from __future__ import annotations

import json
import uuid

import httpx
import pytest
import respx

from gateway.bc import (
    PORTAL_API,
    STANDARD_API,
    BCClient,
    BCProtocolError,
    CapabilityUnavailable,
    OwnerRead,
    RecordOwner,
)
from gateway.bc._capabilities import RouteCapabilities
from tests.bc.conftest import COMPANY_ID, COMPANY_PATH

pytestmark = pytest.mark.anyio

ORDER = uuid.UUID("11111111-2222-3333-4444-555555555555")
GONE = uuid.UUID("99999999-2222-3333-4444-555555555555")


async def test_orders_are_read_by_id_with_only_their_identifiers(
    client: BCClient, router: respx.MockRouter
) -> None:
    route = router.get(f"{COMPANY_PATH}/salesOrders").respond(
        json={"value": [{"id": str(ORDER).upper(), "number": "S-ORD1", "customerNumber": "10000"}]}
    )

    owners = await client.owners.read(COMPANY_ID, STANDARD_API, "salesOrders", [ORDER, GONE, ORDER])

    assert owners == [RecordOwner(str(ORDER), "S-ORD1", "10000")]
    params = route.calls.last.request.url.params
    assert params["$select"] == "id,number,customerNumber"
    assert params["$filter"] == f"(id eq {ORDER} or id eq {GONE})"
    assert route.call_count == 1


async def test_a_posted_shipment_names_its_order(client: BCClient, router: respx.MockRouter) -> None:
    router.get(f"{COMPANY_PATH}/salesShipments").respond(
        json={
            "value": [
                {"id": str(ORDER), "number": "S-SHP1", "customerNumber": "10000", "orderNumber": "S-ORD1"}
            ]
        }
    )

    (owner,) = await client.owners.read(COMPANY_ID, STANDARD_API, "salesShipments", [ORDER])

    assert owner.order_number == "S-ORD1"


async def test_many_ids_go_to_bc_as_one_batch(client: BCClient, router: respx.MockRouter) -> None:
    ids = [uuid.uuid4() for _ in range(45)]
    batch = router.post("/bc/api/v2.0/$batch").mock(side_effect=_answer_each_with_nothing)

    assert await client.owners.read(COMPANY_ID, STANDARD_API, "salesInvoices", ids) == []

    assert batch.call_count == 1
    requests = json.loads(batch.calls.last.request.content)["requests"]
    assert len(requests) == 2  # 30 ids, then 15


async def test_an_item_has_no_owner_and_a_customer_query_lives_on_the_portal_api(
    client: BCClient, router: respx.MockRouter
) -> None:
    router.get(f"{COMPANY_PATH}/items").respond(json={"value": [{"id": str(ORDER), "number": "1000"}]})
    queries = router.get(f"/bc/api/bcgateway/portal/v1.0/companies({COMPANY_ID})/customerQueries").respond(
        json={"value": [{"id": str(ORDER), "number": "CQ-1", "customerNumber": "20000"}]}
    )

    (item,) = await client.owners.read(COMPANY_ID, STANDARD_API, "items", [ORDER])
    (query,) = await client.owners.read(COMPANY_ID, PORTAL_API, "customerQueries", [ORDER])

    assert (item.number, item.customer_number) == ("1000", None)
    assert (query.number, query.customer_number) == ("CQ-1", "20000")
    assert queries.calls.last.request.url.params["$select"] == "id,number,customerNumber"


async def test_a_row_without_its_customer_is_a_protocol_error(
    client: BCClient, router: respx.MockRouter
) -> None:
    router.get(f"{COMPANY_PATH}/salesOrders").respond(
        json={"value": [{"id": str(ORDER), "number": "S-ORD1"}]}
    )

    with pytest.raises(BCProtocolError):
        await client.owners.read(COMPANY_ID, STANDARD_API, "salesOrders", [ORDER])


async def test_a_set_without_owner_fields_is_refused_before_any_request(client: BCClient) -> None:
    with pytest.raises(ValueError, match="no owner fields"):
        await client.owners.read(COMPANY_ID, STANDARD_API, "salesOrderLines", [ORDER])


async def test_reads_of_several_sets_and_companies_go_to_bc_as_one_batch_per_api(
    client: BCClient, router: respx.MockRouter
) -> None:
    other = uuid.uuid4()
    batch = router.post("/bc/api/v2.0/$batch").mock(side_effect=_answer_each_with_nothing)
    reads = [
        OwnerRead(COMPANY_ID, STANDARD_API, "salesOrders", [ORDER]),
        OwnerRead(COMPANY_ID, STANDARD_API, "salesShipments", [ORDER]),
        OwnerRead(other, STANDARD_API, "salesOrders", [GONE]),
    ]

    assert await client.owners.read_many(reads) == [[], [], []]

    assert batch.call_count == 1
    urls = [r["url"] for r in json.loads(batch.calls.last.request.content)["requests"]]
    assert [url.split("?")[0] for url in urls] == [
        f"companies({COMPANY_ID})/salesOrders",
        f"companies({COMPANY_ID})/salesShipments",
        f"companies({other})/salesOrders",
    ]


async def test_a_set_the_tenant_lacks_or_a_malformed_answer_fails_only_its_own_read(
    client: BCClient, router: respx.MockRouter
) -> None:
    client.capabilities.record(
        STANDARD_API, RouteCapabilities(present=True, entity_sets=frozenset({"salesOrders", "salesInvoices"}))
    )

    def answer(request: httpx.Request) -> httpx.Response:
        bodies = {
            "salesOrders": {"value": [{"id": str(ORDER), "number": "S-ORD1", "customerNumber": "10000"}]},
            "salesInvoices": {"value": [{"id": str(GONE), "number": "S-INV1"}]},  # no customer
        }
        requests = json.loads(request.content)["requests"]
        responses = [
            {"id": r["id"], "status": 200, "body": bodies[r["url"].split("?")[0].rsplit("/", 1)[-1]]}
            for r in requests
        ]
        return httpx.Response(200, json={"responses": responses})

    router.post("/bc/api/v2.0/$batch").mock(side_effect=answer)
    orders, shipments, invoices = await client.owners.read_many(
        [
            OwnerRead(COMPANY_ID, STANDARD_API, "salesOrders", [ORDER]),
            OwnerRead(COMPANY_ID, STANDARD_API, "salesShipments", [ORDER]),
            OwnerRead(COMPANY_ID, STANDARD_API, "salesInvoices", [GONE]),
        ]
    )

    assert orders == [RecordOwner(str(ORDER), "S-ORD1", "10000")]
    assert isinstance(shipments, CapabilityUnavailable)
    assert isinstance(invoices, BCProtocolError)


def _answer_each_with_nothing(request: httpx.Request) -> httpx.Response:
    requests = json.loads(request.content)["requests"]
    responses = [{"id": r["id"], "status": 200, "body": {"value": []}} for r in requests]
    return httpx.Response(200, json={"responses": responses})
