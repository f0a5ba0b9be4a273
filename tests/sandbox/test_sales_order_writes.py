"""POST salesOrders / salesOrderLines against the demo world: what BC requires and computes."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from gateway.sandbox.app import sandbox_of
from tests.sandbox.conftest import API, WORLD_TODAY

pytestmark = pytest.mark.anyio


async def _company(bc: httpx.AsyncClient, index: int = 0) -> str:
    """The demo companies by name: 0 is CRONUS International, 1 is CRONUS Polska."""
    companies = sorted((await bc.get(f"{API}/companies")).json()["value"], key=lambda c: c["name"])
    company_id: str = companies[index]["id"]
    return company_id


async def _rows(bc: httpx.AsyncClient, url: str, **params: str) -> list[dict[str, Any]]:
    response = await bc.get(url, params=params)
    assert response.status_code == 200, response.text
    rows: list[dict[str, Any]] = response.json()["value"]
    return rows


async def _fixtures(bc: httpx.AsyncClient, company: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    co = f"{API}/companies({company})"
    return await _rows(bc, f"{co}/customers"), await _rows(bc, f"{co}/items")


def _sellable(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [i for i in items if not i["blocked"]]


def _customer(customers: list[dict[str, Any]], blocked: str = "_x0020_") -> dict[str, Any]:
    return next(c for c in customers if c["blocked"] == blocked)


async def test_deep_insert_creates_an_order_as_bc_computes_it(world_bc: httpx.AsyncClient) -> None:
    company = await _company(world_bc)
    co = f"{API}/companies({company})"
    customers, items = await _fixtures(world_bc, company)
    customer = _customer(customers)
    first, second = _sellable(items)[:2]
    body = {
        "customerNumber": customer["number"],
        "externalDocumentNumber": "PO-4711",
        "requestedDeliveryDate": "2026-07-01",
        "salesOrderLines": [
            {"itemId": first["id"], "quantity": 3},
            {"lineType": "Item", "lineObjectNumber": second["number"], "quantity": 2},
            {"lineType": "Comment", "description": "Leave at the gate"},
        ],
    }
    response = await world_bc.post(f"{co}/salesOrders", json=body)
    assert response.status_code == 201, response.text
    order = response.json()
    assert order["status"] == "Draft"
    assert order["orderDate"] == order["postingDate"] == WORLD_TODAY.isoformat()
    assert order["customerName"] == customer["displayName"]
    assert order["currencyCode"] == customer["currencyCode"]
    assert order["externalDocumentNumber"] == "PO-4711"
    assert order["requestedDeliveryDate"] == "2026-07-01"
    lines = order["salesOrderLines"]
    assert [line["sequence"] for line in lines] == [10000, 20000, 30000]
    assert lines[0]["unitPrice"] == float(first["unitPrice"]) or lines[0]["unitPrice"] == first["unitPrice"]
    assert lines[0]["unitOfMeasureCode"] == first["baseUnitOfMeasureCode"]
    assert lines[1]["itemId"] == second["id"]
    assert lines[1]["lineObjectNumber"] == second["number"]
    assert lines[2]["lineType"] == "Comment"
    assert lines[2]["amountIncludingTax"] == 0
    assert all(line["shippedQuantity"] == 0 and line["invoicedQuantity"] == 0 for line in lines)
    expected = sum(Decimal(str(line["amountIncludingTax"])) for line in lines)
    assert Decimal(str(order["totalAmountIncludingTax"])) == expected > 0
    assert Decimal(str(lines[0]["totalTaxAmount"])) > 0

    read = await world_bc.get(f"{co}/salesOrders({order['id']})", params={"$expand": "salesOrderLines"})
    assert read.status_code == 200
    assert read.json()["number"] == order["number"]
    assert len(read.json()["salesOrderLines"]) == 3


async def test_order_numbers_continue_the_company_series(world_bc: httpx.AsyncClient) -> None:
    company = await _company(world_bc, 1)  # CRONUS Polska: numbers like SZA/26/000123
    co = f"{API}/companies({company})"
    customers, _ = await _fixtures(world_bc, company)
    existing = [o["number"] for o in await _rows(world_bc, f"{co}/salesOrders")]
    numbers = []
    for _ in range(2):
        response = await world_bc.post(
            f"{co}/salesOrders", json={"customerNumber": _customer(customers)["number"]}
        )
        assert response.status_code == 201, response.text
        numbers.append(response.json()["number"])
    assert all("/" in n for n in numbers)
    assert not set(numbers) & set(existing)
    prefix, _, last = numbers[0].rpartition("/")
    assert numbers[1] == f"{prefix}/{int(last) + 1:0{len(last)}d}"


async def test_deep_insert_is_atomic_when_a_line_fails(
    world_app: Starlette, world_bc: httpx.AsyncClient
) -> None:
    company = await _company(world_bc)
    co = f"{API}/companies({company})"
    customers, items = await _fixtures(world_bc, company)
    store = sandbox_of(world_app).store
    before = (
        len(store.table(company, "v2.0", "salesOrders")),
        len(store.table(company, "v2.0", "salesOrderLines")),
    )
    body = {
        "customerNumber": _customer(customers)["number"],
        "salesOrderLines": [
            {"itemId": _sellable(items)[0]["id"], "quantity": 1},
            {"lineType": "Item", "lineObjectNumber": "NO-SUCH-ITEM", "quantity": 1},
        ],
    }
    response = await world_bc.post(f"{co}/salesOrders", json=body)
    assert response.status_code == 400
    assert response.json()["error"]["message"].startswith("Item does not exist.")
    after = (
        len(store.table(company, "v2.0", "salesOrders")),
        len(store.table(company, "v2.0", "salesOrderLines")),
    )
    assert after == before
    # The failed attempt used no number: the next order gets the one it would have had.
    ok = await world_bc.post(f"{co}/salesOrders", json={"customerNumber": _customer(customers)["number"]})
    last = store.last_numbers[(company, "v2.0", "salesOrders")]
    assert ok.json()["number"] == last


async def test_an_order_needs_a_customer(world_bc: httpx.AsyncClient) -> None:
    co = f"{API}/companies({await _company(world_bc)})"
    response = await world_bc.post(f"{co}/salesOrders", json={"externalDocumentNumber": "X"})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "Application_DialogException"
    assert error["message"].startswith('A "customerNumber" or a "customerId" must be provided.')


async def test_an_unknown_customer_is_refused(world_bc: httpx.AsyncClient) -> None:
    co = f"{API}/companies({await _company(world_bc)})"
    response = await world_bc.post(f"{co}/salesOrders", json={"customerNumber": "99999"})
    assert response.status_code == 400
    assert "The Customer does not exist" in response.json()["error"]["message"]


async def test_a_customer_blocked_for_all_cannot_order(world_bc: httpx.AsyncClient) -> None:
    company = await _company(world_bc)
    customers, _ = await _fixtures(world_bc, company)
    blocked = _customer(customers, "All")
    response = await world_bc.post(
        f"{API}/companies({company})/salesOrders", json={"customerId": blocked["id"]}
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "Application_DialogException"
    assert error["message"].startswith(
        f"You cannot create this type of document when Customer {blocked['number']} is blocked with type All"
    )


async def test_a_customer_blocked_for_shipping_can_still_order(world_bc: httpx.AsyncClient) -> None:
    company = await _company(world_bc)
    customers, _ = await _fixtures(world_bc, company)
    ship_blocked = _customer(customers, "Ship")
    response = await world_bc.post(
        f"{API}/companies({company})/salesOrders", json={"customerNumber": ship_blocked["number"]}
    )
    assert response.status_code == 201


async def test_a_blocked_item_is_refused_with_bcs_field_validation_error(world_bc: httpx.AsyncClient) -> None:
    company = await _company(world_bc)
    customers, items = await _fixtures(world_bc, company)
    blocked = next(i for i in items if i["blocked"])
    body = {
        "customerNumber": _customer(customers)["number"],
        "salesOrderLines": [{"itemId": blocked["id"], "quantity": 1}],
    }
    response = await world_bc.post(f"{API}/companies({company})/salesOrders", json=body)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "Application_FieldValidationException"
    assert error["message"].startswith(
        f"Blocked must be equal to 'No'  in Item: No.={blocked['number']}. Current value is 'Yes'."
    )


async def test_item_and_account_together_are_refused(world_bc: httpx.AsyncClient) -> None:
    company = await _company(world_bc)
    customers, items = await _fixtures(world_bc, company)
    line = {"itemId": _sellable(items)[0]["id"], "accountId": customers[0]["id"], "quantity": 1}
    body = {"customerNumber": _customer(customers)["number"], "salesOrderLines": [line]}
    response = await world_bc.post(f"{API}/companies({company})/salesOrders", json=body)
    assert response.status_code == 400
    assert response.json()["error"]["message"].startswith(
        'Both "itemId" and "accountId" are specified. Specify only one of them.'
    )


async def test_a_negative_quantity_is_refused(world_bc: httpx.AsyncClient) -> None:
    company = await _company(world_bc)
    customers, items = await _fixtures(world_bc, company)
    body = {
        "customerNumber": _customer(customers)["number"],
        "salesOrderLines": [{"itemId": _sellable(items)[0]["id"], "quantity": -1}],
    }
    response = await world_bc.post(f"{API}/companies({company})/salesOrders", json=body)
    assert response.status_code == 400
    assert response.json()["error"]["message"].startswith("Quantity must be positive")


async def test_lines_can_be_added_to_an_existing_order_both_ways(world_bc: httpx.AsyncClient) -> None:
    company = await _company(world_bc)
    co = f"{API}/companies({company})"
    customers, items = await _fixtures(world_bc, company)
    order = (
        await world_bc.post(f"{co}/salesOrders", json={"customerNumber": _customer(customers)["number"]})
    ).json()
    item = _sellable(items)[0]
    contained = await world_bc.post(
        f"{co}/salesOrders({order['id']})/salesOrderLines", json={"itemId": item["id"], "quantity": 2}
    )
    assert contained.status_code == 201, contained.text
    by_document = await world_bc.post(
        f"{co}/salesOrderLines",
        json={
            "documentId": order["id"],
            "lineType": "Item",
            "lineObjectNumber": item["number"],
            "quantity": 1,
        },
    )
    assert by_document.status_code == 201, by_document.text
    assert [contained.json()["sequence"], by_document.json()["sequence"]] == [10000, 20000]
    header = (await world_bc.get(f"{co}/salesOrders({order['id']})")).json()
    line_total = Decimal(str(contained.json()["amountIncludingTax"])) + Decimal(
        str(by_document.json()["amountIncludingTax"])
    )
    assert Decimal(str(header["totalAmountIncludingTax"])) == line_total


async def test_patching_a_line_recomputes_the_order_totals(world_bc: httpx.AsyncClient) -> None:
    company = await _company(world_bc)
    co = f"{API}/companies({company})"
    customers, items = await _fixtures(world_bc, company)
    body = {
        "customerNumber": _customer(customers)["number"],
        "salesOrderLines": [{"itemId": _sellable(items)[0]["id"], "quantity": 1}],
    }
    order = (await world_bc.post(f"{co}/salesOrders", json=body)).json()
    line = order["salesOrderLines"][0]
    patched = await world_bc.patch(
        f"{co}/salesOrderLines({line['id']})", json={"quantity": 4}, headers={"If-Match": line["@odata.etag"]}
    )
    assert patched.status_code == 200, patched.text
    assert Decimal(str(patched.json()["amountExcludingTax"])) == 4 * Decimal(str(line["amountExcludingTax"]))
    header = (await world_bc.get(f"{co}/salesOrders({order['id']})")).json()
    assert header["totalAmountIncludingTax"] == patched.json()["amountIncludingTax"]
    sequence = await world_bc.patch(
        f"{co}/salesOrderLines({line['id']})", json={"sequence": 50000}, headers={"If-Match": "*"}
    )
    assert sequence.json()["error"]["message"].startswith("The value for sequence cannot be modified.")


async def test_customer_queries_are_created_open_with_numbers_and_messages(
    world_bc: httpx.AsyncClient,
) -> None:
    company = await _company(world_bc)
    portal = f"/v2.0/sandbox/production/api/bcgateway/portal/v1.0/companies({company})"
    customers, _ = await _fixtures(world_bc, company)
    existing = {q["number"] for q in await _rows(world_bc, f"{portal}/customerQueries")}
    body = {
        "customerNumber": customers[0]["number"],
        "category": "Delivery",
        "subject": "Where is my parcel?",
        "customerQueryMessages": [{"authorName": "Ann", "body": "It has not arrived."}],
    }
    response = await world_bc.post(f"{portal}/customerQueries", json=body)
    assert response.status_code == 201, response.text
    query = response.json()
    assert query["status"] == "Open"
    assert query["number"] not in existing
    assert query["number"].startswith("CQ-")
    assert query["createdDateTime"] != "0001-01-01T00:00:00Z"
    assert [m["sequence"] for m in query["customerQueryMessages"]] == [1]
    reply = await world_bc.post(
        f"{portal}/customerQueryMessages",
        json={"queryId": query["id"], "authorName": "Ann", "body": "Any news?"},
    )
    assert reply.status_code == 201, reply.text
    assert reply.json()["sequence"] == 2
    assert reply.json()["authorType"] == "Customer"
    refused = await world_bc.post(f"{portal}/customerQueries", json={**body, "status": "Resolved"})
    assert refused.json()["error"]["message"].startswith("Control 'Status' is read-only")


async def test_a_line_number_without_a_line_type_is_a_standard_text_code_as_in_bc(
    world_bc: httpx.AsyncClient,
) -> None:
    company = await _company(world_bc)
    customers, items = await _fixtures(world_bc, company)
    line = {"lineObjectNumber": _sellable(items)[0]["number"], "quantity": 1}
    body = {"customerNumber": _customer(customers)["number"], "salesOrderLines": [line]}
    response = await world_bc.post(f"{API}/companies({company})/salesOrders", json=body)
    assert response.status_code == 400
    assert response.json()["error"]["message"].startswith("The Standard Text does not exist.")


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("currencyCode", "XYZ", 'The "currencyCode" does not match to a Currency.'),
        (
            "paymentTermsId",
            "99999999-0000-0000-0000-000000000000",
            'The "paymentTermsId" does not match to a Payment Term.',
        ),
        (
            "shipmentMethodId",
            "99999999-0000-0000-0000-000000000000",
            'The "shipmentMethodId" does not match to a Shipment Method.',
        ),
    ],
)
async def test_header_fields_must_match_their_tables(
    world_bc: httpx.AsyncClient, field: str, value: str, message: str
) -> None:
    company = await _company(world_bc)
    customers, _ = await _fixtures(world_bc, company)
    body = {"customerNumber": _customer(customers)["number"], field: value}
    response = await world_bc.post(f"{API}/companies({company})/salesOrders", json=body)
    assert response.status_code == 400
    assert response.json()["error"]["message"].startswith(message)


async def test_a_known_currency_code_is_accepted(world_bc: httpx.AsyncClient) -> None:
    company = await _company(world_bc)
    customers, _ = await _fixtures(world_bc, company)
    currency = (await _rows(world_bc, f"{API}/companies({company})/currencies"))[0]["code"]
    body = {"customerNumber": _customer(customers)["number"], "currencyCode": currency}
    response = await world_bc.post(f"{API}/companies({company})/salesOrders", json=body)
    assert response.status_code == 201, response.text
    assert response.json()["currencyCode"] == currency
    assert (
        response.json()["currencyId"]
        == (await _rows(world_bc, f"{API}/companies({company})/currencies"))[0]["id"]
    )
