"""Write controls: a mutation switched off by configuration, and the scope ordering requires."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any
from uuid import UUID

import pytest

from gateway.edge.development import Development
from gateway.resolvers.context import WritePolicy
from gateway.sandbox.store import SandboxStore
from gateway.settings import Settings
from tests.edge.writes_support import customer, gateway_client, items, place

pytestmark = [pytest.mark.anyio, pytest.mark.writes]


def a_cart(store: SandboxStore, company: str) -> dict[str, Any]:
    return {
        "lines": [{"itemNumber": items(store, company)[0]["number"], "quantity": "1"}],
        "idempotencyKey": "c",
    }


async def test_a_disabled_mutation_says_so_and_writes_nothing(
    development: Development, store: SandboxStore, token_for: Callable[..., str], bc_log: Any
) -> None:
    company, number = customer(store)
    settings = replace(Settings(), writes=WritePolicy(disabled_mutations=frozenset({"placeOrder"})))

    async with gateway_client(development, settings) as client:
        bc_log.clear()
        result = await place(client, token_for(number, company), a_cart(store, company))

    assert result["code"] == "DISABLED"
    assert "placeOrder" in result["message"]
    assert bc_log.count() == 0


async def test_a_token_without_the_ordering_scope_cannot_order(
    development: Development, store: SandboxStore, bc_log: Any
) -> None:
    company, number = customer(store)
    token = development.identity.mint(UUID(company), number, scopes=("orders:read",))

    async with gateway_client(development) as client:
        bc_log.clear()
        result = await place(client, token, a_cart(store, company))

    assert result["code"] == "FORBIDDEN"
    assert "orders:write" in result["message"]
    assert bc_log.count() == 0


async def test_a_role_can_stand_for_the_required_scope(
    development: Development, store: SandboxStore, bc_log: Any
) -> None:
    company, number = customer(store)
    settings = replace(Settings(), writes=WritePolicy(order_scope="buyer"))
    token = development.identity.mint(UUID(company), number, scopes=(), roles=("buyer",))

    async with gateway_client(development, settings) as client:
        result = await place(client, token, a_cart(store, company))

    assert result["__typename"] == "PlacedOrder", result


async def test_with_the_scope_check_switched_off_any_customer_token_can_order(
    development: Development, store: SandboxStore
) -> None:
    company, number = customer(store)
    settings = replace(Settings(), writes=WritePolicy(order_scope=None))
    token = development.identity.mint(UUID(company), number, scopes=())

    async with gateway_client(development, settings) as client:
        result = await place(client, token, a_cart(store, company))

    assert result["__typename"] == "PlacedOrder", result
