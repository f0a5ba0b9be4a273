"""``create_sandbox_app``: an ASGI Business Central over a ``SandboxStore``.

Routes (see ``docs/sandbox.md``): the Entra-style token endpoint ``POST /{tenant}/oauth2/v2.0/token``,
every API route under ``/v2.0/{tenant}/{environment}/api/…``, and the control endpoints under
``/_sandbox/`` (faults and counters, for tests and benchmarks; not part of BC).
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from gateway.sandbox.api import api_endpoint
from gateway.sandbox.config import SandboxConfig
from gateway.sandbox.control import CONTROL_ROUTES
from gateway.sandbox.faults import DroppedConnection
from gateway.sandbox.staff.control import STAFF_ROUTES
from gateway.sandbox.state import Sandbox, sandbox_of
from gateway.sandbox.store import SandboxStore
from gateway.sandbox.tokens import token_response

__all__ = ["Sandbox", "create_sandbox_app", "sandbox_of"]

_ALL_METHODS = ["GET", "POST", "PATCH", "PUT", "DELETE"]
_SERVER_SEND = "sandbox.server_send"


class SandboxApp(Starlette):
    """Starlette that remembers the server's own ``send``, so that a ``reset`` fault can close the
    connection under a real server (uvicorn) instead of answering."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        scope[_SERVER_SEND] = send
        await super().__call__(scope, receive, send)


def create_sandbox_app(
    config: SandboxConfig | None = None, *, store: SandboxStore | None = None
) -> Starlette:
    """A sandbox serving ``store``, or the demo world built from ``config`` when none is given."""
    config = config or SandboxConfig()
    if store is None:
        # Imported here so that the engine (and its tests) never need the demo world.
        from gateway.sandbox.world import build_store

        store = build_store(config.seed, config.scale, config.today, config.long_histories)
    app = SandboxApp(
        routes=[
            Route("/{tenant}/oauth2/v2.0/token", _token_endpoint, methods=["POST"]),
            Route("/v2.0/{tenant}/{environment}/api/{rest:path}", api_endpoint, methods=_ALL_METHODS),
            *CONTROL_ROUTES,
            *STAFF_ROUTES,
        ],
        exception_handlers={DroppedConnection: _drop_connection},
        lifespan=_lifespan,
    )
    app.state.sandbox = Sandbox(config, store)
    return app


@contextlib.asynccontextmanager
async def _lifespan(app: Starlette) -> AsyncIterator[None]:
    """Served on its own (``bc-gateway sandbox``): BC's webhook job and staff on a clock run
    alongside.  An app reached in process has no lifespan; its host runs ``Sandbox.running``."""
    async with sandbox_of(app).running():
        yield


async def _token_endpoint(request: Request) -> Response:
    sandbox = sandbox_of(request.app)
    sandbox.log.token_requests += 1
    return await token_response(request, sandbox.config, sandbox.tokens)


async def _drop_connection(request: Request, exc: Exception) -> Response:
    # Under uvicorn, the server's send is a bound method of its request cycle, which holds the
    # socket's transport: abort it so the client sees the connection drop with no response.
    server_send = request.scope.get(_SERVER_SEND)
    transport = getattr(getattr(server_send, "__self__", None), "transport", None)
    if transport is None or not hasattr(transport, "abort"):
        raise exc  # in-process: sandbox_transport turns it into an httpx transport error
    transport.abort()
    return Response(status_code=500)  # written to a closed connection: nobody receives it
