"""Persisted queries: Apollo APQ (hash, PersistedQueryNotFound, registration) and a safelist."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from gateway.edge.apq import RegisteredDocuments
from gateway.edge.persisted import PersistedQueries, PersistedQueryError, load_safelist, sha256_of
from gateway.store import MemoryStore
from tests.edge.conftest import GatewayFactory

pytestmark = pytest.mark.anyio

QUERY = "{ me { number } }"
OTHER = "{ me { name } }"


def persisted(document: str) -> dict[str, Any]:
    return {"persistedQuery": {"version": 1, "sha256Hash": sha256_of(document)}}


@pytest.fixture
def auth(development: Any, token_for: Any) -> dict[str, str]:
    customer = development.customers[0]
    return {"authorization": f"Bearer {token_for(customer.customer_number, customer.company_id)}"}


async def test_apq_unknown_hash_then_registration_then_hash_alone(
    gateway: GatewayFactory, auth: dict[str, str], bc_log: Any, development: Any
) -> None:
    async with gateway(persisted_queries="apq") as client:
        bc_log.clear()
        miss = await client.post("/graphql", json={"extensions": persisted(QUERY)}, headers=auth)
        miss_requests = list(bc_log.entries)
        registered = await client.post(
            "/graphql", json={"query": QUERY, "extensions": persisted(QUERY)}, headers=auth
        )
        hit = await client.post("/graphql", json={"extensions": persisted(QUERY)}, headers=auth)

    assert miss.status_code == 200
    assert miss.json()["errors"][0]["message"] == "PersistedQueryNotFound"
    assert miss.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
    assert miss_requests == []
    number = development.customers[0].customer_number
    assert registered.json()["data"]["me"]["number"] == number
    assert hit.json()["data"]["me"]["number"] == number


async def test_apq_refuses_a_hash_that_does_not_match_the_document(
    gateway: GatewayFactory, auth: dict[str, str], bc_log: Any
) -> None:
    async with gateway(persisted_queries="apq") as client:
        bc_log.clear()
        response = await client.post(
            "/graphql", json={"query": OTHER, "extensions": persisted(QUERY)}, headers=auth
        )
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "INVALID_PERSISTED_QUERY"
    assert bc_log.entries == []


async def test_a_persisted_query_by_get_is_cacheable_only_privately(
    gateway: GatewayFactory, auth: dict[str, str]
) -> None:
    params = {"extensions": json.dumps(persisted(QUERY))}
    async with gateway(persisted_queries="apq", get_max_age_seconds=30) as client:
        await client.post("/graphql", json={"query": QUERY, "extensions": persisted(QUERY)}, headers=auth)
        response = await client.get("/graphql", params=params, headers=auth)
        posted = await client.post("/graphql", json={"query": QUERY}, headers=auth)
    assert response.status_code == 200
    assert "errors" not in response.json()
    assert response.headers["cache-control"] == "private, max-age=30"
    assert "Authorization" in response.headers["vary"]
    assert posted.headers["cache-control"] == "no-store"


@pytest.fixture
def safelist_file(tmp_path: Path) -> Path:
    path = tmp_path / "safelist.json"
    path.write_text(json.dumps({sha256_of(QUERY): QUERY}))
    return path


async def test_safelist_mode_runs_listed_operations_by_hash_or_in_full(
    gateway: GatewayFactory, auth: dict[str, str], safelist_file: Path, development: Any
) -> None:
    async with gateway(persisted_queries="safelist", safelist_file=safelist_file) as client:
        by_hash = await client.post("/graphql", json={"extensions": persisted(QUERY)}, headers=auth)
        in_full = await client.post("/graphql", json={"query": QUERY}, headers=auth)
    number = development.customers[0].customer_number
    assert by_hash.json()["data"]["me"]["number"] == number
    assert in_full.json()["data"]["me"]["number"] == number


@pytest.mark.parametrize(
    "body",
    [{"query": OTHER}, {"query": OTHER, "extensions": persisted(OTHER)}, {"extensions": persisted(OTHER)}],
)
async def test_safelist_mode_refuses_an_unlisted_document(
    body: dict[str, Any], gateway: GatewayFactory, auth: dict[str, str], safelist_file: Path, bc_log: Any
) -> None:
    async with gateway(persisted_queries="safelist", safelist_file=safelist_file) as client:
        bc_log.clear()
        response = await client.post("/graphql", json=body, headers=auth)
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "OPERATION_NOT_SAFELISTED"
    assert bc_log.entries == []


async def test_persisted_queries_off_refuses_the_extension(
    gateway: GatewayFactory, auth: dict[str, str]
) -> None:
    async with gateway(persisted_queries="off") as client:
        response = await client.post("/graphql", json={"extensions": persisted(QUERY)}, headers=auth)
    assert response.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_SUPPORTED"


def test_a_safelist_file_may_be_a_list_of_documents(tmp_path: Path) -> None:
    path = tmp_path / "operations.json"
    path.write_text(json.dumps([QUERY, OTHER]))
    assert load_safelist(path) == {sha256_of(QUERY): QUERY, sha256_of(OTHER): OTHER}


def test_a_safelist_with_a_wrong_hash_fails_at_start_up(tmp_path: Path) -> None:
    path = tmp_path / "operations.json"
    path.write_text(json.dumps({sha256_of(OTHER): QUERY}))
    with pytest.raises(ValueError, match="hash"):
        load_safelist(path)


async def test_a_fleet_registers_a_bounded_number_of_documents_a_day() -> None:
    """What a customer inventing documents can put in the shared store is bounded: past the day's
    registrations, documents still run in full but are not registered (replaced the per-process
    least-recently-used bound: registrations are shared by every replica now)."""
    kv, day = MemoryStore().kv, [0.0]
    queries = PersistedQueries(
        "apq", registered=RegisteredDocuments(kv, max_per_day=2, wall_clock=lambda: day[0])
    )
    other_replica = PersistedQueries("apq", registered=RegisteredDocuments(kv, max_per_day=2))
    documents = [f"{{ a{i}: me {{ number }} }}" for i in range(4)]
    for document in documents[:3]:
        await queries.register(sha256_of(document), document)
    day[0] += 86_400
    await queries.register(sha256_of(documents[3]), documents[3])

    assert (await other_replica.resolve(None, persisted(documents[1]))).document == documents[1]
    with pytest.raises(PersistedQueryError):
        await other_replica.resolve(None, persisted(documents[2]))
    assert (await other_replica.resolve(None, persisted(documents[3]))).document == documents[3]


async def test_a_graphql_codegen_persisted_documents_file_runs_requests_by_document_id(
    gateway: GatewayFactory, auth: dict[str, str], tmp_path: Path, development: Any, bc_log: Any
) -> None:
    listed = tmp_path / "persisted-documents.json"
    listed.write_text(json.dumps({f"sha256:{sha256_of(QUERY)}": QUERY}))
    async with gateway(persisted_queries="safelist", safelist_file=listed) as client:
        by_id = await client.post(
            "/graphql", json={"documentId": f"sha256:{sha256_of(QUERY)}", "variables": {}}, headers=auth
        )
        bc_log.clear()
        unknown = await client.post(
            "/graphql", json={"documentId": f"sha256:{sha256_of(OTHER)}"}, headers=auth
        )
        malformed = await client.post("/graphql", json={"documentId": "md5:abc"}, headers=auth)
        refused_requests = list(bc_log.entries)

    assert by_id.json() == {"data": {"me": {"number": development.customers[0].customer_number}}}
    assert unknown.status_code == 400
    assert unknown.json()["errors"][0]["extensions"]["code"] == "OPERATION_NOT_SAFELISTED"
    assert malformed.json()["errors"][0]["extensions"]["code"] == "INVALID_PERSISTED_QUERY"
    assert refused_requests == []


async def test_in_apq_mode_a_document_id_names_a_registered_document(
    gateway: GatewayFactory, auth: dict[str, str], development: Any
) -> None:
    async with gateway(persisted_queries="apq") as client:
        await client.post("/graphql", json={"query": QUERY, "extensions": persisted(QUERY)}, headers=auth)
        by_id = await client.post("/graphql", json={"documentId": sha256_of(QUERY)}, headers=auth)
    # The registering request read `me` already: the answer may be the kept one (its age in
    # `extensions`, docs/caching.md).
    assert by_id.json()["data"] == {"me": {"number": development.customers[0].customer_number}}
