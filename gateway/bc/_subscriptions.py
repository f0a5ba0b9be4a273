"""BC's webhook subscriptions API (REFERENCE §3.8): list, create, renew and delete.

``{route root}/subscriptions`` is environment-wide (not under a company); a custom API's
subscriptions live on its own route.  Creating and renewing make BC call the subscription's
``notificationUrl`` with a ``validationToken`` before it answers, so these requests last as long
as that handshake.  Writes are sent exactly once: a lost answer to a POST may still have created
the subscription, which is why callers reconcile with ``list`` instead of retrying.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import httpx

from ._audit import CallContext
from ._calls import _Call, _read_entity
from ._entity import reader_for
from ._errors import BCProtocolError
from ._settings import STANDARD_API, ApiRoute

if TYPE_CHECKING:
    from ._client import BCClient

__all__ = ["WebhookSubscription", "WebhookSubscriptions"]

_SUBSCRIPTIONS = "subscriptions"
_SUBSCRIPTION_ID = re.compile(r"^[A-Za-z0-9-]{1,150}$")  # $metadata: Edm.String, MaxLength 150


@dataclass(frozen=True)
class WebhookSubscription:
    """One subscription as BC lists it; ``etag`` is what renewing and deleting need."""

    subscription_id: str
    notification_url: str
    resource: str
    client_state: str
    expires: dt.datetime
    etag: str

    @classmethod
    def from_json(cls, row: Mapping[str, Any], etag: str | None = None) -> WebhookSubscription:
        try:
            subscription_id = str(row["subscriptionId"])
            expires = dt.datetime.fromisoformat(str(row["expirationDateTime"]).replace("Z", "+00:00"))
            subscription = cls(
                subscription_id=subscription_id,
                notification_url=str(row["notificationUrl"]),
                resource=str(row["resource"]),
                client_state=str(row.get("clientState") or ""),
                expires=expires if expires.tzinfo else expires.replace(tzinfo=dt.UTC),
                etag=str(etag or row.get("@odata.etag") or "*"),
            )
        except (KeyError, ValueError) as exc:
            raise BCProtocolError("Business Central sent a subscription without its fields") from exc
        if not _SUBSCRIPTION_ID.match(subscription_id):
            raise BCProtocolError("Business Central sent a subscription id of an unexpected form")
        return subscription


class WebhookSubscriptions:
    """The subscriptions API of one BC client (``BCClient.subscriptions``)."""

    def __init__(self, client: BCClient) -> None:
        self._client = client

    async def list(self, route: ApiRoute = STANDARD_API) -> list[WebhookSubscription]:
        """Every live subscription on ``route`` (all subscribers', not only ours)."""
        call = _Call(CallContext(operation="webhooks"), route, _SUBSCRIPTIONS)
        url = self._url(route)
        rows = await self._client._fetch_pages(url, {}, call, reader_for(None), top=None, limit=None)
        return [WebhookSubscription.from_json(row) for row in rows]

    async def create(
        self, notification_url: str, resource: str, client_state: str, route: ApiRoute = STANDARD_API
    ) -> WebhookSubscription:
        body = {"notificationUrl": notification_url, "resource": resource, "clientState": client_state}
        return await self._write("POST", self._url(route), route, body, None)

    async def renew(
        self, subscription: WebhookSubscription, client_state: str, route: ApiRoute = STANDARD_API
    ) -> WebhookSubscription:
        """PATCH with ``If-Match``: BC validates the URL again and lets it live another 3 days."""
        body = {"notificationUrl": subscription.notification_url, "clientState": client_state}
        return await self._write("PATCH", self._keyed(route, subscription), route, body, subscription.etag)

    async def delete(self, subscription: WebhookSubscription, route: ApiRoute = STANDARD_API) -> None:
        call = _Call(CallContext(operation="webhooks"), route, _SUBSCRIPTIONS)
        headers = {"If-Match": subscription.etag}
        url = self._keyed(route, subscription)
        await self._client._request("DELETE", url, None, headers, call, _nothing)

    async def _write(
        self, method: str, url: str, route: ApiRoute, body: dict[str, str], etag: str | None
    ) -> WebhookSubscription:
        call = _Call(CallContext(operation="webhooks"), route, _SUBSCRIPTIONS)
        headers = {"Content-Type": "application/json", **({"If-Match": etag} if etag else {})}
        row = await self._client._request(method, url, None, headers, call, _read_entity, json_body=body)
        return WebhookSubscription.from_json(row)

    def _url(self, route: ApiRoute) -> str:
        return f"{self._client.settings.route_url(route)}/{_SUBSCRIPTIONS}"

    def _keyed(self, route: ApiRoute, subscription: WebhookSubscription) -> str:
        return f"{self._url(route)}('{subscription.subscription_id}')"


def _nothing(response: httpx.Response) -> tuple[None, None]:
    return None, None
