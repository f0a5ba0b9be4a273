"""Gateway overhead: what the gateway adds on top of Business Central, measured, printed as a table.

Two measurements (PRODUCT.md "Targets"):

1. A warm dashboard query (account, 5 recent orders with lines, 5 recent invoices) against the
   embedded sandbox through the in-process transport.  Overhead = end-to-end time minus the time
   the sandbox spent answering (its request log's durations for that operation).
2. One response of 1,000 orders × 10 lines, served by a canned BC (an httpx.MockTransport that
   answers instantly), measured as gateway CPU time (process time) per request: without the
   lines' items, and with each line's item number and name (BC expands them into the lines).

Run: .venv/bin/python bench/gateway_overhead.py [--requests 300] [--scale 0.2]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from gateway.app import create_app
from gateway.auth import AuthSettings, DevIdentityProvider
from gateway.bc import BCSettings, ClientCredentials
from gateway.edge.config import EdgeSettings
from gateway.edge.development import mint_for, start_development
from gateway.edge.limits import OperationLimits
from gateway.edge.ratelimit import RateLimit
from gateway.resolvers.context import PortalPolicy
from gateway.sandbox.app import create_sandbox_app, sandbox_of
from gateway.sandbox.config import SandboxConfig
from gateway.settings import Settings

DASHBOARD = """
{
  me { number balance { amount currencyCode } overdueAmount { amount } creditLimit { amount } }
  orders(first: 5) { nodes { number orderDate status totalIncludingTax { amount }
                             lines { sequence number quantity shippedQuantity } } }
  invoices(first: 5) { nodes { number dueDate status remainingAmount { amount } isOverdue } }
}
"""
BIG_ORDERS = """
{ orders(first: 1000) { nodes { number orderDate status totalIncludingTax { amount currencyCode }
    lines { sequence number description quantity shippedQuantity invoicedQuantity
            unitPrice { amount } amountIncludingTax { amount } } } } }
"""
BIG_ORDERS_WITH_ITEMS = """
{ orders(first: 1000) { nodes { number orderDate status totalIncludingTax { amount currencyCode }
    lines { sequence number description quantity shippedQuantity invoicedQuantity
            unitPrice { amount } amountIncludingTax { amount } item { number name } } } } }
"""


# One client sending hundreds of queries a second would trip the per-customer rate limit, which is
# not what is measured here.
# The 1,000-order page is far beyond the default cost budget and page size, on purpose.
BENCH_SETTINGS = Settings(
    edge=EdgeSettings(
        rate_limit=RateLimit(per_minute=10**9, burst=10**9),
        limits=OperationLimits(cost_budget=10**9, max_page_size=1000),
    )
)


def busy_time(entries: list[Any]) -> float:
    """How long BC was busy answering: the union of the requests' intervals (they overlap, and
    a $batch's inner reads lie inside its envelope)."""
    spans = sorted((entry.monotonic_start, entry.monotonic_start + entry.duration) for entry in entries)
    total, reach = 0.0, float("-inf")
    for start, end in spans:
        if end > reach:
            total += end - max(start, reach)
            reach = end
    return total


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


async def dashboard_overhead(requests: int, scale: float) -> dict[str, float]:
    sandbox = create_sandbox_app(SandboxConfig(scale=scale))
    development = start_development(BENCH_SETTINGS, sandbox=sandbox)
    app = create_app(BENCH_SETTINGS, development=development)
    log = sandbox_of(sandbox).log
    customer = next(c for c in development.customers if c.blocked == "_x0020_")
    headers = {"authorization": f"Bearer {mint_for(development, customer)}"}
    overheads: list[float] = []
    totals: list[float] = []
    bc_requests: list[int] = []
    envelopes: list[int] = []
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="https://gw") as client,
    ):
        for index in range(requests + 20):
            log.clear()
            started = time.perf_counter()
            response = await client.post("/graphql", json={"query": DASHBOARD}, headers=headers)
            elapsed = time.perf_counter() - started
            assert response.status_code == 200, response.text
            assert "errors" not in response.json(), response.text
            if index < 20:
                continue  # warm-up: JWKS fetch, local currency, imports
            totals.append(elapsed)
            overheads.append(elapsed - busy_time(log.entries))
            bc_requests.append(
                len([entry for entry in log.entries if entry.entity_set not in (None, "$batch")])
            )
            envelopes.append(len([entry for entry in log.entries if entry.entity_set == "$batch"]))
    return {
        "p50 total ms": statistics.median(totals) * 1000,
        "p50 overhead ms": statistics.median(overheads) * 1000,
        "p99 overhead ms": percentile(overheads, 0.99) * 1000,
        "BC reads / query": statistics.mean(bc_requests),
        "$batch round trips / query": statistics.mean(envelopes),
        "queries/s (1 client)": 1 / statistics.mean(totals),
    }


_SETS = ("salesOrders", "salesShipments", "salesInvoices", "items", "generalLedgerSetup")
METADATA = (
    '<?xml version="1.0" encoding="utf-8"?><edmx:Edmx Version="4.0" '
    'xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx"><edmx:DataServices>'
    '<Schema Namespace="Microsoft.NAV" xmlns="http://docs.oasis-open.org/odata/ns/edm">'
    '<EntityContainer Name="NAV">'
    + "".join(f'<EntitySet Name="{name}" EntityType="Microsoft.NAV.x" />' for name in _SETS)
    + "</EntityContainer></Schema></edmx:DataServices></edmx:Edmx>"
)


