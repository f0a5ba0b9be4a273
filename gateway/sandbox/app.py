"""``create_sandbox_app``: an ASGI Business Central over a ``SandboxStore``.

Routes (see ``docs/sandbox.md``): the Entra-style token endpoint ``POST /{tenant}/oauth2/v2.0/token``
and every API route under ``/v2.0/{tenant}/{environment}/api/…``.
"""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from gateway.sandbox.api import api_endpoint
from gateway.sandbox.config import SandboxConfig
from gateway.sandbox.state import Sandbox, sandbox_of
from gateway.sandbox.store import SandboxStore
from gateway.sandbox.tokens import token_response

__all__ = ["Sandbox", "create_sandbox_app", "sandbox_of"]

_ALL_METHODS = ["GET", "POST", "PATCH", "PUT", "DELETE"]


def create_sandbox_app(
    config: SandboxConfig | None = None, *, store: SandboxStore | None = None
) -> Starlette:
    """A sandbox serving ``store``, or the demo world built from ``config`` when none is given."""
    config = config or SandboxConfig()
    if store is None:
        # Imported here so that the engine (and its tests) never need the demo world.
        from gateway.sandbox.world import build_store

        store = build_store(config.seed, config.scale, config.today)
    app = Starlette(
        routes=[
            Route("/{tenant}/oauth2/v2.0/token", _token_endpoint, methods=["POST"]),
            Route("/v2.0/{tenant}/{environment}/api/{rest:path}", api_endpoint, methods=_ALL_METHODS),
        ]
    )
    app.state.sandbox = Sandbox(config, store)
    return app


async def _token_endpoint(request: Request) -> Response:
    sandbox = sandbox_of(request.app)
    sandbox.log.token_requests += 1
    return await token_response(request, sandbox.config, sandbox.tokens)
