"""GraphQL over HTTP, the request half: which operations a request carries, or why it is refused.

Only ``GET`` (parameters in the query string) and ``POST`` with an ``application/json`` body are
accepted.  Refusing every other content type keeps ``/graphql`` out of reach of CSRF "simple
requests" (``text/plain``, forms), which browsers send cross-site without a preflight.  Bodies are
read up to a limit and no further; a client that goes away while sending one is answered like
any refused request (the server drops the answer), not treated as the gateway's failure.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any

from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response

from gateway.edge.responses import JSON, graphql_error
from gateway.schema.error_codes import ErrorCode

log = logging.getLogger("gateway.edge")


@dataclass(frozen=True)
class OperationParams:
    """One operation's parameters, as sent (validated only for their JSON shape)."""

    query: object
    variables: dict[str, Any] | None
    operation_name: str | None
    extensions: dict[str, Any] | None
    # graphql-codegen's persisted documents name the document instead of sending it.
    document_id: str | None = None


class Refused(Exception):
    """The request is answered with ``response`` and goes no further."""

    def __init__(self, response: Response) -> None:
        super().__init__(response.status_code)
        self.response = response


@dataclass(frozen=True)
class Incoming:
    operations: list[OperationParams]
    batch: bool


async def read_operations(
    request: Request, *, max_body_bytes: int, batch_limit: int, media_type: str = JSON
) -> Incoming:
    """The operations of ``request``, or ``Refused`` with a GraphQL-shaped 4xx response."""

    def refuse(status: int, code: ErrorCode, message: str, headers: dict[str, str] | None = None) -> Refused:
        return Refused(graphql_error(status, code, message, media_type=media_type, headers=headers))

    if request.method == "GET":
        raw = {key: request.query_params[key] for key in request.query_params}
        try:
            for key in ("variables", "extensions"):
                if key in raw:
                    raw[key] = json.loads(raw[key])
        except ValueError:
            raise refuse(400, ErrorCode.BAD_REQUEST, "variables and extensions must be JSON") from None
        return Incoming([_params(raw, refuse)], batch=False)
    if request.method != "POST":
        raise refuse(405, ErrorCode.METHOD_NOT_ALLOWED, "Use GET or POST.", {"Allow": "GET, POST"})
    _check_content_type(request.headers.get("content-type"), refuse)
    body = await _read_body(request, max_body_bytes, refuse)
    try:
        payload = json.loads(body)
    except ValueError:
        raise refuse(400, ErrorCode.BAD_REQUEST, "The body is not valid JSON.") from None
    if isinstance(payload, list):
        if batch_limit <= 0:
            raise refuse(400, ErrorCode.BATCHING_DISABLED, "Array batching is not enabled on this gateway.")
        if not payload or len(payload) > batch_limit:
            raise refuse(400, ErrorCode.BATCH_TOO_LARGE, f"A batch holds 1 to {batch_limit} operations.")
        return Incoming([_params(item, refuse) for item in payload], batch=True)
    return Incoming([_params(payload, refuse)], batch=False)


def operation_params(raw: object) -> OperationParams:
    """One operation's parameters from a JSON object — a WebSocket ``subscribe`` payload — or
    ``Refused`` (its body saying why, as for a POST)."""

    def refuse(status: int, code: ErrorCode, message: str, headers: dict[str, str] | None = None) -> Refused:
        return Refused(graphql_error(status, code, message, headers=headers))

    return _params(raw, refuse)


def _check_content_type(value: str | None, refuse: Any) -> None:
    media, _, params = (value or "").partition(";")
    charset = next(
        (
            p.split("=", 1)[1].strip().strip('"').lower()
            for p in params.split(";")
            if "=" in p and p.split("=", 1)[0].strip().lower() == "charset"
        ),
        "utf-8",
    )
    if media.strip().lower() != JSON or charset not in ("utf-8", "utf8"):
        raise refuse(
            415, ErrorCode.UNSUPPORTED_MEDIA_TYPE, "POST a JSON body with Content-Type: application/json."
        )


async def _read_body(request: Request, limit: int, refuse: Any) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise refuse(413, ErrorCode.PAYLOAD_TOO_LARGE, f"The body may be at most {limit} bytes.")
    chunks: list[bytes] = []
    size = 0
    try:
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise refuse(413, ErrorCode.PAYLOAD_TOO_LARGE, f"The body may be at most {limit} bytes.")
            chunks.append(chunk)
    except ClientDisconnect:
        log.info("client_disconnected", extra={"body_bytes": size})
        raise refuse(400, ErrorCode.BAD_REQUEST, "The request body did not arrive in full.") from None
    if size == 0:
        raise refuse(400, ErrorCode.BAD_REQUEST, "A POST needs a JSON body.")
    return b"".join(chunks)


def _params(raw: object, refuse: Any) -> OperationParams:
    if not isinstance(raw, dict):
        raise refuse(400, ErrorCode.BAD_REQUEST, "An operation is a JSON object.")
    query, variables = raw.get("query"), raw.get("variables")
    name, extensions = raw.get("operationName"), raw.get("extensions")
    if query is not None and not isinstance(query, str):
        raise refuse(400, ErrorCode.BAD_REQUEST, "`query` must be a string.")
    if variables is not None and not isinstance(variables, dict):
        raise refuse(400, ErrorCode.BAD_REQUEST, "`variables` must be an object.")
    if name is not None and not isinstance(name, str):
        raise refuse(400, ErrorCode.BAD_REQUEST, "`operationName` must be a string.")
    if extensions is not None and not isinstance(extensions, dict):
        raise refuse(400, ErrorCode.BAD_REQUEST, "`extensions` must be an object.")
    document_id = raw.get("documentId")
    if document_id is not None and not isinstance(document_id, str):
        raise refuse(400, ErrorCode.BAD_REQUEST, "`documentId` must be a string.")
    return OperationParams(query, variables, name, extensions, document_id)
