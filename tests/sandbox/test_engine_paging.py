"""Server-driven paging: Prefer odata.maxpagesize, @odata.nextLink, and none with $top."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from gateway.sandbox.app import create_sandbox_app
from gateway.sandbox.config import SandboxConfig
from gateway.sandbox.store import STANDARD_ROUTE, SandboxStore
from gateway.sandbox.transport import sandbox_transport
from tests.sandbox.conftest import BASE_URL, CO, COMPANY, customer, get_token

pytestmark = pytest.mark.anyio


@pytest.fixture
def big_store(small_store: SandboxStore) -> SandboxStore:
    rows = [customer(100 + n, f"C{n:05d}", f"Customer {n}") for n in range(47)]
    small_store.put_table(COMPANY, STANDARD_ROUTE, "customers", rows)
    return small_store


async def follow(bc: httpx.AsyncClient, url: str, **kwargs: Any) -> tuple[list[str], int]:
    numbers: list[str] = []
    requests = 0
    next_url: str | None = url
    while next_url:
        response = await bc.get(next_url, **kwargs)
        requests += 1
        assert response.status_code == 200, response.text
        body = response.json()
        numbers += [row["number"] for row in body["value"]]
        next_url = body.get("@odata.nextLink")
        kwargs.pop("params", None)  # the nextLink carries the query
    return numbers, requests


async def test_pages_follow_next_links_complete_and_in_order(
    bc: httpx.AsyncClient, big_store: SandboxStore
) -> None:
    headers = {"Prefer": "odata.maxpagesize=10"}
    numbers, requests = await follow(
        bc, f"{CO}/customers", headers=headers, params={"$orderby": "number desc"}
    )
    assert numbers == [f"C{n:05d}" for n in reversed(range(47))]
    assert requests == 5


async def test_next_link_keeps_filter_and_skip(bc: httpx.AsyncClient, big_store: SandboxStore) -> None:
    headers = {"Prefer": "odata.maxpagesize=4"}
    params = {"$filter": "startswith(number,'C0001')", "$skip": "1"}
    numbers, _ = await follow(bc, f"{CO}/customers", headers=headers, params=params)
    assert numbers == [f"C{n:05d}" for n in range(11, 20)]


async def test_page_size_preference_is_reported(bc: httpx.AsyncClient, big_store: SandboxStore) -> None:
    response = await bc.get(f"{CO}/customers", headers={"Prefer": "odata.maxpagesize=10"})
    assert response.headers["Preference-Applied"] == "odata.maxpagesize=10"
    assert len(response.json()["value"]) == 10
    assert response.json()["@odata.nextLink"].startswith(f"{BASE_URL}{CO}/customers?")


async def test_the_last_page_has_no_next_link(bc: httpx.AsyncClient, big_store: SandboxStore) -> None:
    response = await bc.get(f"{CO}/customers", headers={"Prefer": "odata.maxpagesize=47"})
    assert "@odata.nextLink" not in response.json()


async def test_top_gives_no_next_link(bc: httpx.AsyncClient, big_store: SandboxStore) -> None:
    response = await bc.get(
        f"{CO}/customers", params={"$top": "30"}, headers={"Prefer": "odata.maxpagesize=10"}
    )
    body = response.json()
    assert len(body["value"]) == 10
    assert "@odata.nextLink" not in body


async def test_page_size_is_capped_by_the_server(big_store: SandboxStore) -> None:
    engine_app: Starlette = create_sandbox_app(
        SandboxConfig(max_page_size=20, default_page_size=15), store=big_store
    )
    async with httpx.AsyncClient(transport=sandbox_transport(engine_app), base_url=BASE_URL) as bc:
        bc.headers["Authorization"] = f"Bearer {await get_token(bc)}"
        default = await bc.get(f"{CO}/customers")
        capped = await bc.get(f"{CO}/customers", headers={"Prefer": "odata.maxpagesize=30000"})
    assert len(default.json()["value"]) == 15
    assert len(capped.json()["value"]) == 20


async def test_a_forged_skiptoken_is_refused(bc: httpx.AsyncClient, big_store: SandboxStore) -> None:
    response = await bc.get(f"{CO}/customers", params={"$skiptoken": "not-a-token"})
    assert response.status_code == 400
