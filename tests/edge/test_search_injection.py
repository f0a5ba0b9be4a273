"""Search text is data, never OData: it reaches BC as one escaped literal and finds the right items."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest

from gateway.resolvers.items import search_fragment
from gateway.sandbox.store import SandboxStore
from tests.helpers import data_of, rows

pytestmark = pytest.mark.anyio

SEARCH = "query($s: String) { items(search: $s, first: 50) { nodes { number name } } }"
HOSTILE = ["'", "O'Brien", "%27", "&$top=1", ")", " eq ", "Łódź", "café", "a' or number eq '1", "1896-S"]


def expected(store: SandboxStore, company: str, text: str) -> list[str]:
    if not search_fragment(text):
        return []  # nothing in the text can be sent to BC safely: the documented answer is "no match"
    needle = text.strip().casefold()
    return sorted(
        row["number"]
        for row in rows(store, company, "items")
        if not row["blocked"]
        and (needle in row["displayName"].casefold() or needle in row["number"].casefold())
    )[:50]


@pytest.mark.parametrize("text", HOSTILE)
async def test_hostile_search_text_finds_exactly_the_matching_items(
    text: str, client: httpx.AsyncClient, shared_store: SandboxStore, token_for: Any, bc_log: Any
) -> None:
    company = shared_store.companies[0]["id"]
    customer = next(
        row["number"] for row in rows(shared_store, company, "customers") if row["blocked"] == "_x0020_"
    )
    bc_log.clear()

    data = await data_of(client, SEARCH, {"s": text}, token=token_for(customer, company))

    assert [node["number"] for node in data["items"]["nodes"]] == expected(shared_store, company, text)
    for entry in bc_log.entries:
        if entry.entity_set == "items":
            query = parse_qs(entry.query_string)
            # Nothing in the search text turned into a query option of its own.
            # ($schemaversion=2.1: BC reads contains(tolower(…)) only with it.)
            assert set(query) <= {"$filter", "$select", "$expand", "$orderby", "$top", "$schemaversion"}, (
                query
            )
            assert len(query["$filter"]) == 1
