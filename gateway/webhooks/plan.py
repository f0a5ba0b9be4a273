"""Which subscriptions the gateway wants, and how many BC lets it have.

Per company, in this order of importance (docs/webhooks.md explains each choice):

1. ``salesOrders``: status, shipped and invoiced quantities; deleted once shipped and invoiced.
2. ``salesInvoices``: a new posted invoice; its remaining amount and status after a payment.
3. ``salesShipments``: a new posted shipment (an order's lines change too, but the shipment,
   its tracking and proof of delivery are documents of their own).
4. ``customerQueries`` (the portal extension's API, where the tenant has it): staff replies and
   status changes.
5. ``salesCreditMemos``: a new posted credit memo.
6. ``customers``: credit limit, blocking, addresses.  Not the balance: it is a FlowField, and BC
   notifies only when the customer record itself changes.
7. ``items``: prices, blocking, and stock when the posting touches the item record.

BC allows 200 subscriptions per environment, shared with every other integration: the budget is
200 less the subscriptions that are not the gateway's.  When the plan does not fit, the most
important resources of every company are subscribed first and the rest are reported, never
created.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

from gateway.bc import PORTAL_API, STANDARD_API, ApiRoute

BC_SUBSCRIPTION_LIMIT = 200  # per environment (REFERENCE §5)


@dataclass(frozen=True)
class Watched:
    route: ApiRoute
    entity_set: str


WATCHED: tuple[Watched, ...] = (
    Watched(STANDARD_API, "salesOrders"),
    Watched(STANDARD_API, "salesInvoices"),
    Watched(STANDARD_API, "salesShipments"),
    Watched(PORTAL_API, "customerQueries"),
    Watched(STANDARD_API, "salesCreditMemos"),
    Watched(STANDARD_API, "customers"),
    Watched(STANDARD_API, "items"),
)


@dataclass(frozen=True)
class Wanted:
    """One subscription the gateway wants: an entity set of a company."""

    company_id: uuid.UUID
    route: ApiRoute
    entity_set: str

    @property
    def resource(self) -> str:
        return f"/{self.route.path}/companies({self.company_id})/{self.entity_set}"

    @property
    def route_name(self) -> str:
        """The route as notifications name it: ``v2.0``, ``bcgateway/portal/v1.0``."""
        return self.route.path.removeprefix("api/")

    @property
    def key(self) -> str:
        return resource_key(self.resource)


def resource_key(resource: str) -> str:
    """A resource as comparable text: from ``api/`` on, lowercase (BC keeps what it was sent)."""
    match = re.search(r"api/.*$", resource.strip(), flags=re.IGNORECASE)
    return (match.group(0) if match else resource.strip()).lower().rstrip("/")


def wanted_subscriptions(companies: list[uuid.UUID], offered: set[tuple[str, str]]) -> list[Wanted]:
    """Every subscription wanted, most important first: each resource for all companies before the
    next resource.  ``offered``: (route path, entity set) pairs the tenant has."""
    return [
        Wanted(company, watched.route, watched.entity_set)
        for watched in WATCHED
        if (watched.route.path, watched.entity_set) in offered
        for company in companies
    ]
