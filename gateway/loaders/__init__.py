"""Per-request DataLoaders: every lookup by key goes through one of these.

A loader's batch function returns one result per key, in key order, ``None`` for missing keys,
and makes one OData request per chunk of keys (see :mod:`gateway.loaders.batching`).  Loaders
are built per GraphQL request, so nothing one customer loaded is ever served to another.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cached_property, partial
from typing import Any
from uuid import UUID

from aiodataloader import DataLoader

from gateway.bc import (
    BCSession,
    DeliveryDocument,
    Field,
    Item,
    ItemAvailability,
    Query,
    SalesCreditMemo,
    SalesInvoice,
    SalesOrder,
    SalesOrderArchive,
    SalesShipment,
    ShipmentTracking,
    ShippingAgent,
    any_of,
)
from gateway.loaders.archives import load_archives
from gateway.loaders.batching import load_by_key, load_each_key
from gateway.loaders.by_order import load_by_order_number
from gateway.loaders.delivery import load_delivery_documents
from gateway.loaders.documents import CREDIT_MEMOS, INVOICES, ORDERS, SHIPMENTS, DocumentKind
from gateway.loaders.portal import load_availabilities, load_shipping_agents, load_trackings
from gateway.loaders.queries import ITEM_EXPANDS
from gateway.loaders.recent_deliveries import RecentReads

__all__ = ["Loaders", "build_loaders", "load_documents", "load_items"]


class Loaders:
    """The loaders of one GraphQL request, bound to its BC session (and so to its customer
    scope).  Documents come with their lines expanded.

    Each is built when first used: an operation uses a few of them (the dashboard four of
    sixteen), and building a DataLoader is most of what a request's context costs.  Between
    requests, answers are kept by the BC client's answer cache (``docs/caching.md``): the
    catalogue and stock for every customer of a company, the rest per customer.
    """

    def __init__(self, session: BCSession) -> None:
        self._session = session

    @cached_property
    def items_by_id(self) -> DataLoader[UUID, Item | None]:
        return DataLoader(partial(load_items, self._session, "id"))

    @cached_property
    def items_by_number(self) -> DataLoader[str, Item | None]:
        return DataLoader(partial(load_items, self._session, "number"))

    @cached_property
    def order_by_number(self) -> DataLoader[str, SalesOrder | None]:
        return self._documents(ORDERS, "number")

    @cached_property
    def order_by_id(self) -> DataLoader[UUID, SalesOrder | None]:
        return self._documents(ORDERS, "id")

    @cached_property
    def invoice_by_number(self) -> DataLoader[str, SalesInvoice | None]:
        return self._documents(INVOICES, "number")

    @cached_property
    def invoice_by_id(self) -> DataLoader[UUID, SalesInvoice | None]:
        return self._documents(INVOICES, "id")

    @cached_property
    def shipment_by_number(self) -> DataLoader[str, SalesShipment | None]:
        return self._documents(SHIPMENTS, "number")

    @cached_property
    def shipment_by_id(self) -> DataLoader[UUID, SalesShipment | None]:
        return self._documents(SHIPMENTS, "id")

    # An order's posted documents, by order number (open and completed orders alike).
    # As BC has them: an order BC has deleted is rebuilt from them.
    @cached_property
    def shipments_by_order_number(self) -> DataLoader[str, list[SalesShipment]]:
        return DataLoader(partial(load_by_order_number, self._session, SHIPMENTS))

    @cached_property
    def invoices_by_order_number(self) -> DataLoader[str, list[SalesInvoice]]:
        return DataLoader(partial(load_by_order_number, self._session, INVOICES))

    # Newer BC, where the tenant has them: the archives of an order, every version.
    @cached_property
    def archives_by_order_number(self) -> DataLoader[str, list[SalesOrderArchive]]:
        return DataLoader(partial(load_archives, self._session))

    # The portal custom API (docs/bc-extension.md).
    @cached_property
    def tracking_by_shipment_number(self) -> DataLoader[str, ShipmentTracking | None]:
        return DataLoader(partial(load_trackings, self._session, self._recent))

    @cached_property
    def shipping_agents(self) -> DataLoader[UUID, Mapping[str, ShippingAgent]]:  # by company: by code
        return DataLoader(partial(load_shipping_agents, self._session))

    @cached_property
    def availability_by_item_id(self) -> DataLoader[UUID, ItemAvailability | None]:
        return DataLoader(partial(load_availabilities, self._session))

    # Posted credit memos by number; proof-of-delivery files per shipment id (portal custom API).
    @cached_property
    def credit_memo_by_number(self) -> DataLoader[str, SalesCreditMemo | None]:
        return self._documents(CREDIT_MEMOS, "number")

    @cached_property
    def delivery_documents_by_shipment_id(self) -> DataLoader[UUID, list[DeliveryDocument]]:
        return DataLoader(partial(load_delivery_documents, self._session, self._recent))

    @cached_property
    def _recent(self) -> RecentReads:
        """The customer's recent tracking and proof of delivery, shared by their two loaders."""
        return RecentReads(self._session)

    def _documents(self, kind: DocumentKind[Any], field: str) -> DataLoader[Any, Any]:
        return DataLoader(partial(_documents, self._session, kind, field))


def build_loaders(session: BCSession) -> Loaders:
    """All loaders for one request, bound to its BC session (each built when first used)."""
    return Loaders(session)


async def load_items(session: BCSession, field: str, keys: Sequence[Any]) -> list[Item | None]:
    """Items are catalogue data, not customer-owned: no scope filter applies, and an answer read
    for one customer serves the company's other customers (``docs/caching.md``)."""

    def query_for(keys: Sequence[Any]) -> Query:
        return Query("items", filter=any_of(Field(field), keys), select=Item.SELECT, expand=ITEM_EXPANDS)

    async def fetch(chunk: Sequence[Any]) -> list[Item]:
        # One answer kept per item: an order's items are served from those any order read.
        return await session.fetch_by_key(query_for, field, chunk, model=Item)

    return await load_by_key(keys, fetch, lambda item: getattr(item, field))


async def load_documents(
    session: BCSession, kind: DocumentKind[Any], field: str, keys: Sequence[Any]
) -> list[Any]:
    """The reads of a document loader (one document per key, ``None`` for none) for a caller
    that is not one: the first failed read raises, and no loader remembers it."""
    found = await _documents(session, kind, field, keys)
    for document in found:
        if isinstance(document, Exception):
            raise document
    return found


async def _documents(
    session: BCSession, kind: DocumentKind[Any], field: str, keys: Sequence[Any]
) -> list[Any]:
    """Documents of the caller only: the query goes through ``scoped``.  Lines cannot be read
    without their parent (REFERENCE.md §6.5), so they always come expanded from the header."""

    async def fetch(chunk: Sequence[Any]) -> list[Any]:
        # One answer kept per key: `order(number)` is served from a page's read of many numbers.
        return await session.fetch_by_key(kind.by_key(field, session.scope), field, chunk, model=kind.model)

    # A failed read fails its own keys only (DataLoader raises for them); the rest still resolve.
    return await load_each_key(
        keys, fetch, lambda document: getattr(document, field), batching=session.batching
    )
