"""The item catalogue."""

from __future__ import annotations

from decimal import Decimal

import strawberry
from strawberry.types import Info

from gateway import bc
from gateway.resolvers.context import Context
from gateway.schema.types.common import Money, quantity, text
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


@strawberry.type(description="A catalogue item with its list price and stock on hand.")
class Item:
    id: strawberry.ID
    number: str
    name: str
    name2: str | None
    type: ItemType
    blocked: bool
    inventory: Decimal = strawberry.field(description="Quantity on hand, across locations.")
    base_unit_of_measure: UnitOfMeasure | None
    category: ItemCategory | None
    gtin: str | None
    _unit_price: strawberry.Private[Decimal | None]

    @strawberry.field(
        description="The item card's unit price in the company's currency; customer-specific prices "
        "need the portal custom API."
    )
    async def unit_price(self, info: Info[Context, None]) -> Money:
        return Money.of(self._unit_price, await info.context.local_currency())

    @classmethod
    def from_bc(cls, item: bc.Item) -> Item:
        category = item.item_category
        unit = item.unit_of_measure
        return cls(
            id=strawberry.ID(str(item.id)),
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
