"""``/_sandbox/staff``: the staff simulator's control endpoint, and staff working on a clock.

``POST /_sandbox/staff/{action}`` (``release``, ``ship``, ``invoice``, ``pay``, ``stock``,
``answer`` or ``random``) with an optional JSON object of options (``company``, ``order``,
``invoice``, ``item``, ``query``, ``fraction``, ``amount``, ``part``, ``quantity``, ``message``,
``resolve``) does it and answers what changed; ``GET /_sandbox/staff`` lists the actions.  Like
the other control endpoints it is a test and demo fixture, outside BC's routes.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable

import anyio
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from gateway.sandbox.state import Sandbox, sandbox_of

from .actions import ACTIONS, RANDOM, run_action
from .desk import StaffError

log = logging.getLogger("gateway.sandbox.staff")


async def staff_endpoint(request: Request) -> Response:
    sandbox = sandbox_of(request.app)
    if request.method == "GET":
        every = sandbox.config.staff_every_seconds
        return JSONResponse({"actions": [*ACTIONS, RANDOM], "everySeconds": every or None})
    raw = await request.body()
    try:
        options = json.loads(raw) if raw.strip() else {}
    except ValueError:
        return JSONResponse({"error": "The body must be a JSON object of options."}, status_code=400)
    if not isinstance(options, dict):
        return JSONResponse({"error": "The body must be a JSON object of options."}, status_code=400)
    try:
        outcome = await run_action(sandbox, request.path_params["action"], options, sandbox.staff_rng)
    except StaffError as error:
        return JSONResponse({"error": error.message}, status_code=error.status)
    log.info("staff_action", extra={"action": outcome.action, "summary": outcome.summary})
    return JSONResponse(outcome.json())


STAFF_ROUTES = [
    Route("/_sandbox/staff", staff_endpoint, methods=["GET"]),
    Route("/_sandbox/staff/{action}", staff_endpoint, methods=["POST"]),
]


def staff_app(sandbox: Sandbox) -> Starlette:
    """The staff endpoint of ``sandbox`` as an app of its own, to mount at ``/_sandbox/staff`` in a
    server that embeds the sandbox in process (``bc-gateway serve`` in development)."""
    app = Starlette(
        routes=[
            Route("/", staff_endpoint, methods=["GET"]),
            Route("/{action}", staff_endpoint, methods=["POST"]),
        ]
    )
    app.state.sandbox = sandbox
    return app


async def work_on_a_clock(
    sandbox: Sandbox, every_seconds: float, *, sleep: Callable[[float], Awaitable[None]] = anyio.sleep
) -> None:
    """Staff do one random action every ``every_seconds``, until cancelled."""
    while True:
        await sleep(every_seconds)
        try:
            outcome = await run_action(sandbox, RANDOM, {}, sandbox.staff_rng)
        except StaffError as error:
            log.info("staff_idle", extra={"reason": error.message})
            continue
        log.info("staff_action", extra={"action": outcome.action, "summary": outcome.summary})
