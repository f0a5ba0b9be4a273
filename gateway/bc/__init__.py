"""Business Central client: settings, Entra token, OData building, HTTP, paging, models, errors.

Knows nothing of GraphQL and imports nothing from the rest of ``gateway`` but the leaf
``gateway.customer_number`` (the customer number rule it shares with ``gateway.auth``).
Everything public is listed in ``__all__``; the modules behind it are private.
"""

from __future__ import annotations

from ._breaker import BreakerState
from ._capabilities import CapabilityMap, CapabilityUnavailable
from ._client import BCClient, BCSession
from ._credit_memos import CreditMemoStatus, SalesCreditMemo, SalesCreditMemoLine
from ._customer_queries import (
    CustomerQuery,
    CustomerQueryMessage,
    DeliveryDocument,
    QueryAuthorType,
    QueryCategory,
    QueryDocumentType,
    QueryStatus,
)
from ._documents import SalesOrder, SalesOrderLine
from ._enums import (
    CustomerBlocked,
    InvoiceLineType,
    InvoiceStatus,
    ItemType,
    SalesLineType,
    SalesOrderStatus,
)
from ._errors import (
    BCAuthenticationFailed,
    BCCircuitOpen,
    BCError,
    BCNotFound,
    BCProtocolError,
    BCQueueFull,
    BCRequestRejected,
    BCThrottled,
    BCTimeout,
    BCTransportError,
    BCUnavailable,
    InvalidScope,
    ODataBuildError,
    ScopeViolation,
    UnsafeFilterText,
)
from ._fleet import SharedLimits
from ._invoices import SalesInvoice, SalesInvoiceLine
from ._media import CREDIT_MEMO_PDF, DELIVERY_DOCUMENT_CONTENT, INVOICE_PDF, STATEMENT_PDF, Media, MediaStream
from ._models import Company, Customer, CustomerFinancialDetail, Item, ItemCategory, UnitOfMeasure
from ._odata import Expand, Field, Filter, Query, al_operator_in, any_of, longest_literal_run
from ._owners import OWNED_RECORDS, OwnerFields, RecordOwner, RecordOwners
from ._portal import ItemAvailability, ShipmentTracking, ShippingAgent
from ._receivables import (
    AgedReceivable,
    CustomerContact,
    CustomerLedgerEntry,
    LedgerDocumentType,
    LedgerEntryType,
)
from ._resilience import Clock, ResilienceSettings
from ._scope import CUSTOMER_OWNED, CustomerScope, ScopedQuery, scoped
from ._settings import ANALYTICS_API, PORTAL_API, STANDARD_API, ApiRoute, BCSettings, ClientCredentials
from ._shipments import SalesShipment, SalesShipmentLine
from ._subscriptions import WebhookSubscription, WebhookSubscriptions
from ._token import EntraTokenAuth

__all__ = [
    "ANALYTICS_API",
    "CREDIT_MEMO_PDF",
    "CUSTOMER_OWNED",
    "DELIVERY_DOCUMENT_CONTENT",
    "INVOICE_PDF",
    "OWNED_RECORDS",
    "PORTAL_API",
    "STANDARD_API",
    "STATEMENT_PDF",
    "AgedReceivable",
    "ApiRoute",
    "BCAuthenticationFailed",
    "BCCircuitOpen",
    "BCClient",
    "BCError",
    "BCNotFound",
    "BCProtocolError",
    "BCQueueFull",
    "BCRequestRejected",
    "BCSession",
    "BCSettings",
    "BCThrottled",
    "BCTimeout",
    "BCTransportError",
    "BCUnavailable",
    "BreakerState",
    "CapabilityMap",
    "CapabilityUnavailable",
    "ClientCredentials",
    "Clock",
    "Company",
    "CreditMemoStatus",
    "Customer",
    "CustomerBlocked",
    "CustomerContact",
    "CustomerFinancialDetail",
    "CustomerLedgerEntry",
    "CustomerQuery",
    "CustomerQueryMessage",
    "CustomerScope",
    "DeliveryDocument",
    "EntraTokenAuth",
    "Expand",
    "Field",
    "Filter",
    "InvalidScope",
    "InvoiceLineType",
    "InvoiceStatus",
    "Item",
    "ItemAvailability",
    "ItemCategory",
    "ItemType",
    "LedgerDocumentType",
    "LedgerEntryType",
    "Media",
    "MediaStream",
    "ODataBuildError",
    "OwnerFields",
    "Query",
    "QueryAuthorType",
    "QueryCategory",
    "QueryDocumentType",
    "QueryStatus",
    "RecordOwner",
    "RecordOwners",
    "ResilienceSettings",
    "SalesCreditMemo",
    "SalesCreditMemoLine",
    "SalesInvoice",
    "SalesInvoiceLine",
    "SalesLineType",
    "SalesOrder",
    "SalesOrderLine",
    "SalesOrderStatus",
    "SalesShipment",
    "SalesShipmentLine",
    "ScopeViolation",
    "ScopedQuery",
    "SharedLimits",
    "ShipmentTracking",
    "ShippingAgent",
    "UnitOfMeasure",
    "UnsafeFilterText",
    "WebhookSubscription",
    "WebhookSubscriptions",
    "al_operator_in",
    "any_of",
    "longest_literal_run",
    "scoped",
]
