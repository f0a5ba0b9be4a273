"""Capability discovery: what the tenant's $metadata lacks is refused before any HTTP."""

from __future__ import annotations

import asyncio

import httpx
import pytest
import respx

from gateway.bc import (
    ANALYTICS_API,
    PORTAL_API,
    STANDARD_API,
    BCClient,
    BCSettings,
    CapabilityUnavailable,
    CustomerScope,
    Expand,
    Query,
    scoped,
)
from gateway.bc._capabilities import UNREACHABLE_RETRY_SECONDS
from tests.bc.fakes import FakeTime

pytestmark = pytest.mark.anyio

EDMX = """<?xml version="1.0" encoding="utf-8"?>
<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx">
  <edmx:DataServices>
    <Schema Namespace="Microsoft.NAV" xmlns="http://docs.oasis-open.org/odata/ns/edm">
      <EntityContainer Name="NAV">
        <EntitySet Name="items" EntityType="Microsoft.NAV.item" />
        <EntitySet Name="salesOrders" EntityType="Microsoft.NAV.salesOrder" />
      </EntityContainer>
      <EntityType Name="salesOrder">
        <NavigationProperty Name="salesOrderLines" Type="Collection(Microsoft.NAV.salesOrderLine)" />
      </EntityType>
      <EntityType Name="salesOrderLine">
        <NavigationProperty Name="item" Type="Microsoft.NAV.item" />
      </EntityType>
      <EntityType Name="item">
        <NavigationProperty Name="itemCategory" Type="Microsoft.NAV.itemCategory" />
      </EntityType>
    </Schema>
  </edmx:DataServices>
</edmx:Edmx>"""


@pytest.fixture
def tenant(router: respx.MockRouter) -> respx.MockRouter:
    router.get("/bc/api/v2.0/$metadata", name="standard_metadata").respond(
        text=EDMX, headers={"content-type": "application/xml"}
    )
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
    assert client.capabilities.snapshot()["api/bcgateway/portal/v1.0"] == {
        "present": False,
        "entitySets": [],
        "navigations": {},
    }


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


async def test_navigation_properties_are_recorded_per_entity_set(
    client: BCClient, tenant: respx.MockRouter
) -> None:
    await client.capabilities.refresh(client, (STANDARD_API,))
    snapshot = client.capabilities.snapshot()["api/v2.0"]
    assert snapshot["navigations"] == {"items": ["itemCategory"], "salesOrders": ["salesOrderLines"]}


async def test_a_navigation_is_listed_only_once_the_metadata_listing_it_is_read(
    client: BCClient, tenant: respx.MockRouter
) -> None:
    """An optional $expand (the recent tracking's documents) goes only where BC is known to
    answer it: not before the metadata is read, nor on a route or type without it."""
    capabilities = client.capabilities
    assert not capabilities.lists_navigation(STANDARD_API, "salesOrders", "salesOrderLines")

    await capabilities.refresh(client, (STANDARD_API, PORTAL_API, ANALYTICS_API))

    assert capabilities.lists_navigation(STANDARD_API, "salesOrders", "salesOrderLines")
    assert not capabilities.lists_navigation(STANDARD_API, "salesOrders", "customer")
    assert not capabilities.lists_navigation(PORTAL_API, "shipmentTrackings", "deliveryDocuments")
    assert not capabilities.lists_navigation(ANALYTICS_API, "customerLedgerEntries", "customer")


async def test_an_expand_of_a_navigation_the_tenant_lacks_is_refused_without_a_request(
    client: BCClient, tenant: respx.MockRouter, scope: CustomerScope
) -> None:
    await client.capabilities.refresh(client, (STANDARD_API,))
    calls_before = len(tenant.calls)
    lines = Expand("salesOrderLines", expand=(Expand("item", expand=(Expand("unitOfMeasure"),)),))
    with pytest.raises(CapabilityUnavailable) as caught:
        await client.session(scope).fetch(scoped(Query("salesOrders", expand=(lines,)), scope))
    assert caught.value.capability == "api/v2.0/item/unitOfMeasure"
    assert len(tenant.calls) == calls_before


async def test_an_expand_the_tenant_has_goes_to_bc(
    client: BCClient, tenant: respx.MockRouter, scope: CustomerScope
) -> None:
    await client.capabilities.refresh(client, (STANDARD_API,))
    route = tenant.get("/bc/api/v2.0/companies(3ab5c248-e72b-f011-9a4a-7c1e5275406f)/items").respond(
        json={"value": []}
    )
    await client.session(scope).fetch(Query("items", expand=(Expand("itemCategory"),)))
    assert route.call_count == 1


async def test_capabilities_are_read_again_every_interval_until_cancelled(
    client: BCClient, tenant: respx.MockRouter
) -> None:
    metadata = tenant.routes["standard_metadata"]
    sleeps: list[float] = []

    async def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        if len(sleeps) > 3:
            raise asyncio.CancelledError

    with pytest.raises(asyncio.CancelledError):
        await client.capabilities.keep_fresh(client, (STANDARD_API,), 120.0, sleep)
    assert sleeps == [120.0] * 4
    assert metadata.call_count == 3


async def test_while_bc_cannot_be_reached_it_is_asked_again_soon_not_after_the_interval(
    client: BCClient, tenant: respx.MockRouter
) -> None:
    metadata = tenant.routes["standard_metadata"]
    answer = metadata.return_value
    metadata.side_effect = httpx.ConnectError("refused")
    await client.capabilities.refresh(client, (STANDARD_API,))
    assert client.capabilities.reachable is False
    sleeps: list[float] = []

    async def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        metadata.side_effect = None  # BC is back
        metadata.return_value = answer
        if len(sleeps) > 2:
            raise asyncio.CancelledError

    with pytest.raises(asyncio.CancelledError):
        await client.capabilities.keep_fresh(client, (STANDARD_API,), 120.0, sleep)
    assert sleeps == [UNREACHABLE_RETRY_SECONDS, 120.0, 120.0]
    assert client.capabilities.reachable is True


async def test_refresh_records_that_bc_could_not_be_reached(
    settings: BCSettings, router: respx.MockRouter
) -> None:
    router.get("/bc/api/v2.0/$metadata").mock(side_effect=httpx.ConnectError("refused"))
    transport = httpx.MockTransport(router.async_handler)
    async with BCClient(settings, transport=transport, clock=FakeTime().clock()) as bc:
        assert bc.capabilities.reachable is None
        await bc.capabilities.refresh(bc, (STANDARD_API,))
        assert bc.capabilities.reachable is False


async def test_an_answer_that_is_not_metadata_still_means_bc_was_reached(
    client: BCClient, router: respx.MockRouter
) -> None:
    router.get("/bc/api/v2.0/$metadata").respond(400)
    await client.capabilities.refresh(client, (STANDARD_API,))
    assert client.capabilities.reachable is True