def canned_item(number: int) -> dict[str, Any]:
    """An item as BC expands it into a line: with its category and unit of measure."""
    return {
        "@odata.etag": 'W/"x"',
        "id": str(uuid.UUID(int=number + 500)),
        "number": f"1{number:03d}-S",
        "displayName": "Bench chair",
        "displayName2": "",
        "type": "Inventory",
        "itemCategoryId": str(uuid.UUID(int=8)),
        "itemCategoryCode": "CHAIR",
        "blocked": False,
        "inventory": 40,
        "unitPrice": 120.5,
        "baseUnitOfMeasureId": str(uuid.UUID(int=9)),
        "baseUnitOfMeasureCode": "PCS",
        "priceIncludesTax": False,
        "gtin": "",
        "lastModifiedDateTime": "2026-04-01T08:00:00Z",
        "itemCategory": {"id": str(uuid.UUID(int=8)), "code": "CHAIR", "displayName": "Chairs"},
        "unitOfMeasure": {"id": str(uuid.UUID(int=9)), "code": "PCS", "displayName": "Piece", "symbol": ""},
    }


def canned_bc(company: uuid.UUID, orders: int, lines: int) -> httpx.MockTransport:
    """A BC that answers the orders query with `orders` × `lines` instantly (pre-serialised), with
    each line's item when the query expands it."""

    def line(order: int, number: int, *, with_item: bool) -> dict[str, Any]:
        return {
            "id": str(uuid.UUID(int=order * 100 + number + 1)),
            "documentId": str(uuid.UUID(int=order + 10**9)),
            "sequence": number * 10000,
            "itemId": str(uuid.UUID(int=7)),
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
            **({"item": canned_item(number)} if with_item else {}),
        }

    def order(index: int, *, with_items: bool) -> dict[str, Any]:
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
            "salesOrderLines": [line(index, n, with_item=with_items) for n in range(lines)],
        }

    pages = {
        with_items: json.dumps({"value": [order(i, with_items=with_items) for i in range(orders)]}).encode()
        for with_items in (False, True)
    }
    token = json.dumps({"token_type": "Bearer", "expires_in": 3600, "access_token": "t"}).encode()

    def handle(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/token"):
            return httpx.Response(200, content=token, headers={"content-type": "application/json"})
        if request.url.path.endswith("/api/v2.0/$metadata"):
            return httpx.Response(200, text=METADATA, headers={"content-type": "application/xml"})
        if request.url.path.endswith("$metadata"):
            return httpx.Response(
                404, json={"error": {"code": "BadRequest_ResourceNotFound", "message": "-"}}
            )
        if request.url.path.endswith("$batch"):
            return httpx.Response(404)  # single reads: the canned pages are served one by one
        if request.url.path.endswith("/salesOrders"):
            page = pages["item(" in request.url.params.get("$expand", "")]
            return httpx.Response(200, content=page, headers={"content-type": "application/json"})
        return httpx.Response(200, json={"value": []})

    return httpx.MockTransport(handle)


async def big_response_cpu(repeats: int, query: str) -> dict[str, float]:
    company = uuid.uuid4()
    identity = DevIdentityProvider("https://idp.bench", "bench")
    settings = Settings(
        bc=BCSettings(
            environment_url="https://bc.bench/bc",
            credentials=ClientCredentials(
                token_url="https://bc.bench/token", client_id="c", client_secret="s"
            ),
            page_size=20000,
        ),
        auth=AuthSettings(
            issuer="https://idp.bench", audience="bench", jwks_url="https://idp.bench/.well-known/jwks.json"
        ),
        portal=PortalPolicy(max_page_size=1000),
        edge=BENCH_SETTINGS.edge,
    )
    app = create_app(
        settings,
        bc_transport=canned_bc(company, 1000, 10),
        jwks_transport=httpx.ASGITransport(app=identity.asgi_app()),
    )
    headers = {"authorization": f"Bearer {identity.mint(company, '10000')}"}
    cpu: list[float] = []
    size = 0
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="https://gw") as client,
    ):
        for index in range(repeats + 2):
            started = time.process_time()
            response = await client.post("/graphql", json={"query": query}, headers=headers)
            spent = time.process_time() - started
            body = response.json()
            assert "errors" not in body, body["errors"]
            size = len(body["data"]["orders"]["nodes"])
            if index >= 2:
                cpu.append(spent)
    return {
        "orders in response": size,
        "p50 gateway CPU ms": statistics.median(cpu) * 1000,
        "max gateway CPU ms": max(cpu) * 1000,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--scale", type=float, default=0.2)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    rows = [
        ("warm dashboard (sandbox, in-process)", asyncio.run(dashboard_overhead(args.requests, args.scale))),
        ("1,000 orders x 10 lines (canned BC)", asyncio.run(big_response_cpu(args.repeats, BIG_ORDERS))),
        (
            "1,000 orders x 10 lines, each line's item (canned BC)",
            asyncio.run(big_response_cpu(args.repeats, BIG_ORDERS_WITH_ITEMS)),
        ),
    ]
    for title, numbers in rows:
        print(f"\n{title}")
        print(f"  {'metric':<28} {'value':>12}")
        for name, value in numbers.items():
            print(f"  {name:<28} {value:>12.2f}")


if __name__ == "__main__":
    main()
