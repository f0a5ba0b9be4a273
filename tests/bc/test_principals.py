"""Several BC principals (app registrations): each with its own token and its own share of BC's
limits, reads spread over them, the writes of one idempotency key always through one.

The sandbox limits each principal (the token's client id) as BC does — 5 processed at a time —
and counts, per principal, the most it ever held (processing plus queued).
"""

from __future__ import annotations

import asyncio
import dataclasses
from uuid import UUID

import httpx
import pytest
from starlette.applications import Starlette

from gateway.bc import BCClient, BCSettings, ClientCredentials, CustomerScope, ResilienceSettings
from gateway.edge.development import SANDBOX_ORIGIN
from gateway.edge.logs import keep_request_urls_out_of_logs
from gateway.sandbox.app import create_sandbox_app, sandbox_of
from gateway.sandbox.config import SandboxConfig
from gateway.sandbox.faults import Fault
from gateway.sandbox.store import SandboxStore
from gateway.sandbox.transport import sandbox_transport
from gateway.sandbox.world import build_store
from gateway.store import RedisStore, Store
from tests.conftest import SCALE, SEED, TODAY

pytestmark = pytest.mark.anyio

SLOW = Fault("latency", latency_ms=20)  # each request held inside BC, so concurrent ones overlap


def _sandbox(store: SandboxStore, clients: int, *faults: Fault) -> Starlette:
    keep_request_urls_out_of_logs()  # as create_app does: these BC clients run without the app
    config = SandboxConfig(seed=SEED, scale=SCALE, today=TODAY, clients=clients, faults=faults)
    return create_sandbox_app(config, store=store)


def _settings(sandbox: Starlette, principals: int) -> BCSettings:
    config = sandbox_of(sandbox).config
    token_url = f"{SANDBOX_ORIGIN}/{config.tenant}/oauth2/v2.0/token"
    credentials = [
        ClientCredentials(token_url, client_id, secret) for client_id, secret in config.credentials
    ]
    return BCSettings(
        environment_url=f"{SANDBOX_ORIGIN}/v2.0/{config.tenant}/{config.environment}",
        credentials=credentials[0],
        additional_credentials=tuple(credentials[1:principals]),
        resilience=ResilienceSettings(max_concurrency=5),
    )


def _client(sandbox: Starlette, principals: int, shared: Store | None = None) -> BCClient:
    return BCClient(_settings(sandbox, principals), transport=sandbox_transport(sandbox), shared=shared)


async def _peaks(sandbox: Starlette, clients: list[BCClient], reads: int = 200) -> dict[str, int]:
    """The most each principal ever held inside BC while ``reads`` reads ran over ``clients``."""
    try:
        answers = await asyncio.gather(*(clients[n % len(clients)].fetch_companies() for n in range(reads)))
    finally:
        for client in clients:
            await client.aclose()
    assert all(answer == answers[0] for answer in answers)
    stats = sandbox_of(sandbox).limiter.stats()
    return {principal: counts["max_processing_and_queued"] for principal, counts in stats.items()}


async def test_two_principals_double_the_concurrency_at_bc_while_each_stays_within_its_five(
    shared_store: SandboxStore,
) -> None:
    one, two = _sandbox(shared_store, 2, SLOW), _sandbox(shared_store, 2, SLOW)

    alone = await _peaks(one, [_client(one, principals=1)])
    together = await _peaks(two, [_client(two, principals=2)])

    assert alone == {"sandbox-client": 5}
    assert together == {"sandbox-client": 5, "sandbox-client-2": 5}
    assert sandbox_of(one).log.max_in_flight == 5
    assert sandbox_of(two).log.max_in_flight == 10
    assert sandbox_of(two).log.token_requests == 2  # a token of its own for each


async def test_two_replicas_with_two_principals_on_one_redis_hold_each_principal_to_five(
    shared_store: SandboxStore, redis_replicas: tuple[RedisStore, RedisStore]
) -> None:
    sandbox = _sandbox(shared_store, 2, SLOW)
    replicas = [_client(sandbox, 2, shared=store) for store in redis_replicas]

    peaks = await _peaks(sandbox, replicas)

    assert peaks == {"sandbox-client": 5, "sandbox-client-2": 5}
    assert sandbox_of(sandbox).log.max_in_flight == 10


@pytest.fixture
def writable() -> Starlette:
    """A world of the test's own, with three app registrations: the test writes to it."""
    return _sandbox(build_store(seed=SEED, scale=0.05, today=TODAY), 3)


async def test_the_writes_of_one_key_go_through_one_principal_and_other_keys_spread(
    writable: Starlette,
) -> None:
    sandbox = sandbox_of(writable)
    company = sandbox.store.companies[0]["id"]
    customer = next(r for r in sandbox.store.table(company, "v2.0", "customers") if r["blocked"] == "_x0020_")
    item = next(r for r in sandbox.store.table(company, "v2.0", "items") if not r["blocked"])
    scope = CustomerScope(company_id=UUID(company), customer_number=customer["number"])
    body = {
        "customerNumber": customer["number"],
        "salesOrderLines": [{"lineType": "Item", "lineObjectNumber": item["number"], "quantity": 1}],
    }

    async def principal_of(client: BCClient, affinity: str) -> str | None:
        await client.session(scope).create("salesOrders", body, affinity=affinity)
        return sandbox.log.entries[-1].principal

    # Two replicas of the gateway (two clients), retries of one key on both.
    async with _client(writable, 3) as first, _client(writable, 3) as second:
        same_key = {await principal_of(client, "PRT-SAME") for client in (first, second, first, second)}
        many_keys = {await principal_of(first, f"PRT-{n}") for n in range(12)}

    assert len(same_key) == 1
    assert many_keys == {"sandbox-client", "sandbox-client-2", "sandbox-client-3"}


async def test_reads_go_to_the_least_loaded_principal(shared_store: SandboxStore) -> None:
    sandbox = _sandbox(shared_store, 2, Fault("latency", latency_ms=50))
    async with _client(sandbox, 2) as client:
        await asyncio.gather(*(client.fetch_companies() for _ in range(4)))
    principals = [entry.principal for entry in sandbox_of(sandbox).log.entries]
    assert sorted(principals) == ["sandbox-client"] * 2 + ["sandbox-client-2"] * 2


def test_each_principal_needs_a_client_id_of_its_own(shared_store: SandboxStore) -> None:
    settings = _settings(_sandbox(shared_store, 2), 2)
    with pytest.raises(ValueError, match="client id of its own"):
        dataclasses.replace(settings, additional_credentials=(settings.principals[0],))


async def test_a_sandbox_with_one_client_refuses_the_second_ones_credentials(
    shared_store: SandboxStore,
) -> None:
    sandbox = _sandbox(shared_store, 1)
    async with httpx.AsyncClient(transport=sandbox_transport(sandbox), base_url=SANDBOX_ORIGIN) as http:
        form = {
            "grant_type": "client_credentials",
            "client_id": "sandbox-client-2",
            "client_secret": "sandbox-secret-2",
            "scope": "https://api.businesscentral.dynamics.com/.default",
        }
        refused = await http.post("/sandbox/oauth2/v2.0/token", data=form)
    assert refused.status_code == 401
    assert refused.json()["error"] == "invalid_client"
