"""Right after a successful mutation, the caller's orders and queries include it, also when they
were read (and kept: docs/caching.md) just before."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from gateway.edge.development import Development
from gateway.sandbox.store import SandboxStore
from gateway.settings import Settings
from gateway.store import StoreSettings
from tests.edge.test_reorder import order_with_item_lines, reorderer, unblocked
from tests.edge.writes_support import customer, gateway_client, items, place, reorder
from tests.helpers import data_of, graphql
from tests.redis_server import RedisServer

pytestmark = [pytest.mark.anyio, pytest.mark.writes]


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


# With the answer cache: the caller's kept answers are dropped by its own write.

ORDERS = "{ orders(first: 5) { nodes { number status } } }"
QUERIES = "{ queries(first: 5) { nodes { id number subject messages { body } } } }"
SUBMIT = """mutation($input: SubmitQueryInput!) {
  submitQuery(input: $input) { ... on CustomerQuery { number } ... on WriteError { code } }
}"""
REPLY = """mutation($input: ReplyToQueryInput!) {
  replyToQuery(input: $input) { ... on CustomerQuery { number } ... on WriteError { code } }
}"""


async def test_orders_read_before_placing_an_order_show_it_right_after(
    client: httpx.AsyncClient, store: SandboxStore, token_for: Callable[..., str]
) -> None:
    company, number = customer(store)
    token = token_for(number, company)
    before = await data_of(client, ORDERS, token=token)  # kept for 15 s
    cart = [{"itemNumber": items(store, company)[0]["number"], "quantity": "2"}]

    placed = await place(client, token, {"lines": cart, "idempotencyKey": "ryw-kept-order"})
    after = await data_of(client, ORDERS, token=token)

    assert placed["order"]["number"] not in [order["number"] for order in before["orders"]["nodes"]]
    assert placed["order"]["number"] in [order["number"] for order in after["orders"]["nodes"]]


async def test_queries_read_before_submitting_one_show_it_right_after(
    client: httpx.AsyncClient, store: SandboxStore, token_for: Callable[..., str]
) -> None:
    company, number = customer(store)
    token = token_for(number, company)
    await data_of(client, QUERIES, token=token)  # kept for 15 s
    question = {"category": "OTHER", "subject": "Kept?", "message": "Hi", "idempotencyKey": "ryw-kept-q"}

    submitted = await data_of(client, SUBMIT, {"input": question}, token=token)
    after = await data_of(client, QUERIES, token=token)

    assert submitted["submitQuery"]["number"] in [query["number"] for query in after["queries"]["nodes"]]


async def test_a_query_read_before_replying_to_it_shows_the_reply_right_after(
    client: httpx.AsyncClient, store: SandboxStore, token_for: Callable[..., str]
) -> None:
    company, number = customer(store)
    token = token_for(number, company)
    question = {"category": "OTHER", "subject": "Reply?", "message": "Hi", "idempotencyKey": "ryw-q-1"}
    submitted = (await data_of(client, SUBMIT, {"input": question}, token=token))["submitQuery"]
    await data_of(client, QUERIES, token=token)  # kept, with its one message
    answer = {"queryNumber": submitted["number"], "message": "One more thing", "idempotencyKey": "ryw-r-1"}

    replied = await data_of(client, REPLY, {"input": answer}, token=token)
    after = await data_of(client, QUERIES, token=token)

    assert replied["replyToQuery"]["number"] == submitted["number"]
    thread = next(query for query in after["queries"]["nodes"] if query["number"] == submitted["number"])
    assert [message["body"] for message in thread["messages"]] == ["Hi", "One more thing"]


# With the response cache: a whole query answer kept before the write is not served after it.


async def kept_whole(client: httpx.AsyncClient, query: str, token: str, bc_log: Any) -> None:
    """Ask ``query`` twice: the second answer is the first one kept whole (no BC request)."""
    await data_of(client, query, token=token)
    bc_log.clear()
    again = await graphql(client, query, token=token)
    assert bc_log.entries == []
    assert "oldestDataAgeSeconds" in again.json()["extensions"]


async def test_a_kept_orders_response_shows_the_callers_reorder_right_after(
    client: httpx.AsyncClient, store: SandboxStore, token_for: Callable[..., str], bc_log: Any
) -> None:
    company, number = reorderer(store)
    unblocked(store, company)
    token = token_for(number, company)
    original = order_with_item_lines(store, company, number)
    await kept_whole(client, ORDERS, token, bc_log)

    placed = await reorder(client, token, {"orderNumber": original["number"], "idempotencyKey": "ryw-whole"})
    after = await data_of(client, ORDERS, token=token)

    assert placed["__typename"] == "PlacedOrder", placed
    assert placed["order"]["number"] in [order["number"] for order in after["orders"]["nodes"]]


async def test_a_kept_queries_response_shows_the_callers_submitted_query_right_after(
    client: httpx.AsyncClient, store: SandboxStore, token_for: Callable[..., str], bc_log: Any
) -> None:
    company, number = customer(store)
    token = token_for(number, company)
    await kept_whole(client, QUERIES, token, bc_log)
    question = {"category": "OTHER", "subject": "Whole?", "message": "Hi", "idempotencyKey": "ryw-whole-q"}

    submitted = await data_of(client, SUBMIT, {"input": question}, token=token)
    after = await data_of(client, QUERIES, token=token)

    assert submitted["submitQuery"]["number"] in [query["number"] for query in after["queries"]["nodes"]]


async def test_a_mutation_reads_what_bc_holds_now_not_a_kept_answer(
    client: httpx.AsyncClient, store: SandboxStore, token_for: Callable[..., str], bc_log: Any
) -> None:
    company, number = customer(store)
    token = token_for(number, company)
    # `me` without aging is the very read placeOrder makes to check the customer: kept now.
    await data_of(client, "{ me { number blocked } }", token=token)
    bc_log.clear()
    cart = [{"itemNumber": items(store, company)[0]["number"], "quantity": "1"}]

    placed = await place(client, token, {"lines": cart, "idempotencyKey": "ryw-fresh"})

    assert "number" in placed["order"]
    assert "customers" in [entry.entity_set for entry in bc_log.entries]


async def test_with_redis_an_order_placed_through_one_replica_is_in_the_others_kept_orders(
    development: Development, store: SandboxStore, token_for: Callable[..., str], redis_server: RedisServer
) -> None:
    company, number = customer(store)
    token = token_for(number, company)
    shared = StoreSettings(redis_server.url, prefix=f"test-ryw-{uuid.uuid4().hex[:8]}")
    cart = [{"itemNumber": items(store, company)[0]["number"], "quantity": "3"}]
    async with (
        gateway_client(development, Settings(store=shared)) as one,
        gateway_client(development, Settings(store=shared)) as two,
    ):
        await data_of(one, ORDERS, token=token)
        kept_by_two = await graphql(two, ORDERS, token=token)  # the first replica's answer, from Redis
        placed = await place(one, token, {"lines": cart, "idempotencyKey": "ryw-replicas"})
        after = await data_of(two, ORDERS, token=token)

    assert "oldestDataAgeSeconds" in kept_by_two.json()["extensions"]
    assert placed["order"]["number"] in [order["number"] for order in after["orders"]["nodes"]]
