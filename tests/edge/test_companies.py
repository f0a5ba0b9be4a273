"""A person whose identity spans several companies lists them and picks one per request."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from gateway.auth import DemoAccount, DemoMembership
from gateway.edge.development import Development
from gateway.sandbox.store import SandboxStore
from tests.helpers import data_of, graphql, rows

pytestmark = pytest.mark.anyio

COMPANIES = "{ companies { id name customerNumber active } me { number } }"


def two_memberships(store: SandboxStore) -> list[tuple[str, str, str]]:
    """(company id, company name, customer number): the first customer of each company."""
    return [
        (c["id"], c["displayName"], sorted(r["number"] for r in rows(store, c["id"], "customers"))[0])
        for c in store.companies
    ]


def token_spanning(development: Development, memberships: list[tuple[str, str, str]]) -> str:
    """A development token whose memberships claim names several companies."""
    account = DemoAccount(
        "several",
        "Buyer for several companies",
        tuple(
            DemoMembership(uuid.UUID(company), name, number, number) for company, name, number in memberships
        ),
    )
    return development.identity.mint_for_account(account, ("orders:read",))


async def test_companies_lists_every_membership_with_bcs_name_and_the_active_one(
    client: httpx.AsyncClient, shared_store: SandboxStore, development: Development
) -> None:
    memberships = two_memberships(shared_store)
    token = token_spanning(development, memberships)

    default = await data_of(client, COMPANIES, token=token)
    chosen = await data_of(client, COMPANIES, token=token, headers={"x-bc-company": memberships[1][0]})

    expected = [
        {"id": company, "name": name, "customerNumber": number, "active": index == 0}
        for index, (company, name, number) in enumerate(memberships)
    ]
    assert default["companies"] == expected
    assert default["me"]["number"] == memberships[0][2]
    assert [c["active"] for c in chosen["companies"]] == [False, True]
    assert chosen["me"]["number"] == memberships[1][2]


async def test_a_company_outside_the_identity_is_refused_before_bc(
    client: httpx.AsyncClient, shared_store: SandboxStore, development: Development, bc_log: Any
) -> None:
    memberships = two_memberships(shared_store)[:1]
    token = token_spanning(development, memberships)
    other = shared_store.companies[1]["id"]
    bc_log.clear()

    response = await graphql(client, COMPANIES, token=token, headers={"x-bc-company": other})

    assert response.status_code in (401, 403)
    assert [e for e in bc_log.entries if e.entity_set] == []
