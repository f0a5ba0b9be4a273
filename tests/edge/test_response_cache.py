"""Whole responses to queries kept while the answers they were built from are current
(docs/caching.md): served with no execution and no BC request, never to another customer, never
after a write or a change event, never past an expiry, never with errors.

The wall clock that dates answers and responses is injected: no test waits.
"""

from __future__ import annotations

import contextlib
import hashlib
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from gateway.app import create_app
from gateway.bc import AnswerCache, AnswerSource, CacheSettings
from gateway.edge.development import Development
from gateway.edge.response_cache import ResponseCache
from gateway.edge.state import gateway_state
from gateway.resolvers.context import PortalPolicy
from gateway.sandbox.store import SandboxStore
from gateway.settings import Settings
from gateway.store import StoreSettings, open_store
from tests.conftest import TODAY
from tests.edge.conftest import FakeClock
from tests.edge.portal_support import other_customers
from tests.edge.test_answer_cache import a_customer
from tests.edge.test_companies import token_spanning, two_memberships
from tests.helpers import graphql
from tests.redis_server import RedisServer

pytestmark = pytest.mark.anyio

DASHBOARD = """
{
  me { number balance { amount } creditLimit { amount } }
  orders(first: 5) { nodes { number orderDate status totalIncludingTax { amount } } }
  invoices(first: 5) { nodes { number dueDate remainingAmount { amount } } }
}
"""
ORDERS = "{ orders(first: 5) { nodes { number status } } }"
SIZED = "query Sized($n: Int) { orders(first: $n) { nodes { number } } }"
TWO_OPERATIONS = "query Mine { me { number } } query Recent { orders(first: 2) { nodes { number } } }"
BACKWARDS = """{ me { number }
  orders(first: 1, filter: { from: "2026-05-01", to: "2026-01-01" }) { nodes { number } } }"""


@contextlib.asynccontextmanager
async def served_app(
    development: Development, clock: FakeClock, settings: Settings | None = None
) -> AsyncIterator[tuple[Starlette, httpx.AsyncClient]]:
    app = create_app(
        settings or Settings(), development=development, today=lambda: TODAY, clock=clock, wall_clock=clock
    )
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gateway.test") as http,
    ):
        yield app, http


@pytest.fixture
async def served(
    development: Development, clock: FakeClock, shared_store: SandboxStore, token_for: Any
) -> AsyncIterator[tuple[Starlette, httpx.AsyncClient]]:
    async with served_app(development, clock) as pair:
        await known_currency(pair[1], shared_store, token_for)
        yield pair


async def known_currency(client: httpx.AsyncClient, store: SandboxStore, token_for: Any) -> None:
    """The company's currency, read once per app (``generalLedgerSetup`` is never a kept answer,
    so the response that reads it is not kept): read before the tests' own queries."""
    company, number = a_customer(store)
    someone_else = other_customers(store, company, number)[-1]
    await ask(client, "{ me { balance { amount } } }", token_for(someone_else, company))


def counted(app: Starlette) -> Counter[str]:
    """The response cache's lookups since the currency was read."""
    return responses_of(app).stats - Counter(miss=1)


def responses_of(app: Starlette) -> ResponseCache:
    responses = gateway_state(app).responses
    assert responses is not None
    return responses


def answer_lookups(app: Starlette) -> int:
    """Every lookup the answer cache made: each read of an executed query makes one."""
    answers = gateway_state(app).bc.answers
    assert answers is not None
    return sum(count for (_, outcome), count in answers.stats.items() if outcome != "invalidated")


async def ask(
    client: httpx.AsyncClient, query: str, token: str, variables: dict[str, Any] | None = None, **kw: Any
) -> dict[str, Any]:
    response = await graphql(client, query, variables, token=token, **kw)
    body: dict[str, Any] = response.json()
    assert response.status_code == 200, body
    assert "errors" not in body, body
    return body


