"""Everything under ``/v2.0/{tenant}/{environment}/api/…``: logging, faults, bearer check, BC's
limits, route, method."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import anyio
import anyio.lowlevel
from starlette.requests import Request
from starlette.responses import Response

from gateway.sandbox.batch import BATCH_SEGMENT, batch
from gateway.sandbox.config import ApiRoute
from gateway.sandbox.errors import SandboxError, error_response, not_found_segment
from gateway.sandbox.faultresponses import apply_latency, fault_response, slowed
from gateway.sandbox.faults import DroppedConnection, Fault
from gateway.sandbox.reads import read
from gateway.sandbox.requestlog import RequestRecord
from gateway.sandbox.state import Sandbox, sandbox_of
from gateway.sandbox.webhooks.endpoint import addresses_subscriptions, subscriptions_endpoint
from gateway.sandbox.writes import create, delete, update

Handler = Callable[[Request, Sandbox, ApiRoute, str, RequestRecord], Awaitable[Response]]

HANDLERS: dict[str, Handler] = {"GET": read, "POST": create, "PATCH": update, "DELETE": delete}

_UNAUTHORIZED_HEADERS = {
    "WWW-Authenticate": 'Bearer authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize"'
}


async def api_endpoint(request: Request) -> Response:
    sandbox = sandbox_of(request.app)
    with sandbox.log.track(request.method, request.url.path, request.url.query) as record:
        entity_set = _entity_set_of(request.path_params["rest"])
        faults = sandbox.faults.draw(request.method, entity_set)
        try:
            response = await _limited(request, sandbox, record, faults)
        except SandboxError as error:
            response = error_response(error)
        except DroppedConnection:
            record.status = 0
            record.entity_set = record.entity_set or entity_set
            raise
        record.status = response.status_code
        if any(f.kind == "reset" and f.when == "after" for f in faults):
            record.status = 0
            raise DroppedConnection("reset after processing")
    return slowed(response, faults, sandbox.faults)


async def _limited(
    request: Request, sandbox: Sandbox, record: RequestRecord, faults: list[Fault]
) -> Response:
    early = fault_response(faults)
    if early is not None:
        return early
    record.principal = _authenticate(request, sandbox)
    async with sandbox.limiter.slot(record.principal):
        with sandbox.log.processing():
            # A real server interleaves requests; yielding here lets concurrent callers overlap.
            await anyio.lowlevel.checkpoint()
            await apply_latency(faults, sandbox.faults)
            return await dispatch(request, sandbox, record)


async def dispatch(request: Request, sandbox: Sandbox, record: RequestRecord) -> Response:
    """Route an authenticated request (also each operation of a ``$batch``) to its handler."""
    params = request.path_params
    if params["tenant"] != sandbox.config.tenant or params["environment"] != sandbox.config.environment:
        raise not_found_segment(params["environment"])
    route, resource = _split_route(sandbox, params["rest"])
    record.route = route.route
    if resource == BATCH_SEGMENT:
        if request.method != "POST":
            raise _method_not_allowed(request.method, resource)
        return await batch(request, sandbox, route, record, dispatch)
    if addresses_subscriptions(resource):
        try:
            return await subscriptions_endpoint(request, sandbox, route, resource, record)
        except SandboxError as error:
            return error_response(error)
    handler = HANDLERS.get(request.method)
    if handler is None:
        raise _method_not_allowed(request.method, resource)
    try:
        return await handler(request, sandbox, route, resource, record)
    except SandboxError as error:
        return error_response(error)


def _authenticate(request: Request, sandbox: Sandbox) -> str:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    principal = sandbox.tokens.principal(token.strip()) if scheme.lower() == "bearer" else None
    if principal is None:
        message = "The server has rejected the client credentials."
        raise SandboxError(401, "Authentication_InvalidCredentials", message, _UNAUTHORIZED_HEADERS)
    return principal


def _split_route(sandbox: Sandbox, rest: str) -> tuple[ApiRoute, str]:
    # Longest route first: a route may be a prefix of another one's path.
    for route in sorted(sandbox.config.served_routes, key=lambda r: len(r.route), reverse=True):
        if rest == route.route or rest.startswith(route.route + "/"):
            return route, rest[len(route.route) :].strip("/")
    raise not_found_segment(rest.split("/", 1)[0])


def _entity_set_of(rest: str) -> str | None:
    """The entity set a path names last (``…/salesOrders(id)/salesOrderLines`` → salesOrderLines),
    for matching faults before the request is resolved."""
    last = rest.rstrip("/").rsplit("/", 1)[-1].split("(", 1)[0]
    return last or None


def _method_not_allowed(method: str, resource: str) -> SandboxError:
    target = resource.rsplit("/", 1)[-1].split("(", 1)[0] or "the service root"
    message = (
        f"'{method}' requests for '{target}' of EdmType 'EntitySet' are not allowed within "
        "Microsoft Dynamics 365 Business Central OData web services."
    )
    return SandboxError(405, "BadRequest_MethodNotAllowed", message)
