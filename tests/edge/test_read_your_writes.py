"""Right after a successful mutation, the caller's orders and queries include it."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest
from starlette.applications import Starlette

from gateway.sandbox.app import create_sandbox_app
from gateway.sandbox.config import SandboxConfig
from gateway.sandbox.store import SandboxStore
from gateway.sandbox.world import build_store
from tests.conftest import SEED, TODAY
from tests.edge.writes_support import WRITE_SCALE, customer, items, place
from tests.helpers import data_of

pytestmark = pytest.mark.anyio


@pytest.fixture
def store() -> SandboxStore:
    return build_store(seed=SEED, scale=WRITE_SCALE, today=TODAY)


@pytest.fixture
def sandbox(store: SandboxStore) -> Starlette:
    return create_sandbox_app(SandboxConfig(seed=SEED, scale=WRITE_SCALE, today=TODAY), store=store)


async def test_a_placed_order_is_on_the_first_page_of_orders_right_away(
    client: httpx.AsyncClient, store: SandboxStore, token_for: Callable[..., str]
) -> None:
    company, number = customer(store)
    token = token_for(number, company)
    cart = [{"itemNumber": items(store, company)[0]["number"], "quantity": "4"}]

    placed = await place(client, token, {"lines": cart, "idempotencyKey": "ryw-order"})
    data = await data_of(client, "{ orders(first: 5) { nodes { number status } } }", token=token)

    assert placed["order"]["number"] in [order["number"] for order in data["orders"]["nodes"]]


async def test_a_submitted_query_is_in_queries_right_away(
    client: httpx.AsyncClient, store: SandboxStore, token_for: Callable[..., str]
) -> None:
    company, number = customer(store)
    token = token_for(number, company)
    submitted = await data_of(
        client,
        """mutation($input: SubmitQueryInput!) {
             submitQuery(input: $input) { ... on CustomerQuery { number } ... on WriteError { code } }
           }""",
        {
            "input": {
                "category": "OTHER",
                "subject": "Hello",
                "message": "Hi there",
                "idempotencyKey": "ryw-q",
            }
        },
        token=token,
    )

    data = await data_of(client, "{ queries(first: 5) { nodes { number subject } } }", token=token)

    assert submitted["submitQuery"]["number"] in [query["number"] for query in data["queries"]["nodes"]]
