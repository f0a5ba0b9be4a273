"""Development mode: the embedded BC sandbox and the development identity provider.

The gateway reaches the sandbox through an in-process httpx transport, with the same BC client,
token flow and URLs as a real tenant; it validates development tokens through the same JWKS path
as production tokens.  Nothing here is used when BC is configured.
"""

from __future__ import annotations

import contextlib
import time
from collections import defaultdict
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol
from uuid import UUID

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Mount

from gateway.auth import (
    AuthSettings,
    DemoAccount,
    DemoMembership,
    DevIdentityProvider,
    PublicClient,
    load_or_create_signing_key,
)
from gateway.bc import BCSettings, ClientCredentials
from gateway.edge.portal import DEVELOPMENT_CLIENT_ID
from gateway.sandbox.app import create_sandbox_app, sandbox_of
from gateway.sandbox.config import SandboxConfig
from gateway.sandbox.staff.control import staff_app
from gateway.sandbox.transport import sandbox_transport
from gateway.sandbox.webhooks.config import WebhookConfig
from gateway.sandbox.world import DemoCustomer, demo_customers

SESSIONS_FILE_NAME = "dev-idp-sessions.json"

SANDBOX_ORIGIN = "https://bc-sandbox.internal"
DEV_IDP_ORIGIN = "http://dev-idp.internal"
DEV_AUDIENCE = "bc-gateway-dev"
BC_BLANK_ENUM = "_x0020_"  # BC's encoding of an enum's blank member: "not blocked"


class SandboxOptions(Protocol):
    @property
    def seed(self) -> int: ...
    @property
    def scale(self) -> float: ...
    @property
    def data_dir(self) -> Path | None: ...
    @property
    def access_token_ttl_seconds(self) -> int: ...
    @property
    def notification_delay_seconds(self) -> float: ...
    @property
    def staff_every_seconds(self) -> float: ...
    @property
    def long_histories(self) -> tuple[int, ...]: ...


class DevelopmentOptions(Protocol):
    """What development mode reads of the gateway's settings (``gateway.settings.Settings`` fits;
    the edge does not import the settings module, which imports the edge)."""

    @property
    def host(self) -> str: ...
    @property
    def port(self) -> int: ...
    @property
    def sandbox(self) -> SandboxOptions: ...


@dataclass(frozen=True)
class Development:
    """What development mode adds: a sandbox, its BC settings, and a token issuer for it."""

    sandbox: Starlette
    bc_settings: BCSettings
    bc_transport: httpx.AsyncBaseTransport
    identity: DevIdentityProvider
    auth_settings: AuthSettings
    jwks_transport: httpx.AsyncBaseTransport
    customers: tuple[DemoCustomer, ...]


def start_development(
    settings: DevelopmentOptions, *, sandbox: Starlette | None = None, clock: Callable[[], float] = time.time
) -> Development:
    """The sandbox and the development identity provider; ``clock`` is the provider's and must be
    the token validator's too (``create_app``'s ``wall_clock``)."""
    if sandbox is None:
        options = settings.sandbox
        config = SandboxConfig(
            seed=options.seed,
            scale=options.scale,
            webhooks=WebhookConfig(delay_seconds=options.notification_delay_seconds),
            staff_every_seconds=options.staff_every_seconds,
            long_histories=options.long_histories,
        )
        sandbox = create_sandbox_app(config)
    config = sandbox_of(sandbox).config
    customers = tuple(demo_customers(sandbox_of(sandbox).store))
    known = {(UUID(customer.company_id), customer.customer_number) for customer in customers}

    def is_known(company_id: UUID, customer_number: str) -> bool:
        return (company_id, customer_number) in known

    data_dir = settings.sandbox.data_dir
    identity = DevIdentityProvider(
        issuer=f"http://{settings.host}:{settings.port}/dev-idp",
        audience=DEV_AUDIENCE,
        is_known_customer=is_known,
        clock=clock,
        accounts=demo_accounts(customers),
        clients=(portal_client(settings.host, settings.port),),
        signing_key_pem=load_or_create_signing_key(data_dir),
        sessions_file=data_dir / SESSIONS_FILE_NAME if data_dir is not None else None,
        access_ttl_seconds=settings.sandbox.access_token_ttl_seconds,
    )
    return Development(
        sandbox=sandbox,
        bc_settings=BCSettings(
            environment_url=f"{SANDBOX_ORIGIN}/v2.0/{config.tenant}/{config.environment}",
            credentials=ClientCredentials(
                token_url=f"{SANDBOX_ORIGIN}/{config.tenant}/oauth2/v2.0/token",
                client_id=config.client_id,
                client_secret=config.client_secret,
            ),
        ),
        bc_transport=sandbox_transport(sandbox),
        identity=identity,
        auth_settings=AuthSettings(
            issuer=identity.issuer, audience=DEV_AUDIENCE, jwks_url=f"{DEV_IDP_ORIGIN}/.well-known/jwks.json"
        ),
        jwks_transport=httpx.ASGITransport(app=identity.asgi_app()),
        customers=customers,
    )


