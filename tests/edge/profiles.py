"""A gateway on a sandbox of a given BC profile over a given demo world, for tests that compare
BC versions ("full" has salesOrderArchives, "bare" is the 2025 API without them)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import httpx
from starlette.applications import Starlette

from gateway.app import create_app
from gateway.edge.development import Development, mint_for, start_development
from gateway.sandbox.app import create_sandbox_app
from gateway.sandbox.config import Profile, SandboxConfig
from gateway.sandbox.store import SandboxStore
from gateway.settings import Settings
from tests.conftest import SCALE, SEED, TODAY

Gateway = tuple[httpx.AsyncClient, Development, Starlette]


@contextlib.asynccontextmanager
async def profile_gateway(store: SandboxStore, profile: Profile) -> AsyncIterator[Gateway]:
    """(client, development, sandbox) of a gateway on a ``profile`` sandbox over ``store``."""
    sandbox = create_sandbox_app(
        SandboxConfig(seed=SEED, scale=SCALE, today=TODAY, profile=profile), store=store
    )
    development = start_development(Settings(), sandbox=sandbox)
    app = create_app(Settings(), development=development, today=lambda: TODAY)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gateway.test") as http,
    ):
        yield http, development, sandbox


def token_of(development: Development, company: str, customer: str) -> str:
    member = next(
        c for c in development.customers if c.customer_number == customer and str(c.company_id) == company
    )
    return mint_for(development, member)
