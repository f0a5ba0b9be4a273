"""``/healthz`` (the process is up) and ``/readyz`` (Business Central answers, and what it offers).

``/readyz`` asks BC nothing: probes are unauthenticated and frequent, and each would otherwise
be a BC request.  It answers from what the gateway already knows — whether the last capability
refresh (``BC_CAPABILITY_REFRESH_SECONDS``, sooner while BC is away) reached BC, and the circuit
breaker that every BC request feeds — and shows the capabilities last read from each API route's
``$metadata``: whether the route is present, its entity sets and their navigation properties.
It also shows whether the shared store answers (a ping cached for a few seconds); that does not
decide readiness: every replica shares one Redis, so failing them all would take the whole portal
down while reads still work.  The webhook subscriptions are shown as the manager last found them
(docs/webhooks.md); they do not decide readiness either.

Once the process is asked to stop (``edge/shutdown.py``, which ``bc-gateway serve`` sets on SIGTERM),
``/readyz`` answers 503 ``draining`` at once, before anything else, so load balancers stop sending
new requests while the ones in flight finish.  ``/healthz`` stays 200: the process is alive.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse

from gateway.bc import BreakerState
from gateway.edge.state import gateway_state
from gateway.edge.store_probe import StoreProbe


async def healthz(request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> JSONResponse:
    state = gateway_state(request)
    if state.shutdown.requested:
        return JSONResponse({"status": "draining"}, 503)
    bc = state.bc
    breaker = bc.breaker.state
    reachable = bc.capabilities.reachable is True and breaker is not BreakerState.OPEN
    body = {
        "status": "ready" if reachable else "unavailable",
        "bc": {"reachable": reachable, "breaker": breaker.value},
        "store": await _store_report(state.store),
        "webhooks": state.webhooks.readiness() if state.webhooks is not None else {"enabled": False},
        "changePoll": state.changes.readiness() if state.changes is not None else {"enabled": False},
        "capabilities": bc.capabilities.snapshot(),
    }
    return JSONResponse(body, 200 if reachable else 503)


async def _store_report(probe: StoreProbe | None) -> dict[str, bool] | None:
    if probe is None:
        return None
    return {"replicated": probe.store.replicated, "reachable": await probe.reachable()}
