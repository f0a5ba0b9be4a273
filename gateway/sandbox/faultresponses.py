"""What each drawn fault does to one request: an early status, a wait, a dropped connection, or a
body that trickles out."""

from __future__ import annotations

from collections.abc import AsyncIterator

import anyio
from starlette.responses import Response, StreamingResponse

from gateway.sandbox.errors import SandboxError, error_response
from gateway.sandbox.faults import DroppedConnection, Fault, Faults

_STATUS_ERRORS = {
    429: ("TooManyRequests", "Too many requests reached. Please try again later."),
    502: ("BadGateway", "The service is temporarily unavailable (bad gateway). Please try again later."),
    503: ("ServiceUnavailable", "The service is temporarily unavailable. Please try again later."),
    504: ("GatewayTimeout", "The request exceeded the maximum execution time and was canceled."),
}
_SLOW_BODY_PIECES = 10


def fault_response(faults: list[Fault]) -> Response | None:
    """The answer a ``status`` fault gives instead of processing; raise for ``reset`` before."""
    for fault in faults:
        if fault.kind == "reset" and fault.when == "before":
            raise DroppedConnection("reset before processing")
    for fault in faults:
        if fault.kind == "status" and fault.status is not None:
            code, message = _STATUS_ERRORS[fault.status]
            headers = {"Retry-After": f"{fault.retry_after:g}"} if fault.retry_after is not None else {}
            return error_response(SandboxError(fault.status, code, message, headers))
    return None


async def apply_latency(faults: list[Fault], state: Faults) -> None:
    """Wait as long as the ``latency`` faults say, while holding the request's processing slot."""
    for fault in faults:
        if fault.kind == "latency":
            await anyio.sleep(state.delay_seconds(fault))


def slowed(response: Response, faults: list[Fault], state: Faults) -> Response:
    """``response`` sent in pieces spread over a ``slow_body`` fault's latency."""
    fault = next((f for f in faults if f.kind == "slow_body"), None)
    if fault is None:
        return response
    body = bytes(response.body)
    pause = state.delay_seconds(fault) / _SLOW_BODY_PIECES
    size = max(1, -(-len(body) // _SLOW_BODY_PIECES))

    async def pieces() -> AsyncIterator[bytes]:
        for start in range(0, max(len(body), 1), size):
            await anyio.sleep(pause)
            yield body[start : start + size]

    headers = {k: v for k, v in response.headers.items() if k.lower() != "content-length"}
    return StreamingResponse(pieces(), status_code=response.status_code, headers=headers)
