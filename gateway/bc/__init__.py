"""Business Central client: settings, Entra token, OData building, HTTP, paging, models, errors.

Knows nothing of GraphQL and imports nothing from the rest of ``gateway`` but the leaf
``gateway.customer_number`` (the customer number rule it shares with ``gateway.auth``).
Everything public is listed in ``__all__``; the modules behind it are private.
"""

from __future__ import annotations

from ._answer_owners import AnswerOwners
from ._answer_policy import KIND_OF, SHARED_SETS, CacheSettings, DataKind, notified_by
from ._answer_store import AnswerStore
from ._answers import Answer, AnswerCache, AnswerSource, Coverage
from ._archives import SalesOrderArchive, SalesOrderArchiveLine
from ._breaker import BreakerState
from ._capabilities import CapabilityMap, CapabilityUnavailable
from ._changes import ChangedRecord, ChangeRead, ChangeReader, ReadKind
from ._client import BCClient, BCLoad
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
from ._entity import Entity, NonEmpty, body
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
from ._observe import NO_OBSERVER, BCObserver, CallEnded, CallStarted, CallWatch
from ._odata import Expand, Field, Filter, Query, al_operator_in, any_of, longest_literal_run
from ._owners import OWNED_RECORDS, OwnerFields, OwnerRead, RecordOwner, RecordOwners
from ._portal import ItemAvailability, ShipmentTracking, ShippingAgent
from ._reads_by_key import RowsByKey
from ._receivables import (
    AgedReceivable,
    CustomerContact,
    CustomerLedgerEntry,
    LedgerDocumentType,
    LedgerEntryType,
)
from ._resilience import Clock, ResilienceSettings
from ._scope import CUSTOMER_OWNED, CustomerScope, ScopedQuery, scoped
from ._session import BCSession, NotKept
from ._settings import ANALYTICS_API, PORTAL_API, STANDARD_API, ApiRoute, BCSettings, ClientCredentials
from ._shipments import SalesShipment, SalesShipmentLine
from ._subscriptions import WebhookSubscription, WebhookSubscriptions
from ._token import EntraTokenAuth
from ._transport import BCTransport

__all__ = [
    "ANALYTICS_API",
    "CREDIT_MEMO_PDF",
    "CUSTOMER_OWNED",
    "DELIVERY_DOCUMENT_CONTENT",
    "INVOICE_PDF",
    "KIND_OF",
    "NO_OBSERVER",
    "OWNED_RECORDS",
    "PORTAL_API",
    "SHARED_SETS",
    "STANDARD_API",
    "STATEMENT_PDF",
    "AgedReceivable",
    "Answer",
    "AnswerCache",
    "AnswerOwners",
    "AnswerSource",
    "AnswerStore",
    "ApiRoute",
    "BCAuthenticationFailed",
    "BCCircuitOpen",
    "BCClient",
    "BCError",
    "BCLoad",
    "BCNotFound",
    "BCObserver",
    "BCProtocolError",
    "BCQueueFull",
    "BCRequestRejected",
    "BCSession",
    "BCSettings",
    "BCThrottled",
    "BCTimeout",
    "BCTransport",
    "BCTransportError",
    "BCUnavailable",
    "BreakerState",
    "CacheSettings",
    "CallEnded",
    "CallStarted",
    "CallWatch",
    "CapabilityMap",
    "CapabilityUnavailable",
    "ChangeRead",
    "ChangeReader",
    "ChangedRecord",
    "ClientCredentials",
    "Clock",
    "Company",
    "Coverage",
    "CreditMemoStatus",
    "Customer",
    "CustomerBlocked",
    "CustomerContact",
    "CustomerFinancialDetail",
    "CustomerLedgerEntry",
    "CustomerQuery",
    "CustomerQueryMessage",
    "CustomerScope",
    "DataKind",
    "DeliveryDocument",
    "Entity",
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
    "NonEmpty",
    "NotKept",
    "ODataBuildError",
    "OwnerFields",
    "OwnerRead",
    "Query",
    "QueryAuthorType",
    "QueryCategory",
    "QueryDocumentType",
    "QueryStatus",
    "ReadKind",
    "RecordOwner",
    "RecordOwners",
    "ResilienceSettings",
    "RowsByKey",
    "SalesCreditMemo",
    "SalesCreditMemoLine",
    "SalesInvoice",
    "SalesInvoiceLine",
    "SalesLineType",
    "SalesOrder",
    "SalesOrderArchive",
    "SalesOrderArchiveLine",
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
    "body",
    "longest_literal_run",
    "notified_by",
    "scoped",
]
