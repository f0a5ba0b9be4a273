"""``submitQuery`` with a related document: every kind the schema offers is checked for ownership
before anything is written.  Another customer's document, or one that does not exist, is
``NOT_FOUND`` with no BC write; the caller's own is accepted.

The kinds come from the schema's ``RelatedDocumentType`` enum, so a kind added later is tested
here without touching this file — and fails until it has an ownership check (and a row in
``OWNED`` below saying where the sandbox keeps such documents).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest
from graphql import GraphQLEnumType

from gateway.bc import QueryDocumentType
from gateway.resolvers.writes.related import OWNERSHIP
from gateway.sandbox.store import PORTAL_ROUTE, SandboxStore
from gateway.schema import schema
from tests.conftest import write_store
from tests.edge.writes_support import bc_writes
from tests.helpers import data_of, rows

pytestmark = [pytest.mark.anyio, pytest.mark.writes]

SUBMIT = """
mutation($input: SubmitQueryInput!) {
  submitQuery(input: $input) {
    __typename
    ... on CustomerQuery { number relatedDocument { type number } }
    ... on WriteError { code message }
  }
}
"""
_ENUM = schema._schema.get_type("RelatedDocumentType")
assert isinstance(_ENUM, GraphQLEnumType)
KINDS = sorted(_ENUM.values)
POSTED = {"Open", "Paid", "Canceled", "Corrective"}


def _open_orders(store: SandboxStore, company: str) -> dict[str, str]:
    return {row["number"]: row["customerNumber"] for row in rows(store, company, "salesOrders")}


def _completed_orders(store: SandboxStore, company: str) -> dict[str, str]:
    """Orders BC deleted after posting: only their posted documents carry the number."""
    open_numbers = _open_orders(store, company)
    return {
        row["orderNumber"]: row["customerNumber"]
        for row in rows(store, company, "salesInvoices")
        if row["orderNumber"] and row["orderNumber"] not in open_numbers and row["status"] in POSTED
    }


def _numbers(entity_set: str, *, posted_only: bool) -> Callable[[SandboxStore, str], dict[str, str]]:
    def owners(store: SandboxStore, company: str) -> dict[str, str]:
        return {
            row["number"]: row["customerNumber"]
            for row in rows(store, company, entity_set)
            if not posted_only or row["status"] in POSTED
        }

    return owners


# GraphQL kind → where the sandbox keeps the documents a customer may relate a query to:
# number → owning customer.  Orders count open or completed (the portal shows both).
OWNED: dict[str, Callable[[SandboxStore, str], dict[str, str]]] = {
    "SALES_ORDER": lambda store, company: {
        **_open_orders(store, company),
        **_completed_orders(store, company),
    },
    "SALES_SHIPMENT": _numbers("salesShipments", posted_only=False),
    "SALES_INVOICE": _numbers("salesInvoices", posted_only=True),
    "SALES_CREDIT_MEMO": _numbers("salesCreditMemos", posted_only=True),
}


# One world for the whole module rather than one per test: the tests only add customer queries,
# each under its own idempotency key, and none counts them absolutely (each compares with what was
# there before it), so building a world for each of the parametrized cases would buy nothing.
@pytest.fixture(scope="module")
def store() -> SandboxStore:
    return write_store()


def _caller(store: SandboxStore) -> tuple[str, str]:
    """An unblocked customer who owns a document of every kind (and shares the company with
    customers who own others)."""
    company = store.companies[0]["id"]
    unblocked = [row["number"] for row in rows(store, company, "customers") if row["blocked"] == "_x0020_"]
    owned = {kind: set(OWNED[kind](store, company).values()) for kind in KINDS}
    return company, next(c for c in unblocked if all(c in owners for owners in owned.values()))


async def _submit(client: httpx.AsyncClient, token: str, kind: str, number: str, key: str) -> dict[str, Any]:
    data = await data_of(
        client,
        SUBMIT,
        {
            "input": {
                "category": "OTHER",
                "subject": "About a document",
                "message": f"Question on {number}",
                "relatedDocument": {"type": kind, "number": number},
                "idempotencyKey": key,
            }
        },
        token=token,
    )
    result: dict[str, Any] = data["submitQuery"]
    return result


def _queries(store: SandboxStore, company: str) -> int:
    return len(store.table(company, PORTAL_ROUTE, "customerQueries"))


def test_every_kind_the_schema_offers_has_an_ownership_check_and_a_case_here() -> None:
    bc_values = {value.value for value in _ENUM.values.values()}
    assert {QueryDocumentType(value) for value in bc_values} == set(OWNERSHIP)
    assert KINDS
    assert set(KINDS) == set(OWNED)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("whose", ["another customer's", "nobody's"])
async def test_a_query_about_a_document_not_the_callers_is_not_found_and_writes_nothing(
    client: httpx.AsyncClient,
    store: SandboxStore,
    token_for: Callable[..., str],
    bc_log: Any,
    kind: str,
    whose: str,
) -> None:
    company, caller = _caller(store)
    owners = OWNED[kind](store, company)
    if whose == "nobody's":
        number = "ZZ-404404"
        assert number not in owners
    else:
        number = next(n for n, owner in sorted(owners.items()) if owner != caller)
    before = _queries(store, company)
    bc_log.clear()

    result = await _submit(client, token_for(caller, company), kind, number, f"rel-{kind}-{whose}")

    assert result["__typename"] == "WriteError", result
    assert result["code"] == "NOT_FOUND"
    assert bc_writes(bc_log) == 0
    assert _queries(store, company) == before


@pytest.mark.parametrize("kind", KINDS)
async def test_a_query_about_the_callers_own_document_is_stored_with_it(
    client: httpx.AsyncClient, store: SandboxStore, token_for: Callable[..., str], kind: str
) -> None:
    company, caller = _caller(store)
    number = next(n for n, owner in sorted(OWNED[kind](store, company).items()) if owner == caller)

    result = await _submit(client, token_for(caller, company), kind, number, f"own-{kind}")

    assert result["__typename"] == "CustomerQuery", result
    assert result["relatedDocument"] == {"type": kind, "number": number}


async def test_a_query_about_the_callers_completed_order_is_accepted(
    client: httpx.AsyncClient, store: SandboxStore, token_for: Callable[..., str]
) -> None:
    company, caller = _caller(store)
    number = next(n for n, owner in sorted(_completed_orders(store, company).items()) if owner == caller)

    result = await _submit(client, token_for(caller, company), "SALES_ORDER", number, "own-completed")

    assert result["__typename"] == "CustomerQuery", result
