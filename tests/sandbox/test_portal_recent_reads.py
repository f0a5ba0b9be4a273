"""The portal extension's sets answer ``$orderby`` and ``$top`` as BC's platform does for any API
page: the gateway reads a customer's newest trackings and its delivery documents that way
(docs/bc-extension.md, "What the gateway asks of each set")."""

from __future__ import annotations

import httpx
import pytest
from starlette.applications import Starlette

from gateway.sandbox.app import sandbox_of
from gateway.sandbox.store import PORTAL_ROUTE

pytestmark = pytest.mark.anyio

PORTAL = "/v2.0/sandbox/production/api/bcgateway/portal/v1.0"


def _customer_with_documents(world_app: Starlette) -> tuple[str, str]:
    store = sandbox_of(world_app).store
    company = store.companies[0]["id"]
    documents = store.table(company, PORTAL_ROUTE, "deliveryDocuments")
    return company, sorted({row["customerNumber"] for row in documents})[0]


async def test_a_customers_newest_trackings_come_by_shipment_number_descending_and_top(
    world_app: Starlette, world_bc: httpx.AsyncClient
) -> None:
    company, customer = _customer_with_documents(world_app)
    held = sandbox_of(world_app).store.table(company, PORTAL_ROUTE, "shipmentTrackings")
    numbers = sorted(
        (row["shipmentNumber"] for row in held if row["customerNumber"] == customer), reverse=True
    )
    params = {"$filter": f"customerNumber eq '{customer}'", "$orderby": "shipmentNumber desc", "$top": "3"}

    response = await world_bc.get(f"{PORTAL}/companies({company})/shipmentTrackings", params=params)

    assert response.status_code == 200, response.text
    assert [row["shipmentNumber"] for row in response.json()["value"]] == numbers[:3]


async def test_a_customers_delivery_documents_come_in_the_order_asked_and_at_most_top(
    world_app: Starlette, world_bc: httpx.AsyncClient
) -> None:
    company, customer = _customer_with_documents(world_app)
    held = sandbox_of(world_app).store.table(company, PORTAL_ROUTE, "deliveryDocuments")
    mine = [row for row in held if row["customerNumber"] == customer]
    url = f"{PORTAL}/companies({company})/deliveryDocuments"
    scope = {
        "$filter": f"customerNumber eq '{customer}'",
        "$orderby": "lastModifiedDateTime asc,fileName asc",
    }

    every = (await world_bc.get(url, params={**scope, "$top": str(len(mine) + 1)})).json()["value"]
    cut = (await world_bc.get(url, params={**scope, "$top": str(len(mine) - 1)})).json()["value"]

    times = [row["lastModifiedDateTime"] for row in every]
    assert len(every) == len(mine)
    assert times == sorted(times)
    assert cut == every[:-1]


async def test_a_trackings_delivery_documents_come_by_its_contained_navigation(
    world_app: Starlette, world_bc: httpx.AsyncClient
) -> None:
    """``$expand=deliveryDocuments`` on ``shipmentTrackings``: each shipment's documents, all of
    them, with the nested ``$select`` and ``$orderby`` (none: an empty list), as BC's platform
    answers a contained navigation (an AL ``part``)."""
    company, customer = _customer_with_documents(world_app)
    held = sandbox_of(world_app).store.table(company, PORTAL_ROUTE, "deliveryDocuments")
    params = {
        "$filter": f"customerNumber eq '{customer}'",
        "$orderby": "shipmentNumber desc",
        "$expand": "deliveryDocuments($select=id,shipmentId,fileName;"
        "$orderby=lastModifiedDateTime asc,fileName asc)",
    }

    response = await world_bc.get(f"{PORTAL}/companies({company})/shipmentTrackings", params=params)

    assert response.status_code == 200, response.text
    trackings = response.json()["value"]
    for tracking in trackings:
        mine = sorted(
            (row for row in held if row["shipmentId"] == tracking["shipmentId"]),
            key=lambda row: (row["lastModifiedDateTime"], row["fileName"]),
        )
        documents = tracking["deliveryDocuments"]
        assert [d["id"] for d in documents] == [row["id"] for row in mine]
        assert all(set(d) == {"@odata.etag", "id", "shipmentId", "fileName"} for d in documents)
    assert any(t["deliveryDocuments"] for t in trackings)
    assert any(t["deliveryDocuments"] == [] for t in trackings)


async def test_the_portal_metadata_lists_the_trackings_contained_navigation(
    world_bc: httpx.AsyncClient,
) -> None:
    response = await world_bc.get(f"{PORTAL}/$metadata")

    assert response.status_code == 200
    assert (
        '<NavigationProperty Name="deliveryDocuments" Type="Collection(Microsoft.NAV.deliveryDocument)" '
        'ContainsTarget="true">' in response.text
    )
