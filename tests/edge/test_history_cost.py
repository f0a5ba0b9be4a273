"""A page of order history costs BC a page's worth of rows, however long and busy the history."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from gateway.app import create_app
from gateway.bc import CacheSettings
from gateway.edge.development import Development, mint_for
from gateway.sandbox.app import sandbox_of
from gateway.sandbox.store import SandboxStore
from gateway.settings import Settings
from tests.conftest import TODAY
from tests.helpers import data_of
from tests.history import long_history_sandbox, long_history_store

pytestmark = pytest.mark.anyio

LONG = 5000  # about fourteen orders a day for a year
PAGE = """query($after: String) {
  orders(first: 20, after: $after) { nodes { number orderDate } pageInfo { endCursor } } }"""


@pytest.fixture(scope="module")
def long_store() -> SandboxStore:
    return long_history_store(LONG)


@pytest.fixture
def sandbox(long_store: SandboxStore) -> Starlette:
    return long_history_sandbox(long_store, LONG)


async def test_later_pages_of_a_busy_history_read_about_a_pages_worth_of_rows(
    development: Development, sandbox: Starlette
) -> None:
    log = sandbox_of(sandbox).log
    customer = next(c for c in development.customers if c.customer_number == f"LONG-{LONG}")
    token = mint_for(development, customer)
    app = create_app(
        Settings(cache=CacheSettings(enabled=False)), development=development, today=lambda: TODAY
    )
    rows: list[int] = []
    seen: set[str] = set()
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gateway.test") as client,
    ):
        after: Any = None
        for _ in range(10):
            log.clear()
            page = (await data_of(client, PAGE, {"after": after}, token=token))["orders"]
            rows.append(log.rows_read())
            seen.update(node["number"] for node in page["nodes"])
            after = page["pageInfo"]["endCursor"]

    assert len(seen) == 200  # ten full pages, each order once
    # Each later page reads its sources strictly below the cursor: about twenty orders' worth of
    # rows and their documents.  Reading from the cursor's day down instead re-read the busy
    # days above the cursor with a doubling $top (713, 711 and 815 rows on pages 2, 8 and 9 here).
    assert max(rows[1:]) < 500, rows
