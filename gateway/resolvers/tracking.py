"""Carrier, package tracking number and tracking URL of a posted shipment.

The standard API has none of them (REFERENCE.md §9): they come from the portal custom API
(``shipmentTrackings``, ``shippingAgents``; docs/bc-extension.md).  The tracking URL is the
gateway's template for the agent's code when one is configured (``PORTAL_TRACKING_URLS``, with
``{tracking}``), otherwise BC's own ``internetAddress`` with its ``%1`` placeholder, as BC's
``Shipping Agent.GetTrackingInternetAddr`` does.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

from gateway.bc import ShipmentTracking, ShippingAgent
from gateway.resolvers.context import Context

TRACKING_PLACEHOLDER = "{tracking}"
_BC_PLACEHOLDER = "%1"
_AGENT_CODE = re.compile(r"^[A-Z0-9][A-Z0-9_-]{0,9}$")  # BC Code[10], upper case
# Entries are separated by commas that start a new "CODE=": a URL may contain commas itself.
_ENTRY_SEPARATOR = re.compile(r",\s*(?=[A-Za-z0-9_-]+=)")


def parse_tracking_urls(value: str) -> dict[str, str]:
    """``'DHL=https://…{tracking},UPS=https://…{tracking}'`` → {agent code: URL template}.

    Raises ``ValueError`` naming the first bad entry: a code that is not a BC shipping agent code,
    a URL that is not absolute http(s), or one without ``{tracking}``.
    """
    templates: dict[str, str] = {}
    for entry in filter(None, (part.strip() for part in _ENTRY_SEPARATOR.split(value.strip()))):
        code, equals, url = entry.partition("=")
        code, url = code.strip().upper(), url.strip()
        if not equals or not _AGENT_CODE.match(code):
            raise ValueError(f"{entry!r} is not CODE=URL with a shipping agent code of up to 10 characters")
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc or TRACKING_PLACEHOLDER not in url:
            raise ValueError(f"the URL for {code} must be an absolute http(s) URL containing {{tracking}}")
        templates[code] = url
    return templates


@dataclass(frozen=True)
class Carrier:
    code: str
    name: str | None
    service_code: str | None


async def tracking_of(ctx: Context, shipment_number: str) -> ShipmentTracking | None:
    tracking: ShipmentTracking | None = await ctx.loaders.tracking_by_shipment_number.load(shipment_number)
    return tracking


async def carrier_of(ctx: Context, shipment_number: str) -> Carrier | None:
    """None when the shipment had no carrier (picked up, ex works) or it is not known yet."""
    # The company's carriers need no tracking row: asked for with it, they reach BC in the same
    # round trip (the portal API's $batch) instead of the next one.
    tracking, agents = await asyncio.gather(
        tracking_of(ctx, shipment_number), _agents(ctx), return_exceptions=True
    )
    if isinstance(tracking, BaseException):
        raise tracking
    if tracking is None or tracking.shipping_agent_code is None:
        return None  # what went wrong reading the carriers does not matter then
    if isinstance(agents, BaseException):
        raise agents
    agent = agents.get(tracking.shipping_agent_code)
    return Carrier(
        code=tracking.shipping_agent_code,
        name=agent.name if agent is not None else None,
        service_code=tracking.shipping_agent_service_code,
    )


async def tracking_url_of(ctx: Context, shipment_number: str) -> str | None:
    tracking = await tracking_of(ctx, shipment_number)
    if tracking is None or tracking.shipping_agent_code is None or tracking.package_tracking_number is None:
        return None
    code = tracking.shipping_agent_code
    configured = ctx.policy.tracking_urls.get(code)
    agent = None if configured is not None else (await _agents(ctx)).get(code)
    return tracking_url(code, tracking.package_tracking_number, ctx.policy.tracking_urls, agent)


def tracking_url(
    agent_code: str, number: str, templates: Mapping[str, str], agent: ShippingAgent | None
) -> str | None:
    """The gateway's template for the agent wins over BC's; None when neither has one."""
    value = quote(number, safe="")
    configured = templates.get(agent_code)
    if configured is not None:
        return configured.replace(TRACKING_PLACEHOLDER, value)
    if agent is not None and agent.internet_address and _BC_PLACEHOLDER in agent.internet_address:
        return agent.internet_address.replace(_BC_PLACEHOLDER, value)
    return None


async def _agents(ctx: Context) -> Mapping[str, ShippingAgent]:
    agents: Mapping[str, ShippingAgent] = await ctx.loaders.shipping_agents.load(ctx.bc.scope.company_id)
    return agents
