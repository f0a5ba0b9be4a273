"""Which entity sets BC sends notifications for, and the resource paths that name them.

BC notifies for an API page whose source table is a real (not temporary) table with a single key,
declared as an API page, not an API query (Microsoft's "Working with webhooks", "Supported
entities").  Microsoft lists the standard sets that qualify; the sandbox adds ``salesShipments``,
a page over the posted Sales Shipment Header keyed by its SystemId, which the same rules admit
(BC's ``webhookSupportedResources`` answers per tenant).  Every set of the portal extension
qualifies (docs/bc-extension.md: ``PageType = API``, ``ODataKeyFields = SystemId``).  A change to
a document line notifies its header's subscription, as BC does for document APIs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from gateway.sandbox.store import PORTAL_ROUTE, STANDARD_ROUTE

# Microsoft's list of webhook-supported v2.0 entities, plus salesShipments (see above).
STANDARD_WEBHOOK_SETS = frozenset(
    {
        "accounts",
        "companyInformation",
        "countriesRegions",
        "currencies",
        "customerPaymentJournals",
        "customers",
        "dimensions",
        "employees",
        "generalLedgerEntries",
        "itemCategories",
        "items",
        "journals",
        "paymentMethods",
        "paymentTerms",
        "purchaseInvoices",
        "salesCreditMemos",
        "salesInvoices",
        "salesOrders",
        "salesQuotes",
        "shipmentMethods",
        "unitsOfMeasure",
        "vendors",
        "salesShipments",
    }
)
# Line set → (header set, the line's property holding the header's key).
LINE_HEADERS: dict[str, tuple[str, str]] = {
    "salesOrderLines": ("salesOrders", "documentId"),
    "salesInvoiceLines": ("salesInvoices", "documentId"),
    "salesCreditMemoLines": ("salesCreditMemos", "documentId"),
    "salesQuoteLines": ("salesQuotes", "documentId"),
    "salesShipmentLines": ("salesShipments", "documentId"),
    "customerQueryMessages": ("customerQueries", "queryId"),
}

_RESOURCE = re.compile(
    r"^(?:[a-z][a-z0-9+.-]*://[^/]+)?(?:/v2\.0/[^/]+/[^/]+)?/?api/(?P<route>.+?)"
    r"/companies\((?P<company>[0-9A-Fa-f-]{36})\)/(?P<set>[A-Za-z][A-Za-z0-9]*)/?$"
)


@dataclass(frozen=True)
class Resource:
    """What a subscription's ``resource`` names: one entity set of one company on one route."""

    route: str
    company_id: str
    entity_set: str


def parse_resource(resource: str) -> Resource | None:
    """``/api/v2.0/companies(<id>)/customers`` (relative, with or without the leading slash, or an
    absolute URL), or ``None`` when it is not a company's entity set."""
    match = _RESOURCE.match(resource.strip())
    if match is None:
        return None
    return Resource(match.group("route"), match.group("company").lower(), match.group("set"))


def supports_webhooks(route: str, entity_set: str) -> bool:
    if route == STANDARD_ROUTE:
        return entity_set in STANDARD_WEBHOOK_SETS
    return route == PORTAL_ROUTE and entity_set not in LINE_HEADERS


def entity_url(resource: str, key: str) -> str:
    """The notification's ``resource`` for one record: the subscription's resource and the key,
    as BC's ``GetSingleEntityUrl`` writes it (a GUID unquoted)."""
    return f"{resource.rstrip('/')}({key})"


def collection_url(resource: str, since: str | None) -> str:
    """The ``collection`` notification's ``resource``: the subscription's resource, filtered to
    the records changed since the first pending change (50 ms earlier, as BC does) when known."""
    base = resource.rstrip("/")
    return f"{base}?$filter=lastModifiedDateTime%20gt%20{since}" if since else base
