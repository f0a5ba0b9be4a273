"""BC's side of the wire: the validation handshake and the notification POST.

Both go to the subscriber's ``notificationUrl`` through an httpx transport: the network by
default, or the one the composition root hands the sandbox (the embedded sandbox reaches the
gateway in process).  Neither is ever retried here: BC's job decides what a failure means.
"""

from __future__ import annotations

import json
import secrets
import uuid
from typing import Any

import httpx

# Answers after which BC tries the notification again later (codeunit 6154, ShouldReschedule):
# no answer, 408, 429 and 5xx.  Any other failure deletes the subscriptions of that URL.
_RETRIED_STATUSES = frozenset({408, 429})


def should_retry(status: int | None) -> bool:
    return status is None or status in _RETRIED_STATUSES or 500 <= status <= 599


def delivered(status: int | None) -> bool:
    return status is not None and 200 <= status <= 299


async def handshake(
    url: str, transport: httpx.AsyncBaseTransport | None, timeout_seconds: float
) -> str | None:
    """Ask ``url`` to echo a fresh ``validationToken``; ``None`` when it did, else what went wrong."""
    token = secrets.token_urlsafe(24)
    try:
        target = httpx.URL(url).copy_merge_params({"validationToken": token})
        async with httpx.AsyncClient(transport=transport, timeout=timeout_seconds) as http:
            response = await http.post(target)
    except httpx.TimeoutException:
        return f"the notification URL did not answer within {timeout_seconds:g} seconds"
    except (httpx.HTTPError, ValueError):
        return "the notification URL could not be reached"
    if response.status_code != 200:
        return f"the notification URL answered {response.status_code} instead of 200"
    if response.text.strip() != token:
        return "the notification URL did not return the validationToken in its body"
    return None


async def post_notifications(
    url: str,
    entries: list[dict[str, Any]],
    transport: httpx.AsyncBaseTransport | None,
    timeout_seconds: float,
) -> int | None:
    """POST one notification body; the status, or ``None`` when no answer came."""
    correlation = str(uuid.uuid4())
    headers = {
        "Content-Type": "application/json",
        "clientRequestId": correlation,
        "x-ms-correlation-id": correlation,
    }
    # BC 19 and later send no byte order mark.
    body = json.dumps({"value": entries}, ensure_ascii=False).encode("utf-8")
    try:
        async with httpx.AsyncClient(transport=transport, timeout=timeout_seconds) as http:
            response = await http.post(url, content=body, headers=headers)
    except (httpx.HTTPError, ValueError):
        return None
    return response.status_code