def staff_routes(development: Development) -> list[BaseRoute]:
    """The embedded sandbox's staff simulator at ``/_sandbox/staff`` (``bc-gateway staff``)."""
    return [Mount("/_sandbox/staff", app=staff_app(sandbox_of(development.sandbox)))]


@contextlib.asynccontextmanager
async def embedded_sandbox_running(
    development: Development, app: Starlette, *, webhooks: bool
) -> AsyncIterator[None]:
    """The embedded sandbox calls ``app`` in process for webhooks (the composition root hands it
    this transport); its background work (BC's webhook job, staff on a clock) runs while the app
    does, when there is any."""
    sandbox = sandbox_of(development.sandbox)
    sandbox.webhooks.deliver_through(httpx.ASGITransport(app=app))
    if not webhooks and sandbox.config.staff_every_seconds <= 0:
        yield
        return
    async with sandbox.running():
        yield


def demo_customer_list(development: Development) -> Callable[[Request], Awaitable[JSONResponse]]:
    """``GET /dev-idp/customers``: who ``bc-gateway token --customer …`` can sign in as."""

    async def endpoint(request: Request) -> JSONResponse:
        return JSONResponse(
            [
                {
                    "company": str(customer.company_id),
                    "companyName": customer.company_name,
                    "customer": customer.customer_number,
                    "name": customer.customer_name,
                    "blocked": is_blocked(customer),
                }
                for customer in development.customers
            ]
        )

    return endpoint


def demo_customer(development: Development) -> DemoCustomer:
    """The customer ``bc-gateway serve`` prints a token for: the first one not blocked."""
    return next(customer for customer in development.customers if not is_blocked(customer))


def is_blocked(customer: DemoCustomer) -> bool:
    return customer.blocked != BC_BLANK_ENUM


def mint_for(development: Development, customer: DemoCustomer) -> str:
    return development.identity.mint(UUID(customer.company_id), customer.customer_number)


def portal_client(host: str, port: int) -> PublicClient:
    """The reference portal as a registered public client: its page on every loopback name."""
    hosts = dict.fromkeys((host, "127.0.0.1", "localhost"))
    return PublicClient(DEVELOPMENT_CLIENT_ID, tuple(f"http://{name}:{port}/portal/" for name in hosts))


def demo_accounts(customers: Sequence[DemoCustomer]) -> list[DemoAccount]:
    """One account per demo customer, then, for each customer number that exists in several
    companies, a buyer for all of them (to try the company switcher with)."""
    accounts: list[DemoAccount] = []
    by_number: defaultdict[str, list[DemoMembership]] = defaultdict(list)
    for customer in customers:
        member = DemoMembership(
            company_id=UUID(customer.company_id),
            company_name=customer.company_name,
            customer_number=customer.customer_number,
            customer_name=customer.customer_name,
            blocked=is_blocked(customer),
        )
        accounts.append(
            DemoAccount(f"{member.company_id}|{member.customer_number}", member.customer_name, (member,))
        )
        by_number[member.customer_number].append(member)
    for number, members in by_number.items():
        if len(members) > 1:
            name = " / ".join(member.customer_name for member in members)
            accounts.append(DemoAccount(f"group|{number}", name, tuple(members)))
    return accounts
