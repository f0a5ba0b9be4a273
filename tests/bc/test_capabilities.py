"""Capability discovery: what the tenant's $metadata lacks is refused before any HTTP."""

from __future__ import annotations

import pytest
import respx

from gateway.bc import (
    ANALYTICS_API,
    PORTAL_API,
    STANDARD_API,
    BCClient,
    CapabilityUnavailable,
    CustomerScope,
    Query,
)

pytestmark = pytest.mark.anyio

EDMX = """<?xml version="1.0" encoding="utf-8"?>
<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx">
  <edmx:DataServices>
    <Schema Namespace="Microsoft.NAV" xmlns="http://docs.oasis-open.org/odata/ns/edm">
      <EntityContainer Name="NAV">
        <EntitySet Name="items" EntityType="Microsoft.NAV.item" />
        <EntitySet Name="salesOrders" EntityType="Microsoft.NAV.salesOrder" />
      </EntityContainer>
    </Schema>
  </edmx:DataServices>
</edmx:Edmx>"""


@pytest.fixture
def tenant(router: respx.MockRouter) -> respx.MockRouter:
    router.get("/bc/api/v2.0/$metadata").respond(text=EDMX, headers={"content-type": "application/xml"})
    router.get("/bc/api/bcgateway/portal/v1.0/$metadata").respond(
        404, json={"error": {"code": "BadRequest_ResourceNotFound", "message": "No route."}}
    )
    router.get("/bc/api/microsoft/analytics/v1.0/$metadata").respond(503)
    return router


async def test_entity_sets_come_from_the_metadata_and_a_404_route_is_absent(
    client: BCClient, tenant: respx.MockRouter
) -> None:
    await client.capabilities.refresh(client, (STANDARD_API, PORTAL_API, ANALYTICS_API))

    assert client.capabilities.has(STANDARD_API, "items")
    assert not client.capabilities.has(STANDARD_API, "salesOrderArchives")
    assert not client.capabilities.has(PORTAL_API, "shipmentTrackings")
    # BC was unavailable for this route: nothing is known, so BC will decide.
    assert client.capabilities.has(ANALYTICS_API, "customerLedgerEntries")
    assert client.capabilities.snapshot()["api/bcgateway/portal/v1.0"] == {"present": False, "entitySets": []}


async def test_a_missing_capability_is_refused_without_a_request(
    client: BCClient, tenant: respx.MockRouter, scope: CustomerScope
) -> None:
    await client.capabilities.refresh(client, (STANDARD_API, PORTAL_API))
    calls_before = len(tenant.calls)

    with pytest.raises(CapabilityUnavailable) as caught:
        await client.session(scope).fetch(Query("itemAvailabilities"), route=PORTAL_API)

    assert caught.value.code == "CAPABILITY_UNAVAILABLE"
    assert "itemAvailabilities" in caught.value.capability
    assert len(tenant.calls) == calls_before
