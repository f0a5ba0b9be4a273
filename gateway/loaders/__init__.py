"""Per-request DataLoaders: every lookup by key goes through one of these.

A loader's batch function returns one result per key, in key order, ``None`` for missing keys,
and makes one OData request per chunk of keys (see :mod:`gateway.loaders.batching`).  Loaders
are built per GraphQL request, so nothing one customer loaded is ever served to another.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import partial
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


@dataclass(frozen=True)
class Loaders:
    """The loaders of one GraphQL request.  Documents come with their lines expanded."""

    items_by_id: DataLoader[UUID, Item | None]
    items_by_number: DataLoader[str, Item | None]
    order_by_number: DataLoader[str, SalesOrder | None]
    order_by_id: DataLoader[UUID, SalesOrder | None]
    invoice_by_number: DataLoader[str, SalesInvoice | None]
    invoice_by_id: DataLoader[UUID, SalesInvoice | None]
    shipment_by_number: DataLoader[str, SalesShipment | None]
    shipment_by_id: DataLoader[UUID, SalesShipment | None]
    # An order's posted documents, by order number (open and completed orders alike).
    # As BC has them: an order BC has deleted is rebuilt from them.
    shipments_by_order_number: DataLoader[str, list[SalesShipment]]
    invoices_by_order_number: DataLoader[str, list[SalesInvoice]]
    # Newer BC, where the tenant has them: the archives of an order, every version.
    archives_by_order_number: DataLoader[str, list[SalesOrderArchive]]
    # The portal custom API (docs/bc-extension.md).
    tracking_by_shipment_number: DataLoader[str, ShipmentTracking | None]
    shipping_agents: DataLoader[UUID, Mapping[str, ShippingAgent]]  # by company: by code
    availability_by_item_id: DataLoader[UUID, ItemAvailability | None]
    # Posted credit memos by number; proof-of-delivery files per shipment id (portal custom API).
    credit_memo_by_number: DataLoader[str, SalesCreditMemo | None]
    delivery_documents_by_shipment_id: DataLoader[UUID, list[DeliveryDocument]]


def build_loaders(session: BCSession) -> Loaders:
    """All loaders for one request, bound to its BC session (and so to its customer scope).

    Between requests, answers are kept by the BC client's answer cache (``docs/caching.md``):
    the catalogue and stock for every customer of a company, the rest per customer.
    """

    def documents(kind: DocumentKind[Any], field: str) -> DataLoader[Any, Any]:
        return DataLoader(partial(_documents, session, kind, field))

    # The customer's recent tracking and proof of delivery, shared by their two loaders.
    recent = RecentReads(session)
    return Loaders(
        items_by_id=DataLoader(partial(load_items, session, "id")),
        items_by_number=DataLoader(partial(load_items, session, "number")),
        order_by_number=documents(ORDERS, "number"),
        order_by_id=documents(ORDERS, "id"),
        invoice_by_number=documents(INVOICES, "number"),
        invoice_by_id=documents(INVOICES, "id"),
        shipment_by_number=documents(SHIPMENTS, "number"),
        shipment_by_id=documents(SHIPMENTS, "id"),
        shipments_by_order_number=DataLoader(partial(load_by_order_number, session, SHIPMENTS)),
        invoices_by_order_number=DataLoader(partial(load_by_order_number, session, INVOICES)),
        archives_by_order_number=DataLoader(partial(load_archives, session)),
        tracking_by_shipment_number=DataLoader(partial(load_trackings, session, recent)),
        shipping_agents=DataLoader(partial(load_shipping_agents, session)),
        availability_by_item_id=DataLoader(partial(load_availabilities, session)),
        credit_memo_by_number=documents(CREDIT_MEMOS, "number"),
        delivery_documents_by_shipment_id=DataLoader(partial(load_delivery_documents, session, recent)),
    )


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