async def test_a_repeated_query_is_answered_whole_without_execution_or_bc_and_its_age_grows(
    served: tuple[Starlette, httpx.AsyncClient],
    shared_store: SandboxStore,
    token_for: Any,
    bc_log: Any,
    clock: FakeClock,
) -> None:
    app, client = served
    company, number = a_customer(shared_store)
    token = token_for(number, company)
    first = await ask(client, DASHBOARD, token)
    lookups = answer_lookups(app)
    bc_log.clear()

    clock.advance(5.0)
    again = await ask(client, DASHBOARD, token)
    clock.advance(3.0)
    later = await ask(client, DASHBOARD, token)

    assert bc_log.entries == []
    assert answer_lookups(app) == lookups  # nothing executed: no read was even asked for
    assert again["data"] == later["data"] == first["data"]
    assert "extensions" not in first  # everything read from BC for it
    assert again["extensions"] == {"oldestDataAgeSeconds": 5.0}
    assert later["extensions"] == {"oldestDataAgeSeconds": 8.0}  # computed when served
    assert counted(app) == {"miss": 1, "hit": 2}


async def test_two_customers_sending_the_same_query_each_get_their_own(
    served: tuple[Starlette, httpx.AsyncClient], shared_store: SandboxStore, token_for: Any
) -> None:
    app, client = served
    company, number = a_customer(shared_store)
    other = other_customers(shared_store, company, number)[0]

    mine = await ask(client, DASHBOARD, token_for(number, company))
    theirs = await ask(client, DASHBOARD, token_for(other, company))
    mine_again = await ask(client, DASHBOARD, token_for(number, company))

    assert mine["data"]["me"]["number"] == number
    assert theirs["data"]["me"]["number"] == other
    assert mine_again["data"] == mine["data"]
    assert counted(app) == {"miss": 2, "hit": 1}


async def test_variables_operation_names_and_companies_never_share_a_response(
    served: tuple[Starlette, httpx.AsyncClient],
    shared_store: SandboxStore,
    token_for: Any,
    development: Development,
) -> None:
    app, client = served
    company, number = a_customer(shared_store)
    token = token_for(number, company)

    one = await ask(client, SIZED, token, {"n": 1})
    two = await ask(client, SIZED, token, {"n": 2})
    one_again = await ask(client, SIZED, token, {"n": 1})
    assert (len(one["data"]["orders"]["nodes"]), len(two["data"]["orders"]["nodes"])) == (1, 2)
    assert one_again["data"] == one["data"]

    mine = (await graphql_named(client, TWO_OPERATIONS, "Mine", token))["data"]
    recent = (await graphql_named(client, TWO_OPERATIONS, "Recent", token))["data"]
    assert set(mine) == {"me"}
    assert set(recent) == {"orders"}

    memberships = two_memberships(shared_store)
    spanning = token_spanning(development, memberships)
    first = await ask(client, "{ me { number } }", spanning, headers={"x-bc-company": memberships[0][0]})
    second = await ask(client, "{ me { number } }", spanning, headers={"x-bc-company": memberships[1][0]})
    assert first["data"]["me"]["number"] == memberships[0][2]
    assert second["data"]["me"]["number"] == memberships[1][2]
    assert counted(app) == {"miss": 6, "hit": 1}


async def test_extensions_holding_a_lone_surrogate_are_answered_and_kept_like_any_other(
    served: tuple[Starlette, httpx.AsyncClient], shared_store: SandboxStore, token_for: Any
) -> None:
    # JSON may escape a lone surrogate, which no UTF-8 text can hold: the response's key once
    # held it unescaped, and encoding the key failed with a stack trace.
    app, client = served
    company, number = a_customer(shared_store)
    headers = {"authorization": f"Bearer {token_for(number, company)}", "content-type": "application/json"}
    body = b'{"query": "{ me { number } }", "extensions": {"trace": "\\ud800"}}'

    answers = [await client.post("/graphql", content=body, headers=headers) for _ in range(2)]

    assert [answer.status_code for answer in answers] == [200, 200]
    assert [answer.json()["data"] for answer in answers] == [{"me": {"number": number}}] * 2
    assert counted(app) == {"miss": 1, "hit": 1}


