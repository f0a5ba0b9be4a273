"""Shared pieces of the write-path tests: GraphQL documents, and ways to read what the sandbox holds
afterwards.  A test that writes is marked ``writes``, which gives it a demo world of its own
(tests/conftest.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from decimal import Decimal
from typing import Any

import httpx
from starlette.applications import Starlette

from gateway.app import create_app
from gateway.edge.development import Development
from gateway.sandbox.store import SandboxStore
from gateway.settings import Settings
from tests.conftest import TODAY
from tests.conftest import WRITE_SCALE as WRITE_SCALE  # where write tests have long imported it from
from tests.helpers import data_of, rows

ORDER_FIELDS = """
  order {
    number status externalDocumentNumber requestedDeliveryDate currencyCode
    totalExcludingTax { amount } totalIncludingTax { amount }
    lines { sequence lineType number quantity unitPrice { amount } amountExcludingTax { amount } }
  }
  skippedLines { sequence itemNumber code message }
"""
ERROR_FIELDS = "code message correlationId lineProblems { index sequence itemNumber code message }"

PLACE_ORDER = f"""
mutation Place($input: PlaceOrderInput!) {{
  placeOrder(input: $input) {{
    __typename
    ... on PlacedOrder {{ {ORDER_FIELDS} }}
    ... on WriteError {{ {ERROR_FIELDS} }}
  }}
}}
"""
REORDER = f"""
mutation Reorder($input: ReorderInput!) {{
  reorder(input: $input) {{
    __typename
    ... on PlacedOrder {{ {ORDER_FIELDS} }}
    ... on WriteError {{ {ERROR_FIELDS} }}
  }}
}}
"""


@asynccontextmanager
async def gateway_client(
    development: Development, settings: Settings | None = None
) -> AsyncIterator[httpx.AsyncClient]:
    """A fresh gateway app (its own lifespan, its own idempotency store) over ``development``."""
    app: Starlette = create_app(settings or Settings(), development=development, today=lambda: TODAY)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gateway.test") as http,
    ):
        yield http


async def place(client: httpx.AsyncClient, token: str, input: dict[str, Any], **kw: Any) -> dict[str, Any]:
    data = await data_of(client, PLACE_ORDER, {"input": input}, token=token, **kw)
    result: dict[str, Any] = data["placeOrder"]
    return result


async def reorder(client: httpx.AsyncClient, token: str, input: dict[str, Any]) -> dict[str, Any]:
    data = await data_of(client, REORDER, {"input": input}, token=token)
    result: dict[str, Any] = data["reorder"]
    return result


def customer(store: SandboxStore, blocked: str = "_x0020_") -> tuple[str, str]:
    """(company id, customer number) of the first customer with that blocked value."""
    company = store.companies[0]["id"]
    row = next(r for r in rows(store, company, "customers") if r["blocked"] == blocked)
    return company, row["number"]


def items(store: SandboxStore, company: str, *, blocked: bool = False) -> list[dict[str, Any]]:
    return [r for r in rows(store, company, "items") if r["blocked"] is blocked]


def orders_of(store: SandboxStore, company: str, number: str) -> list[dict[str, Any]]:
    return [r for r in rows(store, company, "salesOrders") if r["customerNumber"] == number]


def lines_of(store: SandboxStore, company: str, order_id: str) -> list[dict[str, Any]]:
    found = [r for r in rows(store, company, "salesOrderLines") if r["documentId"] == order_id]
    return sorted(found, key=lambda line: line["sequence"])


def decimal(value: Any) -> Decimal:
    return Decimal(str(value))


def bc_writes(log: Any) -> int:
    """BC writes in the sandbox's request log: POST, PATCH and DELETE on entities (a ``$batch``
    envelope is not one; the operations inside it are logged one by one)."""
    return sum(1 for e in log.entries if e.method in ("POST", "PATCH", "DELETE") and e.entity_set != "$batch")
