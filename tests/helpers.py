"""Small helpers shared by the end-to-end tests."""

from __future__ import annotations

from datetime import date
from typing import Any

import httpx

from gateway.sandbox.store import STANDARD_ROUTE, SandboxStore


async def graphql(
    client: httpx.AsyncClient,
    query: str,
    variables: dict[str, Any] | None = None,
    *,
    token: str | None = None,
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    sent = {"content-type": "application/json", **(headers or {})}
    if token is not None:
        sent["authorization"] = f"Bearer {token}"
    return await client.post("/graphql", json={"query": query, "variables": variables or {}}, headers=sent)


async def data_of(
    client: httpx.AsyncClient, query: str, variables: dict[str, Any] | None = None, **kw: Any
) -> Any:
    response = await graphql(client, query, variables, **kw)
    body = response.json()
    assert response.status_code == 200, body
    assert "errors" not in body, body["errors"]
    return body["data"]


def rows(store: SandboxStore, company_id: str, entity_set: str) -> list[dict[str, Any]]:
    return store.table(company_id, STANDARD_ROUTE, entity_set)


def iso(day: date) -> str:
    return day.isoformat()


def customer_rows(
    store: SandboxStore, company_id: str, entity_set: str, customer: str
) -> list[dict[str, Any]]:
    return [row for row in rows(store, company_id, entity_set) if row["customerNumber"] == customer]
