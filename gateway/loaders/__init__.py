"""Per-request DataLoaders: every lookup by key goes through one of these.

A loader's batch function returns one result per key, in key order, ``None`` for missing keys,
and makes one OData request per chunk of keys (see :mod:`gateway.loaders.batching`).  Loaders
are built per GraphQL request, so nothing one customer loaded is ever served to another.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any
from uuid import UUID

from aiodataloader import DataLoader

from gateway.bc import (
    BCSession,
    Field,
    Item,
    Query,
    SalesInvoice,
    SalesOrder,
    SalesShipment,
    any_of,
    scoped,
)
from gateway.loaders.batching import load_by_key
from gateway.loaders.documents import INVOICES, ORDERS, SHIPMENTS, DocumentKind
from gateway.loaders.queries import ITEM_EXPANDS

__all__ = ["Loaders", "build_loaders"]


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


def build_loaders(session: BCSession) -> Loaders:
    """All loaders for one request, bound to its BC session (and so to its customer scope)."""

    def documents(kind: DocumentKind[Any], field: str) -> DataLoader[Any, Any]:
        return DataLoader(partial(_documents, session, kind, field))

    return Loaders(
        items_by_id=DataLoader(partial(_items, session, "id")),
        items_by_number=DataLoader(partial(_items, session, "number")),
        order_by_number=documents(ORDERS, "number"),
        order_by_id=documents(ORDERS, "id"),
        invoice_by_number=documents(INVOICES, "number"),
        invoice_by_id=documents(INVOICES, "id"),
        shipment_by_number=documents(SHIPMENTS, "number"),
        shipment_by_id=documents(SHIPMENTS, "id"),
    )


async def _items(session: BCSession, field: str, keys: Sequence[Any]) -> list[Item | None]:
    """Items are catalogue data, not customer-owned: no scope filter applies."""

    async def fetch(chunk: Sequence[Any]) -> list[Item]:
        query = Query("items", filter=any_of(Field(field), chunk), select=Item.SELECT, expand=ITEM_EXPANDS)
        return [Item.from_json(row) for row in await session.fetch(query)]

    return await load_by_key(keys, fetch, lambda item: getattr(item, field))


async def _documents(
    session: BCSession, kind: DocumentKind[Any], field: str, keys: Sequence[Any]
) -> list[Any]:
    """Documents of the caller only: the query goes through ``scoped``.  Lines cannot be read
    without their parent (REFERENCE.md §6.5), so they always come expanded from the header."""

    async def fetch(chunk: Sequence[Any]) -> list[Any]:
        query = kind.query(filter=any_of(Field(field), chunk), with_items=False)
        return [kind.model.from_json(row) for row in await session.fetch(scoped(query, session.scope))]

    return await load_by_key(keys, fetch, lambda document: getattr(document, field))
