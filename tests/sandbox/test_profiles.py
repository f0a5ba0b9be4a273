"""BC version profiles: a tenant without the portal extension, without the analytics API, or bare."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from gateway.sandbox.app import create_sandbox_app
from gateway.sandbox.config import NEWER_THAN_2025, SandboxConfig
from gateway.sandbox.store import STANDARD_ROUTE, SandboxStore
from gateway.sandbox.transport import sandbox_transport
from gateway.sandbox.world import build_store
from tests.sandbox.conftest import BASE_URL, ENV_ROOT, WORLD_TODAY, get_token, make_row

pytestmark = pytest.mark.anyio

PORTAL = f"{ENV_ROOT}/api/bcgateway/portal/v1.0"
ANALYTICS = f"{ENV_ROOT}/api/microsoft/analytics/v1.0"
STANDARD = f"{ENV_ROOT}/api/v2.0"


@pytest.fixture(scope="module")
def world() -> SandboxStore:
    return build_store(42, 0.05, WORLD_TODAY)


async def _client(profile: str, store: SandboxStore) -> AsyncIterator[httpx.AsyncClient]:
    app = create_sandbox_app(SandboxConfig(profile=profile, today=WORLD_TODAY), store=store)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=sandbox_transport(app), base_url=BASE_URL) as client:
        client.headers["Authorization"] = f"Bearer {await get_token(client)}"
        yield client


async def _status(client: httpx.AsyncClient, root: str, company: str, entity_set: str) -> int:
    return (await client.get(f"{root}/companies({company})/{entity_set}")).status_code


@pytest.mark.parametrize(
    ("profile", "portal", "analytics"),
    [("full", 200, 200), ("no-portal", 404, 200), ("no-analytics", 200, 404), ("bare", 404, 404)],
)
async def test_each_profile_serves_only_its_routes(
    world: SandboxStore, profile: str, portal: int, analytics: int
) -> None:
    company = world.companies[0]["id"]
    async for client in _client(profile, world):
        assert await _status(client, STANDARD, company, "salesOrders") == 200
        assert await _status(client, PORTAL, company, "customerQueries") == portal
        assert await _status(client, ANALYTICS, company, "customerLedgerEntries") == analytics
        assert (await client.get(f"{PORTAL}/$metadata")).status_code == portal
        assert (await client.get(f"{ANALYTICS}/$metadata")).status_code == analytics
        assert (await client.get(f"{STANDARD}/$metadata")).status_code == 200


async def test_a_missing_route_answers_as_bc_does_for_an_unknown_segment(world: SandboxStore) -> None:
    company = world.companies[0]["id"]
    async for client in _client("no-portal", world):
        response = await client.get(f"{PORTAL}/companies({company})/customerQueries")
        error = response.json()["error"]
        assert error["code"] == "BadRequest_ResourceNotFound"
        assert error["message"].startswith("Resource not found for the segment 'bcgateway'.")
        write = await client.post(f"{PORTAL}/companies({company})/customerQueries", json={})
        assert write.status_code == 404


async def test_bare_leaves_out_standard_sets_newer_than_the_2025_metadata(world: SandboxStore) -> None:
    # A store that has one of the newer sets (as a 2026 tenant would): full serves it, bare does not.
    store = SandboxStore(companies=world.companies)
    company = world.companies[0]["id"]
    newer = "salesOrderArchives"
    assert newer in NEWER_THAN_2025
    store.put_table(company, STANDARD_ROUTE, "customers", [make_row("customer", id=company, number="1")])
    store.put_table(company, STANDARD_ROUTE, newer, [{"id": company}])
    config = SandboxConfig(profile="bare")
    assert not config.serves_set(STANDARD_ROUTE, newer)
    assert SandboxConfig().serves_set(STANDARD_ROUTE, newer)
    async for client in _client("bare", store):
        assert await _status(client, STANDARD, company, newer) == 404
        assert newer.encode() not in (await client.get(f"{STANDARD}/$metadata")).content
        assert await _status(client, STANDARD, company, "customers") == 200


def test_an_unknown_profile_is_refused() -> None:
    with pytest.raises(ValueError, match="profile"):
        SandboxConfig(profile="legacy")  # type: ignore[arg-type]


async def test_full_serves_the_demo_worlds_order_archives_and_bare_answers_as_for_an_unknown_set(
    world: SandboxStore,
) -> None:
    company = world.companies[0]["id"]
    archives = f"{STANDARD}/companies({company})/salesOrderArchives"
    async for client in _client("full", world):
        response = await client.get(archives, params={"$top": "3", "$expand": "salesOrderArchiveLines"})
        assert response.status_code == 200, response.text
        served = response.json()["value"]
        assert served
        assert all(row["salesOrderArchiveLines"] for row in served)
        for row in served:
            assert {line["documentNumber"] for line in row["salesOrderArchiveLines"]} == {row["number"]}
        assert b"salesOrderArchiveLines" in (await client.get(f"{STANDARD}/$metadata")).content
    async for client in _client("bare", world):
        unknown = await client.get(archives)
        nonsense = await client.get(f"{STANDARD}/companies({company})/noSuchEntitySet")
        assert unknown.status_code == nonsense.status_code == 404
        assert unknown.json()["error"]["code"] == nonsense.json()["error"]["code"]
        assert b"salesOrderArchive" not in (await client.get(f"{STANDARD}/$metadata")).content
