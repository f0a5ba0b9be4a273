"""``/healthz`` (the process is up) and ``/readyz`` (Business Central answers, and what it offers).

``/readyz`` asks BC for its companies (through the breaker: an open breaker answers at once) and
shows the capabilities last read from each API route's ``$metadata``: whether the route is
present, its entity sets and their navigation properties.  It also shows whether the shared store
answers (a ping cached for a few seconds); that does not decide readiness: every replica shares
one Redis, so failing them all would take the whole portal down while reads still work.  The
webhook subscriptions are shown as the manager last found them (no BC request per probe); they
do not decide readiness either.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

from gateway.bc import BCError
from gateway.edge.state import gateway_state
from gateway.edge.store_probe import StoreProbe


async def healthz(request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> JSONResponse:
    state = gateway_state(request)
    bc = state.bc
    capabilities = bc.capabilities.snapshot()
    breaker = bc.breaker.state.value
    store = await _store_report(state.store)
    webhooks = state.webhooks.readiness() if state.webhooks is not None else {"enabled": False}
    try:
        companies = await bc.fetch_companies()
    except BCError as error:
        body: dict[str, Any] = {
            "status": "unavailable",
            "bc": {"reachable": False, "code": error.code, "breaker": breaker},
            "store": store,
            "webhooks": webhooks,
            "capabilities": capabilities,
        }
        return JSONResponse(body, 503)
    return JSONResponse(
        {
            "status": "ready",
            "bc": {"reachable": True, "companies": len(companies), "breaker": bc.breaker.state.value},
            "store": store,
            "webhooks": webhooks,
            "capabilities": capabilities,
        }
    )


async def _store_report(probe: StoreProbe | None) -> dict[str, bool] | None:
    if probe is None:
        return None
    return {"replicated": probe.store.replicated, "reachable": await probe.reachable()}
