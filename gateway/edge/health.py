"""``/healthz`` (the process is up) and ``/readyz`` (Business Central answers)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse

from gateway.bc import BCError
from gateway.edge.state import gateway_state


async def healthz(request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> JSONResponse:
    bc = gateway_state(request).bc
    capabilities = bc.capabilities.snapshot()
    try:
        companies = await bc.fetch_companies()
    except BCError as error:
        body = {
            "status": "unavailable",
            "bc": {"reachable": False, "code": error.code},
            "capabilities": capabilities,
        }
        return JSONResponse(body, 503)
    return JSONResponse(
        {
            "status": "ready",
            "bc": {"reachable": True, "companies": len(companies)},
            "capabilities": capabilities,
        }
    )
