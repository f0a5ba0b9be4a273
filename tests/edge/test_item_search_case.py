"""Item search finds the same rows whatever the case of the text, against a BC (the sandbox) whose
filters are case-sensitive as real BC's are: ``contains`` only ignores case through ``tolower``."""

from __future__ import annotations

import copy
import uuid
from typing import Any

import httpx
import pytest

from gateway.sandbox.store import SandboxStore
from gateway.sandbox.world import build_store
from tests.conftest import SCALE, SEED, TODAY
from tests.helpers import data_of, rows

pytestmark = pytest.mark.anyio

SEARCH = "query($s: String) { items(search: $s, first: 100) { nodes { number name } } }"
DESKS = ("Children's Desk, oak", "CHILDREN'S DESK with drawer", "children's desk lamp")


# The shared world plus three items, so a world of this module's own (at the shared world's size):
# the test-wide ``sandbox`` fixture serves whatever ``store`` is.
@pytest.fixture
def store() -> SandboxStore:
    """The demo world, plus three items whose names differ from the search only in case."""
    world = build_store(seed=SEED, scale=SCALE, today=TODAY)
    company = world.companies[0]["id"]
    items = rows(world, company, "items")
    template = next(row for row in items if not row["blocked"])
    for index, name in enumerate(DESKS):
        row = copy.deepcopy(template)
        row.update(id=str(uuid.UUID(int=index + 1)), number=f"CD-{index + 1}", displayName=name)
        items.append(row)
    return world


def named(store: SandboxStore, company: str, text: str) -> list[str]:
    needle = text.casefold()
    return sorted(
        row["number"]
        for row in rows(store, company, "items")
        if not row["blocked"]
        and (needle in row["displayName"].casefold() or needle in row["number"].casefold())
    )


async def search(client: httpx.AsyncClient, token: str, text: str) -> list[str]:
    data = await data_of(client, SEARCH, {"s": text}, token=token)
    return [node["number"] for node in data["items"]["nodes"]]


@pytest.mark.parametrize(
    ("spellings", "at_least"),
    [
        (("chair", "CHAIR", "Chair", "cHaIr"), 2),
        (("children's desk", "CHILDREN'S DESK", "Children's desk"), 3),
        (("guest chair", "Guest Chair"), 1),
        (("cd-", "CD-"), 3),
    ],
)
async def test_search_finds_the_same_items_whatever_the_case(
    spellings: tuple[str, ...],
    at_least: int,
    client: httpx.AsyncClient,
    store: SandboxStore,
    token_for: Any,
) -> None:
    company = store.companies[0]["id"]
    customer = next(row["number"] for row in rows(store, company, "customers") if row["blocked"] == "_x0020_")
    token = token_for(customer, company)
    wanted = named(store, company, spellings[0])
    assert len(wanted) >= at_least
    for text in spellings:
        assert await search(client, token, text) == wanted, text


async def test_bc_is_asked_to_ignore_case_with_tolower(
    client: httpx.AsyncClient, store: SandboxStore, token_for: Any, bc_log: Any
) -> None:
    company = store.companies[0]["id"]
    customer = next(row["number"] for row in rows(store, company, "customers") if row["blocked"] == "_x0020_")
    bc_log.clear()
    await search(client, token_for(customer, company), "Guest CHAIR")
    filters = [entry.filter for entry in bc_log.entries if entry.entity_set == "items"]
    assert any("contains(tolower(displayName),'guest chair')" in (f or "") for f in filters), filters
    assert any("contains(tolower(number),'guest chair')" in (f or "") for f in filters), filters
