"""API routes besides v2.0 (custom APIs such as the portal's) and BC's other addressing forms."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from gateway.sandbox.app import create_sandbox_app
from gateway.sandbox.config import ApiRoute, SandboxConfig
from gateway.sandbox.store import PORTAL_ROUTE, SandboxStore
from gateway.sandbox.transport import sandbox_transport
from tests.sandbox.conftest import API, BASE_URL, COMPANY, ENV_ROOT, get_token

pytestmark = pytest.mark.anyio

# A custom API's EDMX that, like some real ones, does not declare the companies set itself.
PORTAL_EDMX = """<?xml version="1.0" encoding="utf-8"?>
<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx">
  <edmx:DataServices>
    <Schema Namespace="Microsoft.NAV" xmlns="http://docs.oasis-open.org/odata/ns/edm">
      <EnumType Name="queryStatus">
        <Member Name="Open" Value="0" /><Member Name="Closed" Value="1" />
      </EnumType>
      <EntityType Name="customerQuery">
        <Key><PropertyRef Name="id" /></Key>
        <Property Name="id" Type="Edm.Guid" Nullable="false" />
        <Property Name="customerNumber" Type="Edm.String" MaxLength="20" />
        <Property Name="status" Type="Microsoft.NAV.queryStatus" />
      </EntityType>
      <EntityContainer Name="NAV">
        <EntitySet Name="customerQueries" EntityType="Microsoft.NAV.customerQuery" />
      </EntityContainer>
    </Schema>
  </edmx:DataServices>
</edmx:Edmx>
"""
PORTAL = f"{ENV_ROOT}/api/{PORTAL_ROUTE}"


@pytest.fixture
async def portal_bc(small_store: SandboxStore, tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    edmx = tmp_path / "portal.xml"
    edmx.write_text(PORTAL_EDMX)
    standard = SandboxConfig().routes[0]
    config = SandboxConfig(routes=(standard, ApiRoute(PORTAL_ROUTE, edmx)))
    queries = [
        {"id": "99999999-0000-0000-0000-000000000001", "customerNumber": "10000", "status": "Open"},
        {"id": "99999999-0000-0000-0000-000000000002", "customerNumber": "20000", "status": "Closed"},
    ]
    small_store.put_table(COMPANY, PORTAL_ROUTE, "customerQueries", queries)
    transport = sandbox_transport(create_sandbox_app(config, store=small_store))
    async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as client:
        client.headers["Authorization"] = f"Bearer {await get_token(client)}"
        yield client


async def test_a_custom_api_route_serves_its_entity_sets(portal_bc: httpx.AsyncClient) -> None:
    url = f"{PORTAL}/companies({COMPANY})/customerQueries"
    response = await portal_bc.get(url, params={"$filter": "status eq 'Open'"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["@odata.context"] == f"{BASE_URL}{PORTAL}/$metadata#companies({COMPANY})/customerQueries"
    assert [q["customerNumber"] for q in body["value"]] == ["10000"]


async def test_a_custom_api_route_has_its_own_metadata(portal_bc: httpx.AsyncClient) -> None:
    response = await portal_bc.get(f"{PORTAL}/$metadata")
    assert b'EntitySet Name="customerQueries"' in response.content
    assert b"salesOrders" not in response.content


async def test_standard_sets_are_not_served_on_a_custom_route(portal_bc: httpx.AsyncClient) -> None:
    response = await portal_bc.get(f"{PORTAL}/companies({COMPANY})/customers")
    assert response.status_code == 404


async def test_company_as_a_query_parameter(bc: httpx.AsyncClient) -> None:
    by_id = await bc.get(f"{API}/customers", params={"company": COMPANY, "$top": "1"})
    by_name = await bc.get(f"{API}/customers", params={"company": "CRONUS", "$top": "1"})
    assert by_id.json()["value"][0]["number"] == "10000"
    assert by_name.json()["value"] == by_id.json()["value"]


async def test_service_document_lists_served_sets(bc: httpx.AsyncClient) -> None:
    body = (await bc.get(API)).json()
    names = {entry["name"] for entry in body["value"]}
    assert {"companies", "customers", "salesOrders"} <= names
    assert "vendors" not in names
