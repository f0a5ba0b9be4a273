"""submitQuery and replyToQuery against the sandbox's portal API: stored in BC, only on the
caller's own queries, idempotent, within length limits."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from gateway.edge.development import Development
from gateway.sandbox.app import sandbox_of
from gateway.sandbox.faults import Fault
from gateway.sandbox.store import PORTAL_ROUTE, SandboxStore
from tests.edge.writes_support import bc_writes, customer, gateway_client
from tests.helpers import data_of

pytestmark = [pytest.mark.anyio, pytest.mark.writes]

RESULT = """
  __typename
  ... on CustomerQuery { number subject category status messages { sequence author body } }
  ... on WriteError { code message }
"""
SUBMIT = f"mutation($input: SubmitQueryInput!) {{ submitQuery(input: $input) {{ {RESULT} }} }}"
REPLY = f"mutation($input: ReplyToQueryInput!) {{ replyToQuery(input: $input) {{ {RESULT} }} }}"


def queries_of(store: SandboxStore, company: str, number: str) -> list[dict[str, Any]]:
    return [q for q in store.table(company, PORTAL_ROUTE, "customerQueries") if q["customerNumber"] == number]


def messages_of(store: SandboxStore, company: str, query_id: str) -> list[dict[str, Any]]:
    return [
        m for m in store.table(company, PORTAL_ROUTE, "customerQueryMessages") if m["queryId"] == query_id
    ]


async def submit(client: httpx.AsyncClient, token: str, **input: Any) -> dict[str, Any]:
    data = await data_of(client, SUBMIT, {"input": input}, token=token)
    result: dict[str, Any] = data["submitQuery"]
    return result


async def reply(client: httpx.AsyncClient, token: str, **input: Any) -> dict[str, Any]:
    data = await data_of(client, REPLY, {"input": input}, token=token)
    result: dict[str, Any] = data["replyToQuery"]
    return result


async def test_a_submitted_query_is_stored_in_bc_with_its_first_message_once(
    client: httpx.AsyncClient, store: SandboxStore, token_for: Callable[..., str], bc_log: Any
) -> None:
    company, number = customer(store)
    token = token_for(number, company)
    before = len(queries_of(store, company, number))
    bc_log.clear()

    first = await submit(
        client,
        token,
        category="DELIVERY",
        subject="Where is my pallet?",
        message="It was due Monday.",
        idempotencyKey="q-1",
    )
    again = await submit(
        client,
        token,
        category="DELIVERY",
        subject="Where is my pallet?",
        message="It was due Monday.",
        idempotencyKey="q-1",
    )

    assert first["__typename"] == "CustomerQuery", first
    assert again == first
    assert (first["subject"], first["category"], first["status"]) == (
        "Where is my pallet?",
        "DELIVERY",
        "OPEN",
    )
    assert [(m["author"], m["body"]) for m in first["messages"]] == [("CUSTOMER", "It was due Monday.")]
    mine = queries_of(store, company, number)
    assert len(mine) == before + 1
    stored = next(q for q in mine if q["number"] == first["number"])
    assert [m["body"] for m in messages_of(store, company, stored["id"])] == ["It was due Monday."]
    assert bc_log.count(entity_set="customerQueries", method="POST") == 1


@pytest.mark.parametrize(
    ("copies", "keys"),
    [(10, "one key"), (20, "a key each")],
)
async def test_concurrent_identical_submissions_store_one_query(
    client: httpx.AsyncClient,
    store: SandboxStore,
    token_for: Callable[..., str],
    bc_log: Any,
    copies: int,
    keys: str,
) -> None:
    company, number = customer(store)
    token = token_for(number, company)
    before = len(queries_of(store, company, number))
    bc_log.clear()

    results = await asyncio.gather(
        *(
            submit(
                client,
                token,
                category="DELIVERY",
                subject="Twice?",
                message="Pressed send",
                idempotencyKey="q-c" if keys == "one key" else f"q-c{i}",
            )
            for i in range(copies)
        )
    )

    assert {r["__typename"] for r in results} == {"CustomerQuery"}, results
    assert len({r["number"] for r in results}) == 1
    assert len(queries_of(store, company, number)) == before + 1
    assert bc_log.count(entity_set="customerQueries", method="POST") == 1


async def test_a_reply_is_added_to_the_callers_own_query(
    client: httpx.AsyncClient, store: SandboxStore, token_for: Callable[..., str]
) -> None:
    company, number = customer(store)
    token = token_for(number, company)
    created = await submit(
        client, token, category="PRODUCT", subject="Colours?", message="Red?", idempotencyKey="q-2"
    )

    answered = await reply(
        client, token, queryNumber=created["number"], message="Or blue.", idempotencyKey="r-1"
    )

    assert answered["__typename"] == "CustomerQuery", answered
    assert [m["body"] for m in answered["messages"]] == ["Red?", "Or blue."]


async def test_a_reply_to_another_customers_query_is_not_found_and_writes_nothing(
    client: httpx.AsyncClient, store: SandboxStore, token_for: Callable[..., str], bc_log: Any
) -> None:
    company, number = customer(store)
    theirs = next(
        q for q in store.table(company, PORTAL_ROUTE, "customerQueries") if q["customerNumber"] != number
    )
    messages_before = len(store.table(company, PORTAL_ROUTE, "customerQueryMessages"))
    bc_log.clear()

    result = await reply(
        client,
        token_for(number, company),
        queryNumber=theirs["number"],
        message="Mine now",
        idempotencyKey="r-x",
    )

    assert result["code"] == "NOT_FOUND"
    assert bc_writes(bc_log) == 0
    assert len(store.table(company, PORTAL_ROUTE, "customerQueryMessages")) == messages_before


@pytest.mark.parametrize(
    ("subject", "message"), [("", "text"), ("x" * 101, "text"), ("ok", ""), ("ok", "y" * 4001)]
)
async def test_a_subject_or_message_out_of_bounds_is_refused_without_a_write(
    client: httpx.AsyncClient,
    store: SandboxStore,
    token_for: Callable[..., str],
    bc_log: Any,
    subject: str,
    message: str,
) -> None:
    company, number = customer(store)
    bc_log.clear()

    result = await submit(
        client,
        token_for(number, company),
        category="OTHER",
        subject=subject,
        message=message,
        idempotencyKey="q-l",
    )

    assert result["code"] == "VALIDATION_FAILED"
    assert bc_log.count() == 0


async def test_a_query_about_another_customers_invoice_is_refused(
    client: httpx.AsyncClient, store: SandboxStore, token_for: Callable[..., str], bc_log: Any
) -> None:
    company, number = customer(store)
    theirs = next(i for i in store.table(company, "v2.0", "salesInvoices") if i["customerNumber"] != number)
    bc_log.clear()

    result = await submit(
        client,
        token_for(number, company),
        category="STATEMENT_DISPUTE",
        subject="Wrong amount",
        message="Please check",
        relatedDocument={"type": "SALES_INVOICE", "number": theirs["number"]},
        idempotencyKey="q-other",
    )

    assert result["code"] == "NOT_FOUND"
    assert bc_writes(bc_log) == 0


async def test_a_query_needs_an_idempotency_key(
    client: httpx.AsyncClient, store: SandboxStore, token_for: Callable[..., str], bc_log: Any
) -> None:
    company, number = customer(store)
    bc_log.clear()

    result = await submit(client, token_for(number, company), category="OTHER", subject="Hi", message="Hello")

    assert result["code"] == "IDEMPOTENCY_KEY_REQUIRED"
    assert bc_log.count() == 0


async def test_a_query_stored_before_the_connection_dropped_is_found_by_a_fresh_gateway(
    development: Development,
    sandbox: Starlette,
    store: SandboxStore,
    token_for: Callable[..., str],
    bc_log: Any,
) -> None:
    company, number = customer(store)
    token = token_for(number, company)
    before = len(queries_of(store, company, number))
    ask = {"category": "DELIVERY", "subject": "Late", "message": "Still waiting.", "idempotencyKey": "q-drop"}
    sandbox_of(sandbox).faults.set(
        [Fault(kind="reset", when="after", method="POST", entity_set="customerQueries", times=1)]
    )

    async with gateway_client(development) as first_instance:
        bc_log.clear()
        first = await submit(first_instance, token, **ask)
    sandbox_of(sandbox).faults.clear()
    async with gateway_client(development) as fresh_instance:
        retried = await submit(fresh_instance, token, **ask)

    assert first["__typename"] == "CustomerQuery", first
    assert retried == first
    assert len(queries_of(store, company, number)) == before + 1
    assert bc_log.count(entity_set="customerQueries", method="POST") == 1


async def test_a_reply_retried_on_a_fresh_gateway_is_not_added_twice(
    development: Development, store: SandboxStore, token_for: Callable[..., str]
) -> None:
    company, number = customer(store)
    token = token_for(number, company)
    async with gateway_client(development) as first_instance:
        created = await submit(
            first_instance,
            token,
            category="OTHER",
            subject="Address",
            message="New one",
            idempotencyKey="q-r",
        )
        await reply(
            first_instance, token, queryNumber=created["number"], message="Thanks!", idempotencyKey="r-2"
        )
    async with gateway_client(development) as fresh_instance:
        again = await reply(
            fresh_instance, token, queryNumber=created["number"], message="Thanks!", idempotencyKey="r-2"
        )

    assert [m["body"] for m in again["messages"]] == ["New one", "Thanks!"]


async def test_two_concurrent_identical_replies_with_different_keys_store_one_message(
    client: httpx.AsyncClient, store: SandboxStore, token_for: Callable[..., str], bc_log: Any
) -> None:
    company, number = customer(store)
    token = token_for(number, company)
    created = await submit(
        client, token, category="OTHER", subject="Invoice copy", message="Please", idempotencyKey="q-rr"
    )
    stored = next(q for q in queries_of(store, company, number) if q["number"] == created["number"])
    bc_log.clear()

    results = await asyncio.gather(
        *(
            reply(client, token, queryNumber=created["number"], message="Any news?", idempotencyKey=f"r{i}")
            for i in range(2)
        )
    )

    assert {r["__typename"] for r in results} == {"CustomerQuery"}, results
    assert [m["body"] for m in messages_of(store, company, stored["id"])] == ["Please", "Any news?"]
    assert bc_log.count(entity_set="customerQueryMessages", method="POST") == 1
