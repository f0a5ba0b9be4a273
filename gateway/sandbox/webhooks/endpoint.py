"""``…/api/{route}/subscriptions``: BC's webhook subscription API (REFERENCE §3.8).

``POST`` creates a subscription once its ``notificationUrl`` has echoed a ``validationToken``
(201); ``PATCH subscriptions('{id}')`` with ``If-Match`` renews it for another lifetime, after a
new handshake (200); ``DELETE`` with ``If-Match`` removes it (204); ``GET`` lists the route's live
subscriptions or reads one.  At most ``max_subscriptions`` live in the environment.  BC does not
document the wording of these refusals; the codes and the body follow its other errors.
"""

from __future__ import annotations

import re
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from gateway.sandbox.body import parse_body
from gateway.sandbox.config import ApiRoute
from gateway.sandbox.errors import JSON_MEDIA_TYPE, SandboxError, bad_request
from gateway.sandbox.odata.serialize import dumps
from gateway.sandbox.reads import ODATA_HEADERS, api_root
from gateway.sandbox.requestlog import RequestRecord
from gateway.sandbox.state import Sandbox
from gateway.sandbox.webhooks.registry import Subscription
from gateway.sandbox.webhooks.resources import parse_resource, supports_webhooks
from gateway.sandbox.writes import check_if_match

SUBSCRIPTIONS = "subscriptions"
_TYPE = "Microsoft.NAV.subscriptions"
_KEYED = re.compile(r"^subscriptions\('?(?P<id>[^'()]*)'?\)$")
_WRITABLE = ("notificationUrl", "resource", "clientState")
_READ_ONLY = ("subscriptionId", "timestamp", "userId", "lastModifiedDateTime", "expirationDateTime")
MAX_CLIENT_STATE = 2048  # $metadata: clientState MaxLength="2048"


def addresses_subscriptions(resource: str) -> bool:
    return resource == SUBSCRIPTIONS or resource.startswith(f"{SUBSCRIPTIONS}(")


async def subscriptions_endpoint(
    request: Request, sandbox: Sandbox, route: ApiRoute, resource: str, record: RequestRecord
) -> Response:
    record.entity_set = SUBSCRIPTIONS
    key = _key_of(resource)
    method = request.method
    if key is None:
        if method == "GET":
            return _list(request, sandbox, route)
        if method == "POST":
            return await _create(request, sandbox, route)
        raise _not_allowed(method, "EntitySet")
    subscription = sandbox.webhooks.subscriptions.get(key, sandbox.now())
    if subscription is None or subscription.route != route.route:
        raise SandboxError(404, "Internal_RecordNotFound", "The 'subscriptions' record does not exist.")
    if method == "GET":
        return _one(request, route, subscription, 200)
    if method == "PATCH":
        return await _renew(request, sandbox, route, subscription)
    if method == "DELETE":
        check_if_match(request.headers.get("if-match"), subscription.row())
        sandbox.webhooks.delete(subscription.subscription_id)
        return Response(status_code=204, headers=ODATA_HEADERS)
    raise _not_allowed(method, "Entity")


def _list(request: Request, sandbox: Sandbox, route: ApiRoute) -> Response:
    rows = [_rendered(s) for s in sandbox.webhooks.subscriptions.on_route(route.route, sandbox.now())]
    context = f"{api_root(request, route)}/$metadata#{SUBSCRIPTIONS}"
    return _json({"@odata.context": context, "value": rows}, 200)


async def _create(request: Request, sandbox: Sandbox, route: ApiRoute) -> Response:
    body = parse_body(await request.body())
    values = _values(body, creating=True)
    notification_url, resource = values["notificationUrl"], values["resource"]
    target = parse_resource(resource)
    if target is None or target.route != route.route:
        raise bad_request(
            f"The resource '{resource}' is not a valid resource for a subscription on api/{route.route}."
        )
    if sandbox.store.company(target.company_id) is None:
        raise SandboxError(
            404, "Internal_CompanyNotFound", f"The company '{target.company_id}' does not exist."
        )
    if not supports_webhooks(route.route, target.entity_set) or target.entity_set not in sandbox.served_sets(
        route
    ):
        raise bad_request(f"Subscriptions are not supported for the resource '{target.entity_set}'.")
    webhooks = sandbox.webhooks
    limit = webhooks.config.max_subscriptions
    if len(webhooks.subscriptions.active(sandbox.now())) >= limit:
        raise SandboxError(
            400,
            "Application_DialogException",
            f"The maximum number of subscriptions ({limit}) has been reached. "
            "Delete subscriptions you no longer need.",
        )
    await _validate(sandbox, notification_url)
    subscription = webhooks.subscriptions.create(
        route.route, notification_url, resource, target, values.get("clientState", ""), sandbox.now()
    )
    response = _one(request, route, subscription, 201)
    response.headers["Location"] = (
        f"{api_root(request, route)}/{SUBSCRIPTIONS}('{subscription.subscription_id}')"
    )
    return response


