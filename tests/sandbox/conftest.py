"""A small hand-built store and a signed-in client for the sandbox engine's tests."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from decimal import Decimal
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from gateway.sandbox.app import create_sandbox_app
from gateway.sandbox.config import SandboxConfig
from gateway.sandbox.edm import load_model
from gateway.sandbox.store import STANDARD_ROUTE, Row, SandboxStore
from gateway.sandbox.transport import sandbox_transport
from gateway.sandbox.world import build_store

BASE_URL = "http://bc.test"
ENV_ROOT = "/v2.0/sandbox/production"
API = f"{ENV_ROOT}/api/v2.0"
TOKEN_URL = "/sandbox/oauth2/v2.0/token"
SCOPE = "https://api.businesscentral.dynamics.com/.default"

COMPANY = "11111111-1111-1111-1111-111111111111"
OTHER_COMPANY = "22222222-2222-2222-2222-222222222222"
CO = f"{API}/companies({COMPANY})"

_BLANKS: dict[str, Any] = {
    "Edm.Guid": "00000000-0000-0000-0000-000000000000",
    "Edm.Date": "0001-01-01",
    "Edm.DateTimeOffset": "0001-01-01T00:00:00.000Z",
    "Edm.Decimal": Decimal(0),
    "Edm.Int32": 0,
    "Edm.Int64": 0,
    "Edm.Boolean": False,
    "Edm.String": "",
}


def guid(n: int, prefix: str = "a") -> str:
    return f"{prefix * 8}-0000-0000-0000-{n:012d}"


def make_row(type_name: str, **values: Any) -> Row:
    """A complete row of ``type_name``: every EDM property, blank unless given."""
    entity = load_model(SandboxConfig().routes[0].metadata_path).entity_types[type_name]
    row: Row = {name: _BLANKS.get(p.type, "_x0020_") for name, p in entity.properties.items()}
    unknown = set(values) - set(row) - {k for k in values if k.startswith("_")}
    assert not unknown, f"not properties of {type_name}: {unknown}"
    row.update(values)
    return row


def customer(n: int, number: str, name: str, **values: Any) -> Row:
    return make_row("customer", id=guid(n, "c"), number=number, displayName=name, **values)


def order(n: int, number: str, customer_row: Row, date: str, total: str, status: str = "Open") -> Row:
    return make_row(
        "salesOrder",
        id=guid(n, "d"),
        number=number,
        orderDate=date,
        customerId=customer_row["id"],
        customerNumber=customer_row["number"],
        customerName=customer_row["displayName"],
        totalAmountIncludingTax=Decimal(total),
        status=status,
        lastModifiedDateTime=f"{date}T10:00:00.000Z",
        _pdf_seed=n,
    )


def order_line(n: int, order_row: Row, sequence: int, item: str, quantity: str) -> Row:
    return make_row(
        "salesOrderLine",
        id=guid(n, "e"),
        documentId=order_row["id"],
        sequence=sequence,
        lineType="Item",
        lineObjectNumber=item,
        description=f"Item {item}",
        quantity=Decimal(quantity),
        unitPrice=Decimal("10.5"),
    )


def build_test_store() -> SandboxStore:
    companies = [
        make_row("company", id=COMPANY, name="CRONUS", displayName="CRONUS Ltd."),
        make_row("company", id=OTHER_COMPANY, name="OTHER", displayName="Other Ltd."),
    ]
    store = SandboxStore(companies=companies)
    customers = [
        customer(1, "10000", "Association of Skiers"),
        customer(2, "20000", "Ass* Holdings"),
        customer(3, "30000", "O'Brien & Sons Ltd."),
        customer(4, "40000", "Müller Bürobedarf GmbH"),
        customer(5, "50000", "zeta corp"),
    ]
    orders = [
        order(1, "SO/1001", customers[0], "2025-01-10", "100", "Draft"),
        order(2, "SO/1002", customers[0], "2025-02-10", "250.75", "Open"),
        order(3, "SO/1003", customers[1], "2025-03-10", "1000", "In_x0020_Review"),
        order(4, "SO/1004", customers[2], "2025-04-10", "75.5", "Open"),
    ]
    lines = [
        order_line(1, orders[0], 10000, "1000", "1"),
        order_line(2, orders[0], 20000, "1001", "2"),
        order_line(3, orders[1], 10000, "1002", "3"),
        order_line(4, orders[2], 10000, "1000", "4"),
        order_line(5, orders[2], 20000, "1003", "5"),
        order_line(6, orders[2], 30000, "1004", "6"),
    ]
    shipment_lines = [make_row("salesShipmentLine", id=guid(1, "f"), documentId=guid(9, "f"), sequence=10000)]
    for entity_set, rows in (
        ("customers", customers),
        ("salesOrders", orders),
        ("salesOrderLines", lines),
        ("salesShipmentLines", shipment_lines),
    ):
        store.put_table(COMPANY, STANDARD_ROUTE, entity_set, rows)
    store.put_table(OTHER_COMPANY, STANDARD_ROUTE, "customers", [customer(9, "90000", "Elsewhere Inc.")])
    return store


@pytest.fixture
def small_store() -> SandboxStore:
    return build_test_store()


@pytest.fixture
def engine_app(small_store: SandboxStore) -> Starlette:
    return create_sandbox_app(SandboxConfig(), store=small_store)


async def get_token(bc: httpx.AsyncClient) -> str:
    response = await bc.post(
        TOKEN_URL,
        data={
            "grant_type": "client_credentials",
            "client_id": "sandbox-client",
            "client_secret": "sandbox-secret",
            "scope": SCOPE,
        },
    )
    assert response.status_code == 200, response.text
    token: str = response.json()["access_token"]
    return token


@pytest.fixture
async def anonymous_bc(engine_app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=sandbox_transport(engine_app), base_url=BASE_URL) as client:
        yield client


@pytest.fixture
async def bc(anonymous_bc: httpx.AsyncClient) -> httpx.AsyncClient:
    anonymous_bc.headers["Authorization"] = f"Bearer {await get_token(anonymous_bc)}"
    return anonymous_bc


WORLD_TODAY = date(2026, 6, 15)


@pytest.fixture
def world_app() -> Starlette:
    """A sandbox over a small, fresh demo world (writes change it, so one per test)."""
    config = SandboxConfig(scale=0.05, today=WORLD_TODAY)
    return create_sandbox_app(config, store=build_store(42, 0.05, WORLD_TODAY))


@pytest.fixture
async def world_bc(world_app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=sandbox_transport(world_app), base_url=BASE_URL) as client:
        client.headers["Authorization"] = f"Bearer {await get_token(client)}"
        yield client
