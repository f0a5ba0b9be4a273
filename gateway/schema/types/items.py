"""The item catalogue."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import UUID

import strawberry
from strawberry.types import Info

from gateway import bc
from gateway.resolvers.availability import availability_of
from gateway.resolvers.context import Context
from gateway.schema.types.common import Money, quantity, text, uuid_id
from gateway.schema.types.enums import ItemType, item_type


@strawberry.type
class ItemCategory:
    code: str
    name: str | None


@strawberry.type
class UnitOfMeasure:
    code: str
    name: str | None
    symbol: str | None


@strawberry.type(
    description="Stock of an item.  `onHand` comes from Business Central's standard API; the other "
    "fields need the portal custom API and are null (CAPABILITY_UNAVAILABLE) where it is absent.  "
    "At most a minute old; of a document line's item, `onHand` may be older (10 minutes by default) "
    "while Business Central notifies the item's changes."
)
class ItemAvailability:
    on_hand: Decimal = strawberry.field(description="Quantity in inventory, across locations.")
    _item_id: strawberry.Private[UUID]

    @strawberry.field(description="Quantity still to ship on open sales orders.")
    async def committed(self, info: Info[Context, None]) -> Decimal | None:
        found = await availability_of(info.context, self._item_id)
        return found.committed_quantity if found is not None else None

    @strawberry.field(description="On hand minus committed; negative when back-ordered.")
    async def available(self, info: Info[Context, None]) -> Decimal | None:
        found = await availability_of(info.context, self._item_id)
        return found.available_quantity if found is not None else None

    @strawberry.field(description="When the next purchase receipt is expected; null if none.")
    async def next_receipt_date(self, info: Info[Context, None]) -> date | None:
        found = await availability_of(info.context, self._item_id)
        return found.next_receipt_date if found is not None else None

    @strawberry.field(description="How much that receipt brings; null if none is expected.")
    async def next_receipt_quantity(self, info: Info[Context, None]) -> Decimal | None:
        found = await availability_of(info.context, self._item_id)
        if found is None or found.next_receipt_date is None:
            return None
        return found.next_receipt_quantity


@strawberry.type(description="A catalogue item with its list price and stock on hand.")
class Item:
    id: strawberry.ID = uuid_id()
    number: str
    name: str
    name2: str | None
    type: ItemType
    blocked: bool
    inventory: Decimal = strawberry.field(description="Quantity on hand, across locations.")
    base_unit_of_measure: UnitOfMeasure | None
    category: ItemCategory | None
    gtin: str | None
    _id: strawberry.Private[UUID]
    _unit_price: strawberry.Private[Decimal | None]

    @strawberry.field(
        description="The item card's unit price in the company's currency; customer-specific prices "
        "need the portal custom API."
    )
    async def unit_price(self, info: Info[Context, None]) -> Money:
        return Money.of(self._unit_price, await info.context.local_currency())

    @strawberry.field(description="Stock on hand, committed, available and next receipt.")
    def availability(self) -> ItemAvailability:
        return ItemAvailability(on_hand=self.inventory, _item_id=self._id)

    @strawberry.field(
        description="The units the item is sold in.  API v2.0 exposes only the base unit (BC's "
        "Item Unit of Measure table, with conversions, is not in it), so this is the base unit."
    )
    def units_of_measure(self) -> list[UnitOfMeasure]:
        return [self.base_unit_of_measure] if self.base_unit_of_measure is not None else []

    @classmethod
    def from_bc(cls, item: bc.Item) -> Item:
        category = item.item_category
        unit = item.unit_of_measure
        return cls(
            _id=item.id,
            number=item.number,
            name=item.display_name or item.number,
            name2=text(item.display_name2),
            type=item_type(item.type),
            blocked=bool(item.blocked),
            _unit_price=item.unit_price,
            inventory=quantity(item.inventory),
            base_unit_of_measure=(
                UnitOfMeasure(code=unit.code, name=text(unit.display_name), symbol=text(unit.symbol))
                if unit is not None
                else _code_only_unit(item.base_unit_of_measure_code)
            ),
            category=(
                ItemCategory(code=category.code, name=text(category.display_name))
                if category is not None
                else _code_only_category(item.item_category_code)
            ),
            gtin=text(item.gtin),
        )


def _code_only_unit(code: str | None) -> UnitOfMeasure | None:
    return UnitOfMeasure(code=code, name=None, symbol=None) if code else None


def _code_only_category(code: str | None) -> ItemCategory | None:
    return ItemCategory(code=code, name=None) if code else None
