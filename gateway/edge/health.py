"""``/healthz`` (the process is up) and ``/readyz`` (Business Central answers, and what it offers).

``/readyz`` asks BC for its companies (through the breaker: an open breaker answers at once) and
shows the capabilities last read from each API route's ``$metadata``: whether the route is
present, its entity sets and their navigation properties.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

from gateway.bc import BCError
from gateway.edge.state import gateway_state


async def healthz(request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> JSONResponse:
    bc = gateway_state(request).bc
    capabilities = bc.capabilities.snapshot()
    breaker = bc.breaker.state.value
    try:
        companies = await bc.fetch_companies()
    except BCError as error:
        body: dict[str, Any] = {
            "status": "unavailable",
            "bc": {"reachable": False, "code": error.code, "breaker": breaker},
            "capabilities": capabilities,
        }
        return JSONResponse(body, 503)
    return JSONResponse(
        {
            "status": "ready",
            "bc": {"reachable": True, "companies": len(companies), "breaker": bc.breaker.state.value},
            "capabilities": capabilities,
        }
    )