async def graphql_named(client: httpx.AsyncClient, document: str, name: str, token: str) -> dict[str, Any]:
    response = await client.post(
        "/graphql",
        json={"query": document, "operationName": name},
        headers={"authorization": f"Bearer {token}"},
    )
    body: dict[str, Any] = response.json()
    assert "errors" not in body, body
    return body


async def test_a_kept_response_expires_with_its_earliest_answer(
    served: tuple[Starlette, httpx.AsyncClient],
    shared_store: SandboxStore,
    token_for: Any,
    bc_log: Any,
    clock: FakeClock,
) -> None:
    app, client = served
    company, number = a_customer(shared_store)
    token = token_for(number, company)
    await ask(client, DASHBOARD, token)  # orders and invoices kept 15 s, the account 30 s
    bc_log.clear()

    clock.advance(14.0)
    await ask(client, DASHBOARD, token)
    assert bc_log.entries == []
    clock.advance(1.0)
    fresh = await ask(client, DASHBOARD, token)

    assert {"salesOrders", "salesInvoices"} <= {entry.entity_set for entry in bc_log.entries}
    assert fresh["extensions"] == {"oldestDataAgeSeconds": 15.0}  # the account, still kept
    assert counted(app) == {"miss": 1, "hit": 1, "stale": 1}


async def test_a_response_with_errors_is_not_kept(
    served: tuple[Starlette, httpx.AsyncClient], shared_store: SandboxStore, token_for: Any
) -> None:
    app, client = served
    company, number = a_customer(shared_store)
    token = token_for(number, company)

    for _ in range(2):
        body = (await graphql(client, BACKWARDS, token=token)).json()
        assert body["data"]["me"]["number"] == number
        assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"

    assert counted(app) == {"miss": 2}


async def test_get_and_persisted_documents_are_kept_by_their_document(
    served: tuple[Starlette, httpx.AsyncClient], shared_store: SandboxStore, token_for: Any, bc_log: Any
) -> None:
    app, client = served
    company, number = a_customer(shared_store)
    headers = {"authorization": f"Bearer {token_for(number, company)}"}
    sha = hashlib.sha256(ORDERS.encode()).hexdigest()
    apq = {"persistedQuery": {"version": 1, "sha256Hash": sha}}

    sent = await client.get("/graphql", params={"query": ORDERS}, headers=headers)
    registered = await client.post("/graphql", json={"query": ORDERS, "extensions": apq}, headers=headers)
    bc_log.clear()
    by_hash = await client.post("/graphql", json={"extensions": apq}, headers=headers)

    assert sent.status_code == registered.status_code == by_hash.status_code == 200
    assert sent.json()["data"] == registered.json()["data"] == by_hash.json()["data"]
    assert bc_log.entries == []
    assert counted(app) == {"miss": 1, "hit": 2}


async def test_with_the_cache_off_every_query_executes(
    development: Development, clock: FakeClock, shared_store: SandboxStore, token_for: Any, bc_log: Any
) -> None:
    company, number = a_customer(shared_store)
    token = token_for(number, company)
    settings = Settings(cache=CacheSettings(enabled=False))
    async with served_app(development, clock, settings) as (app, client):
        await ask(client, ORDERS, token)
        bc_log.clear()
        again = await ask(client, ORDERS, token)

    assert gateway_state(app).responses is None
    assert bc_log.entries != []
    assert "extensions" not in again


