"""The sandbox's own control endpoints, outside BC's routes (docs/sandbox.md, "Control endpoint").

``PUT /_sandbox/faults`` (a JSON list of faults) replaces the faults in force, ``DELETE`` clears
them, ``GET`` lists them; ``GET /_sandbox/stats`` returns the request log's counters and, per
principal, the limiter's; ``GET /_sandbox/webhooks`` the live subscriptions, what is pending and
the last notifications sent.
"""

from __future__ import annotations

import dataclasses
import json

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from gateway.sandbox.faults import Fault
from gateway.sandbox.state import sandbox_of


async def faults_endpoint(request: Request) -> Response:
    faults = sandbox_of(request.app).faults
    if request.method == "DELETE":
        faults.clear()
    elif request.method == "PUT":
        try:
            document = json.loads(await request.body())
            if not isinstance(document, list):
                raise ValueError("expected a JSON list of faults")
            faults.set([Fault.from_json(item) for item in document])
        except (ValueError, TypeError) as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
    return JSONResponse([dataclasses.asdict(f) for f in faults.active])


async def stats_endpoint(request: Request) -> Response:
    sandbox = sandbox_of(request.app)
    return JSONResponse({**sandbox.log.stats(), "principals": sandbox.limiter.stats()})


async def webhooks_endpoint(request: Request) -> Response:
    return JSONResponse(sandbox_of(request.app).webhooks.snapshot())


CONTROL_ROUTES = [
    Route("/_sandbox/faults", faults_endpoint, methods=["GET", "PUT", "DELETE"]),
    Route("/_sandbox/stats", stats_endpoint, methods=["GET"]),
    Route("/_sandbox/webhooks", webhooks_endpoint, methods=["GET"]),
]
