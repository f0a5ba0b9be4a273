"""Document lines: what was ordered, shipped and invoiced."""

from __future__ import annotations

from collections.abc import Awaitable
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

import strawberry
from strawberry.types import Info

from gateway import bc
from gateway.resolvers.context import Context
from gateway.resolvers.items import load_line_item
from gateway.schema.plain_fields import NOT_AHEAD, NotAhead, resolved_ahead
from gateway.schema.types.common import Money, text, uuid_id
from gateway.schema.types.enums import LineType, line_type
from gateway.schema.types.items import Item


@strawberry.interface(description="A line of an order, invoice or shipment.")
class DocumentLine:
    id: strawberry.ID = uuid_id(
        "Stable: the same line has the same id in every query (a key for normalised caches)."
    )
    sequence: int
    line_type: LineType
    number: str | None = strawberry.field(description="The item (or G/L account) number; null on comments.")
    description: str | None
    quantity: Decimal
    unit_of_measure_code: str | None

    _id: strawberry.Private[UUID]
    _item_id: strawberry.Private[Any]
    _item: strawberry.Private[bc.Item | None]

    # Read without a resolver call when the item came with the line — as it does whenever an
    # order, invoice or credit memo query selects it ($expand): a line then completes
    # synchronously, and so do the lists of lines, where an awaitable per line would cost a task
    # per line.
    @strawberry.field(
        description="The catalogue item, for item lines.",
        graphql_type=Item | None,
        metadata=resolved_ahead("item_ahead"),
    )
    def item(self, info: Info[Context, None]) -> Item | Awaitable[Item | None] | None:
        ahead = self.item_ahead
        return self._load_item(info.context) if isinstance(ahead, NotAhead) else ahead

    @property
    def item_ahead(self) -> Item | NotAhead | None:
        """The line's item when no request to BC is needed for it, else ``NOT_AHEAD``."""
        if self.line_type is not LineType.ITEM:
            return None
        return Item.from_bc(self._item) if self._item is not None else NOT_AHEAD

    async def _load_item(self, ctx: Context) -> Item | None:
        # Through the request's loader: the lines of one answer share one read of their items.
        loading = load_line_item(ctx, self._item_id, self.number)
        found = await loading if loading is not None else None
        return Item.from_bc(found) if found is not None else None


@strawberry.type
class SalesOrderLine(DocumentLine):
    shipped_quantity: Decimal
    invoiced_quantity: Decimal
    unit_price: Money
    discount_percent: Decimal
    amount_excluding_tax: Money
    amount_including_tax: Money
    shipment_date: date | None

    @classmethod
    def from_bc(cls, line: bc.SalesOrderLine, currency: str | None) -> SalesOrderLine:
        return cls(
            **line_fields(line, currency),
            shipped_quantity=line.shipped_quantity,
            invoiced_quantity=line.invoiced_quantity,
            shipment_date=line.shipment_date,
        )


@strawberry.type
class InvoiceLine(DocumentLine):
    unit_price: Money
    discount_percent: Decimal
    amount_excluding_tax: Money
    amount_including_tax: Money
    shipment_date: date | None

    @classmethod
    def from_bc(cls, line: bc.SalesInvoiceLine, currency: str | None) -> InvoiceLine:
        return cls(**line_fields(line, currency), shipment_date=line.shipment_date)


@strawberry.type
class ShipmentLine(DocumentLine):
    shipment_date: date | None

    @classmethod
    def from_bc(cls, line: bc.SalesShipmentLine) -> ShipmentLine:
        return cls(
            _id=line.id,
            sequence=line.sequence,
            line_type=line_type(line.line_type),
            number=text(line.line_object_number),
            description=text(line.description),
            quantity=line.quantity,
            unit_of_measure_code=text(line.unit_of_measure_code),
            shipment_date=line.shipment_date,
            _item_id=None,
            _item=None,
        )


PricedLine = bc.SalesOrderLine | bc.SalesInvoiceLine | bc.SalesCreditMemoLine


def line_fields(line: PricedLine, currency: str | None) -> dict[str, Any]:
    """What every order, invoice and credit-memo line shows (BC's Sales Invoice Line Aggregate),
    its price and amounts in the document's currency.  One dictionary: a page of 1,000 orders
    builds 10,000 lines."""
    return {
        "_id": line.id,
        "sequence": line.sequence,
        "line_type": line_type(line.line_type),
        "number": text(line.line_object_number),
        "description": text(line.description),
        "quantity": line.quantity,
        "unit_of_measure_code": text(line.unit_of_measure_code),
        "_item_id": line.item_id,
        "_item": line.item,
        "unit_price": Money.of(line.unit_price, currency),
        "discount_percent": line.discount_percent,
        "amount_excluding_tax": Money.of(line.amount_excluding_tax, currency),
        "amount_including_tax": Money.of(line.amount_including_tax, currency),
    }
