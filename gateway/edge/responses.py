"""GraphQL-shaped error responses, in the media type the client negotiated."""

from __future__ import annotations

from collections.abc import Mapping

from starlette.responses import JSONResponse

from gateway.schema.error_codes import ErrorCode

JSON = "application/json"
GRAPHQL_RESPONSE = "application/graphql-response+json"


def negotiate(accept: str | None) -> str | None:
    """The response media type for an ``Accept`` header, or ``None`` when nothing fits.

    A missing ``Accept`` (or ``*/*``) gets ``application/json``; otherwise the first of the two
    GraphQL media types the client lists wins.
    """
    if not accept:
        return JSON
    best: tuple[float, int, str] | None = None
    for position, part in enumerate(accept.split(",")):
        media, _, params = part.strip().partition(";")
        media = media.strip().lower()
        quality = _quality(params)
        chosen = {GRAPHQL_RESPONSE: GRAPHQL_RESPONSE, JSON: JSON, "*/*": JSON, "application/*": JSON}.get(
            media
        )
        if chosen is None or quality <= 0:
            continue
        if best is None or (quality, -position) > (best[0], -best[1]):
            best = (quality, position, chosen)
    return best[2] if best is not None else None


def _quality(params: str) -> float:
    for param in params.split(";"):
        name, _, value = param.strip().partition("=")
        if name.strip() == "q":
            try:
                return float(value)
            except ValueError:
                return 0.0
    return 1.0


def graphql_error(
    status: int,
    code: ErrorCode,
    message: str,
    *,
    media_type: str = JSON,
    headers: Mapping[str, str] | None = None,
    extensions: Mapping[str, object] | None = None,
) -> JSONResponse:
    """``{"errors": [{"message", "extensions": {"code", …}}]}`` with no ``data``: nothing ran."""
    body = {"errors": [{"message": message, "extensions": {"code": code, **(extensions or {})}}]}
    sent = {"Cache-Control": "no-store", **(headers or {})}
    return JSONResponse(body, status, headers=sent, media_type=media_type)
