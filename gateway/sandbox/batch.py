"""JSON ``$batch`` (REFERENCE §3.6): up to 100 operations, each through the ordinary handlers.

``POST {route root}/$batch`` with ``{"requests": [{"id", "method", "url", "headers", "body"}]}``
answers ``{"responses": [{"id", "status", "headers", "body"}]}``.  Each operation is logged as its
own request (the batch too, as entity set ``$batch``).  With ``Isolation: snapshot`` the batch is
all-or-nothing: when any operation fails, the undo journal takes back every change the batch made
(the successful operations still report their own status, as BC's documented example shows).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlsplit

import anyio.lowlevel
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Message

from gateway.sandbox.body import parse_body
from gateway.sandbox.config import ApiRoute
from gateway.sandbox.errors import JSON_MEDIA_TYPE, SandboxError, bad_request, error_response
from gateway.sandbox.journal import UndoJournal
from gateway.sandbox.odata.serialize import dumps
from gateway.sandbox.requestlog import RequestRecord
from gateway.sandbox.state import Sandbox
from gateway.sandbox.writes import JOURNAL_SCOPE_KEY

BATCH_SEGMENT = "$batch"
MAX_OPERATIONS = 100  # per $batch, per environment (REFERENCE §5)
_KEPT_HEADERS = ("content-type", "location", "etag", "retry-after", "odata-version", "preference-applied")

Dispatch = Callable[[Request, Sandbox, RequestRecord], Awaitable[Response]]


async def batch(
    request: Request, sandbox: Sandbox, route: ApiRoute, record: RequestRecord, dispatch: Dispatch
) -> Response:
    record.entity_set = BATCH_SEGMENT
    if JOURNAL_SCOPE_KEY in request.scope or "sandbox.batch" in request.scope:
        raise bad_request("A batch request cannot contain another batch request.")
    operations = _operations(parse_body(await request.body()))
    snapshot = request.headers.get("isolation", "").strip().lower() == "snapshot"
    journal = UndoJournal() if snapshot else None
    if journal is None:
        responses = [await _run(request, sandbox, route, record, op, None, dispatch) for op in operations]
    else:
        async with sandbox.write_lock:
            responses = [
                await _run(request, sandbox, route, record, op, journal, dispatch) for op in operations
            ]
            if any(r["status"] >= 400 for r in responses):
                journal.rollback()
    return Response(
        dumps({"responses": responses}), media_type=JSON_MEDIA_TYPE, headers={"OData-Version": "4.0"}
    )


def _operations(document: dict[str, Any]) -> list[dict[str, Any]]:
    requests = document.get("requests")
    if not isinstance(requests, list) or not all(isinstance(r, dict) for r in requests):
        raise bad_request("Invalid Request Body")
    if len(requests) > MAX_OPERATIONS:
        raise SandboxError(
            400,
            "BadRequest",
            f"The batch request contains {len(requests)} operations, which exceeds the maximum of "
            f"{MAX_OPERATIONS} operations per batch request.",
        )
    return requests


async def _run(
    outer: Request,
    sandbox: Sandbox,
    route: ApiRoute,
    outer_record: RequestRecord,
    operation: dict[str, Any],
    journal: UndoJournal | None,
    dispatch: Dispatch,
) -> dict[str, Any]:
    method = str(operation.get("method", "GET")).upper()
    path, query = _target(outer, route, str(operation.get("url", "")))
    inner = _inner_request(outer, route, method, path, query, operation, journal)
    # Other requests proceed between a batch's operations, as they do on a real server.
    await anyio.lowlevel.checkpoint()
    with sandbox.log.track(method, inner.url.path, query) as record:
        record.principal = outer_record.principal
        record.route = route.route
        record.in_batch = True
        try:
            response = await dispatch(inner, sandbox, record)
        except SandboxError as error:
            response = error_response(error)
        record.status = response.status_code
    return _answer(operation.get("id"), response)


def _target(outer: Request, route: ApiRoute, url: str) -> tuple[str, str]:
    """The operation's resource path under the route and its query string; URLs are relative to
    the route root, absolute ones are accepted when they point into it."""
    parts = urlsplit(url)
    path = parts.path
    marker = f"/api/{route.route}/"
    if marker in path:
        path = path.split(marker, 1)[1]
    return path.lstrip("/"), parts.query


def _inner_request(
    outer: Request,
    route: ApiRoute,
    method: str,
    path: str,
    query: str,
    operation: dict[str, Any],
    journal: UndoJournal | None,
) -> Request:
    headers = {str(k).lower(): str(v) for k, v in (operation.get("headers") or {}).items()}
    headers.setdefault("authorization", outer.headers.get("authorization", ""))
    body = b"" if operation.get("body") is None else json.dumps(operation["body"]).encode()
    params = outer.path_params
    full_path = f"/v2.0/{params['tenant']}/{params['environment']}/api/{route.route}/{path}"
    scope = {
        **outer.scope,
        "method": method,
        "path": full_path,
        "raw_path": full_path.encode(),
        "query_string": query.encode(),
        "headers": [(k.encode(), v.encode()) for k, v in headers.items()],
        "path_params": {**params, "rest": f"{route.route}/{path}".rstrip("/")},
        "sandbox.batch": True,
    }
    if journal is not None:
        scope[JOURNAL_SCOPE_KEY] = journal

    async def receive() -> Message:
        return {"type": "http.request", "body": body, "more_body": False}

    return Request(scope, receive)


def _answer(operation_id: Any, response: Response) -> dict[str, Any]:
    headers = {k: v for k, v in response.headers.items() if k.lower() in _KEPT_HEADERS}
    answer: dict[str, Any] = {"id": operation_id, "status": response.status_code, "headers": headers}
    body = _body(bytes(getattr(response, "body", b"")), response.headers.get("content-type", ""))
    if body is not None:
        answer["body"] = body
    return answer


def _body(raw: bytes, content_type: str) -> Any:
    """JSON bodies inline, text as a string, anything else (a PDF) base64-encoded."""
    if not raw:
        return None
    if "json" in content_type:
        return json.loads(raw)
    if content_type.startswith(("text/", "application/xml")):
        return raw.decode("utf-8", errors="replace")
    return base64.b64encode(raw).decode("ascii")