async def _renew(request: Request, sandbox: Sandbox, route: ApiRoute, subscription: Subscription) -> Response:
    check_if_match(request.headers.get("if-match"), subscription.row())
    values = _values(parse_body(await request.body()), creating=False)
    changes: dict[str, Any] = {}
    if "notificationUrl" in values:
        changes["notification_url"] = values["notificationUrl"]
    if "clientState" in values:
        changes["client_state"] = values["clientState"]
    if "resource" in values and values["resource"] != subscription.resource:
        target = parse_resource(values["resource"])
        if target != subscription.target:
            raise bad_request("The resource of a subscription cannot be changed.")
        changes["resource"] = values["resource"]
    await _validate(sandbox, changes.get("notification_url", subscription.notification_url))
    # The handshake took a while: someone may have deleted or renewed it meanwhile.
    current = sandbox.webhooks.subscriptions.get(subscription.subscription_id, sandbox.now())
    if current is None:
        raise SandboxError(404, "Internal_RecordNotFound", "The 'subscriptions' record does not exist.")
    if current != subscription:
        raise SandboxError(409, "Request_EntityChanged", "Another user has already changed the record.")
    renewed = sandbox.webhooks.subscriptions.renew(subscription, sandbox.now(), **changes)
    return _one(request, route, renewed, 200)


async def _validate(sandbox: Sandbox, notification_url: str) -> None:
    problem = await sandbox.webhooks.validate(notification_url)
    if problem is not None:
        raise bad_request(f"The subscription could not be validated: {problem}.")


def _values(body: dict[str, Any], *, creating: bool) -> dict[str, str]:
    values: dict[str, str] = {}
    for name, raw in body.items():
        if name.startswith("@odata."):
            continue
        if name in _READ_ONLY:
            # BC's sample POST body repeats the read-only fields; they are ignored, not refused.
            continue
        if name not in _WRITABLE:
            raise bad_request(
                f"The property '{name}' does not exist on type '{_TYPE}'. "
                "Make sure to only use property names that are defined by the type."
            )
        if not isinstance(raw, str):
            raise bad_request(f"Unable to convert the value '{raw}' of '{name}' to String.")
        values[name] = raw.strip() if name != "clientState" else raw
    for required in ("notificationUrl", "resource") if creating else ():
        if not values.get(required):
            raise SandboxError(
                400, "BadRequest_RequiredParamNotProvided", f"Field '{required}' must not be blank or empty."
            )
    state = values.get("clientState", "")
    if len(state) > MAX_CLIENT_STATE:
        raise SandboxError(
            400,
            "Application_StringExceededLength",
            f"The length of the string is {len(state)}, but it must be less than or equal to "
            f"{MAX_CLIENT_STATE} characters. Value: {state[:30]}…",
        )
    return values


def _key_of(resource: str) -> str | None:
    if resource == SUBSCRIPTIONS:
        return None
    match = _KEYED.match(resource)
    if match is None:
        raise SandboxError(
            404, "BadRequest_ResourceNotFound", f"Resource not found for the segment '{resource}'."
        )
    return match.group("id")


def _rendered(subscription: Subscription) -> dict[str, Any]:
    return {"@odata.etag": subscription.etag, **subscription.row()}


def _one(request: Request, route: ApiRoute, subscription: Subscription, status: int) -> Response:
    context = f"{api_root(request, route)}/$metadata#{SUBSCRIPTIONS}/$entity"
    body = {"@odata.context": context, **_rendered(subscription)}
    return _json(body, status, {"ETag": subscription.etag})


def _json(body: dict[str, Any], status: int, headers: dict[str, str] | None = None) -> Response:
    return Response(
        dumps(body),
        status_code=status,
        media_type=JSON_MEDIA_TYPE,
        headers={**ODATA_HEADERS, **(headers or {})},
    )


def _not_allowed(method: str, kind: str) -> SandboxError:
    return SandboxError(
        405,
        "BadRequest_MethodNotAllowed",
        f"'{method}' requests for '{SUBSCRIPTIONS}' of EdmType '{kind}' are not allowed within "
        "Microsoft Dynamics 365 Business Central OData web services.",
    )