async def test_with_redis_replicas_share_kept_responses_and_each_others_invalidations(
    development: Development,
    clock: FakeClock,
    shared_store: SandboxStore,
    token_for: Any,
    bc_log: Any,
    redis_server: RedisServer,
) -> None:
    company, number = a_customer(shared_store)
    token = token_for(number, company)
    shared = Settings(store=StoreSettings(redis_server.url, prefix=f"test-responses-{uuid.uuid4().hex[:8]}"))
    async with (
        served_app(development, clock, shared) as (one, one_http),
        served_app(development, clock, shared) as (two, two_http),
    ):
        first = await ask(one_http, ORDERS, token)
        bc_log.clear()
        clock.advance(2.0)
        from_one = await ask(two_http, ORDERS, token)  # kept by the first replica, in Redis
        assert bc_log.entries == []
        assert from_one["data"] == first["data"]
        assert from_one["extensions"] == {"oldestDataAgeSeconds": 2.0}

        answers = gateway_state(one).bc.answers
        assert answers is not None
        await answers.record_changed(uuid.UUID(company), "salesOrders", number)  # on the first replica
        await ask(two_http, ORDERS, token)

    assert {entry.entity_set for entry in bc_log.entries} >= {"salesOrders"}
    assert responses_of(one).stats == {"miss": 1}
    assert responses_of(two).stats == {"hit": 1, "stale": 1}


async def test_a_response_with_download_links_is_kept_for_half_their_life_at_most(
    development: Development, clock: FakeClock, shared_store: SandboxStore, token_for: Any
) -> None:
    company, number = a_customer(shared_store)
    token = token_for(number, company)
    links = "{ invoices(first: 2) { nodes { number pdfUrl } } }"
    settings = Settings(cache=CacheSettings(invoices_ttl=600.0), document_ttl_seconds=60)
    async with served_app(development, clock, settings) as (app, client):
        first = await ask(client, links, token)
        clock.advance(29.0)
        kept = await ask(client, links, token)
        clock.advance(2.0)  # the links now have less than half their 60 s left
        signed_again = await ask(client, links, token)

    urls = [
        [node["pdfUrl"] for node in body["data"]["invoices"]["nodes"]] for body in (first, kept, signed_again)
    ]
    assert all(urls[0])
    assert urls[1] == urls[0]
    assert urls[2] != urls[0]
    assert responses_of(app).stats == {"miss": 1, "hit": 1, "stale": 1}


async def test_a_process_keeps_responses_up_to_its_bytes_least_recently_used_out(clock: FakeClock) -> None:
    store = open_store(StoreSettings(), clock=clock)
    answers = AnswerCache(CacheSettings(), store, wall_clock=clock)
    data = b'{"me":{"number":"10000"}}'
    cache = ResponseCache(answers, store, memory_bytes=2 * (len(data) + len("responses:a")), wall_clock=clock)
    # A generation that exists: an absent one is current for nothing (docs/caching.md).
    await store.kv.put("answers:gen:company:10000:account", b"g1", ttl_seconds=3600.0)
    source = AnswerSource((("answers:gen:company:10000:account", "g1"),), clock(), clock() + 30.0)
    for key in ("responses:a", "responses:b"):
        await cache.keep(key, data, [source])

    assert await cache.lookup("responses:a") is not None  # used last now
    await cache.keep("responses:c", data, [source])

    assert await cache.lookup("responses:b") is None  # the least recently used went
    assert await cache.lookup("responses:a") == (data, 0.0)
    assert await cache.lookup("responses:c") == (data, 0.0)
    assert cache.kept_in_memory == 2


async def test_replicas_with_another_portal_policy_never_share_a_response(
    development: Development,
    clock: FakeClock,
    shared_store: SandboxStore,
    token_for: Any,
    redis_server: RedisServer,
) -> None:
    company, number = a_customer(shared_store)
    token = token_for(number, company)
    store = StoreSettings(redis_server.url, prefix=f"test-responses-{uuid.uuid4().hex[:8]}")
    shorter = Settings(store=store, portal=PortalPolicy(order_history_months=1))
    async with (
        served_app(development, clock, Settings(store=store)) as (_, one_http),
        served_app(development, clock, shorter) as (two, two_http),
    ):
        await ask(one_http, ORDERS, token)
        await ask(two_http, ORDERS, token)  # a rolling deploy's other version: its own answer

    assert responses_of(two).stats == {"miss": 1}
