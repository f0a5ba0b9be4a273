"""BC's error body, ``{"error": {"code", "message"}}``, and the exception that carries it."""

from __future__ import annotations

import json
import uuid

from starlette.responses import Response

JSON_MEDIA_TYPE = "application/json; odata.metadata=minimal; odata.streaming=true; charset=utf-8"


class SandboxError(Exception):
    """A failure the engine reports to the caller exactly as BC would."""

    def __init__(self, status: int, code: str, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}


def error_body(code: str, message: str) -> dict[str, dict[str, str]]:
    # BC appends the correlation id to the message text, with two spaces, and no separate field.
    return {"error": {"code": code, "message": f"{message}  CorrelationId:  {uuid.uuid4()}."}}


def error_response(error: SandboxError) -> Response:
    body = json.dumps(error_body(error.code, error.message), ensure_ascii=False).encode()
    return Response(body, status_code=error.status, media_type=JSON_MEDIA_TYPE, headers=error.headers)


def not_found_segment(segment: str) -> SandboxError:
    return SandboxError(
        404, "BadRequest_ResourceNotFound", f"Resource not found for the segment '{segment}'."
    )


def no_property(name: str, type_name: str) -> SandboxError:
    return SandboxError(
        400, "BadRequest_NotFound", f"Could not find a property named '{name}' on type '{type_name}'."
    )


def bad_request(message: str) -> SandboxError:
    return SandboxError(400, "BadRequest", message)


def query_syntax(detail: str) -> SandboxError:
    return SandboxError(400, "BadRequest_NotFound", f"Bad Request - Error in query syntax. {detail}".strip())
