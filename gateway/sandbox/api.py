"""Everything under ``/v2.0/{tenant}/{environment}/api/…``: logging, bearer check, route, method."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import anyio.lowlevel
from starlette.requests import Request
from starlette.responses import Response

from gateway.sandbox.config import ApiRoute
from gateway.sandbox.errors import SandboxError, error_response, not_found_segment
from gateway.sandbox.reads import read
from gateway.sandbox.requestlog import RequestRecord
from gateway.sandbox.state import Sandbox, sandbox_of
from gateway.sandbox.writes import create, delete, update

Handler = Callable[[Request, Sandbox, ApiRoute, str, RequestRecord], Awaitable[Response]]

HANDLERS: dict[str, Handler] = {"GET": read, "POST": create, "PATCH": update, "DELETE": delete}

_UNAUTHORIZED_HEADERS = {
    "WWW-Authenticate": 'Bearer authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize"'
}


async def api_endpoint(request: Request) -> Response:
    sandbox = sandbox_of(request.app)
    with sandbox.log.track(request.method, request.url.path, request.url.query) as record:
        # A real server interleaves requests; yielding here lets concurrent callers overlap.
        await anyio.lowlevel.checkpoint()
        try:
            response = await _handle(request, sandbox, record)
        except SandboxError as error:
            response = error_response(error)
        record.status = response.status_code
    return response


async def _handle(request: Request, sandbox: Sandbox, record: RequestRecord) -> Response:
    record.principal = _authenticate(request, sandbox)
    params = request.path_params
    if params["tenant"] != sandbox.config.tenant or params["environment"] != sandbox.config.environment:
        raise not_found_segment(params["environment"])
    route, resource = _split_route(sandbox, params["rest"])
    record.route = route.route
    handler = HANDLERS.get(request.method)
    if handler is None:
        raise _method_not_allowed(request.method, resource)
    return await handler(request, sandbox, route, resource, record)


def _authenticate(request: Request, sandbox: Sandbox) -> str:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    principal = sandbox.tokens.principal(token.strip()) if scheme.lower() == "bearer" else None
    if principal is None:
        message = "The server has rejected the client credentials."
        raise SandboxError(401, "Authentication_InvalidCredentials", message, _UNAUTHORIZED_HEADERS)
    return principal


def _split_route(sandbox: Sandbox, rest: str) -> tuple[ApiRoute, str]:
    # Longest route first: a route may be a prefix of another one's path.
    for route in sorted(sandbox.config.routes, key=lambda r: len(r.route), reverse=True):
        if rest == route.route or rest.startswith(route.route + "/"):
            return route, rest[len(route.route) :].strip("/")
    raise not_found_segment(rest.split("/", 1)[0])


def _method_not_allowed(method: str, resource: str) -> SandboxError:
    target = resource.rsplit("/", 1)[-1].split("(", 1)[0] or "the service root"
    message = (
        f"'{method}' requests for '{target}' of EdmType 'EntitySet' are not allowed within "
        "Microsoft Dynamics 365 Business Central OData web services."
    )
    return SandboxError(405, "BadRequest_MethodNotAllowed", message)
