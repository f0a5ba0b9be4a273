"""A Business Central that answers the orders query instantly, from one pre-serialised page.

Used for "one response of 1,000 orders × 10 lines": BC costs nothing here, so what the process
spends per request is the gateway's own work (decoding BC's JSON, building the answer).  Each
line carries its item (with the item's category and unit of measure) when the request expands
it (``$expand=…item…``), as BC does.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import httpx

_SETS = ("salesOrders", "salesShipments", "salesInvoices", "items", "generalLedgerSetup")
METADATA = (
    '<?xml version="1.0" encoding="utf-8"?><edmx:Edmx Version="4.0" '
    'xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx"><edmx:DataServices>'
    '<Schema Namespace="Microsoft.NAV" xmlns="http://docs.oasis-open.org/odata/ns/edm">'
    '<EntityContainer Name="NAV">'
    + "".join(f'<EntitySet Name="{name}" EntityType="Microsoft.NAV.x" />' for name in _SETS)
    + "</EntityContainer></Schema></edmx:DataServices></edmx:Edmx>"
)


def _item(number: int) -> dict[str, Any]:
    """An item as BC expands it into a line for the gateway: with its category and unit of
    measure (``$expand=item($expand=itemCategory,unitOfMeasure)``)."""
    return {
        "@odata.etag": 'W/"x"',
        "id": str(uuid.UUID(int=7_000 + number)),
        "number": f"1{number:03d}-S",
        "displayName": f"Bench chair {number}",
        "displayName2": "",
        "type": "Inventory",
        "itemCategoryId": str(uuid.UUID(int=8)),
        "itemCategoryCode": "CHAIR",
        "blocked": False,
        "inventory": 25,
        "unitPrice": 120.5,
        "baseUnitOfMeasureId": str(uuid.UUID(int=9)),
        "baseUnitOfMeasureCode": "PCS",
        "priceIncludesTax": False,
        "gtin": "",
        "lastModifiedDateTime": "2026-05-01T10:00:00Z",
        "itemCategory": {"id": str(uuid.UUID(int=8)), "code": "CHAIR", "displayName": "Chairs"},
        "unitOfMeasure": {"id": str(uuid.UUID(int=9)), "code": "PCS", "displayName": "Piece", "symbol": ""},
    }


def _line(order: int, number: int, *, with_item: bool) -> dict[str, Any]:
    line = {
        "id": str(uuid.UUID(int=order * 100 + number + 1)),
        "documentId": str(uuid.UUID(int=order + 10**9)),
        "sequence": number * 10000,
        "itemId": str(uuid.UUID(int=7_000 + number)),
        "lineType": "Item",
        "lineObjectNumber": f"1{number:03d}-S",
        "description": "Bench chair",
        "unitOfMeasureCode": "PCS",
        "quantity": 3,
        "unitPrice": 120.5,
        "discountAmount": 0,
        "discountPercent": 0,
        "amountExcludingTax": 361.5,
        "totalTaxAmount": 72.3,
        "amountIncludingTax": 433.8,
        "netAmount": 361.5,
        "shipmentDate": "2026-05-01",
        "shippedQuantity": 1,
        "invoicedQuantity": 0,
        "shipQuantity": 2,
        "invoiceQuantity": 3,
    }
    return {**line, "item": _item(number)} if with_item else line


def _order(index: int, lines: int, *, with_items: bool) -> dict[str, Any]:
    return {
        "@odata.etag": 'W/"x"',
        "id": str(uuid.UUID(int=index + 10**9)),
        "number": f"SO{index:06d}",
        "externalDocumentNumber": "",
        "orderDate": "2026-05-01",
        "postingDate": "2026-05-01",
        "customerId": str(uuid.UUID(int=5)),
        "customerNumber": "10000",
        "customerName": "Bench Ltd.",
        "requestedDeliveryDate": "0001-01-01",
        "currencyCode": "GBP",
        "pricesIncludeTax": False,
        "discountAmount": 0,
        "totalAmountExcludingTax": 3615,
        "totalTaxAmount": 723,
        "totalAmountIncludingTax": 4338,
        "fullyShipped": False,
        "status": "Open",
        "lastModifiedDateTime": "2026-05-01T10:00:00Z",
        "shipToName": "Bench Ltd.",
        "shipToContact": "",
        "shipToAddressLine1": "1 Road",
        "shipToAddressLine2": "",
        "shipToCity": "London",
        "shipToState": "",
        "shipToCountry": "GB",
        "shipToPostCode": "N1",
        "salesOrderLines": [_line(index, n, with_item=with_items) for n in range(lines)],
    }


def order_row(index: int, lines: int) -> dict[str, Any]:
    """One open order as BC answers it, ``lines`` lines expanded (without their items)."""
    return _order(index, lines, with_items=False)


def canned_bc(orders: int, lines: int) -> httpx.MockTransport:
    """A BC whose ``salesOrders`` answer ``orders`` × ``lines`` (with items when expanded)."""
    pages = {
        with_items: json.dumps(
            {"value": [_order(i, lines, with_items=with_items) for i in range(orders)]}
        ).encode()
        for with_items in (False, True)
    }
    token = json.dumps({"token_type": "Bearer", "expires_in": 3600, "access_token": "t"}).encode()

    def handle(request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path.endswith("/token"):
            return httpx.Response(200, content=token, headers={"content-type": "application/json"})
        if path.endswith("/api/v2.0/$metadata"):
            return httpx.Response(200, text=METADATA, headers={"content-type": "application/xml"})
        if path.endswith("$metadata"):
            missing = {"error": {"code": "BadRequest_ResourceNotFound", "message": "-"}}
            return httpx.Response(404, json=missing)
        if path.endswith("$batch"):
            return httpx.Response(404)  # single reads: the canned pages are served one by one
        if path.endswith("/salesOrders"):
            expand = request.url.params.get("$expand", "")
            page = pages["item" in expand.replace("salesOrderLines", "")]
            return httpx.Response(200, content=page, headers={"content-type": "application/json"})
        return httpx.Response(200, json={"value": []})

    return httpx.MockTransport(handle)
