"""Ordering: place an order from a cart, or reorder a previous order or posted invoice."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated

import strawberry
from strawberry.types import Info

from gateway.resolvers.context import Context
from gateway.resolvers.writes import cart, orders
from gateway.resolvers.writes.results import OrderOutcome
from gateway.resolvers.writes.results import WriteError as DomainWriteError
from gateway.schema.mutations.results import PlacedOrder, WriteError


def key_description(what: str) -> str:
    """The idempotency key's description, naming what one key writes once."""
    return f"Required here or as the `Idempotency-Key` header: one {what} per key, however often sent."


PlaceOrderResult = Annotated[PlacedOrder | WriteError, strawberry.union("PlaceOrderResult")]
ReorderResult = Annotated[PlacedOrder | WriteError, strawberry.union("ReorderResult")]


@strawberry.input
class OrderLineInput:
    item_number: str
    quantity: Decimal


@strawberry.input(description="A cart: items and quantities.  Prices always come from Business Central.")
class PlaceOrderInput:
    lines: list[OrderLineInput]
    customer_reference: str | None = strawberry.field(default=None, description="Your own order reference.")
    requested_delivery_date: date | None = None
    idempotency_key: str | None = strawberry.field(default=None, description=key_description("order"))


@strawberry.input(description="A change to one line of the original document; quantity 0 removes it.")
class LineChangeInput:
    sequence: int
    quantity: Decimal


@strawberry.input(description="Order again what an order or posted invoice of yours held, with changes.")
class ReorderInput:
    order_number: str | None = None
    invoice_number: str | None = None
    changes: list[LineChangeInput] | None = None
    customer_reference: str | None = strawberry.field(default=None, description="Your own order reference.")
    requested_delivery_date: date | None = None
    idempotency_key: str | None = strawberry.field(default=None, description=key_description("order"))


def _result(outcome: OrderOutcome) -> PlacedOrder | WriteError:
    if isinstance(outcome, DomainWriteError):
        return WriteError.of(outcome)
    return PlacedOrder.of(outcome)


@strawberry.type
class OrderingMutation:
    @strawberry.mutation(description="Place an order for a cart of items.")
    async def place_order(self, info: Info[Context, None], input: PlaceOrderInput) -> PlaceOrderResult:
        outcome = await orders.place_order(
            info.context,
            [cart.CartLine(line.item_number.strip(), line.quantity) for line in input.lines],
            cart.OrderDetails(_text(input.customer_reference), input.requested_delivery_date),
            input.idempotency_key,
        )
        return _result(outcome)

    @strawberry.mutation(description="Order again from a previous order or posted invoice.")
    async def reorder(self, info: Info[Context, None], input: ReorderInput) -> ReorderResult:
        outcome = await orders.reorder(
            info.context,
            cart.ReorderSource(_text(input.order_number), _text(input.invoice_number)),
            [cart.LineChange(change.sequence, change.quantity) for change in input.changes or ()],
            cart.OrderDetails(_text(input.customer_reference), input.requested_delivery_date),
            input.idempotency_key,
        )
        return _result(outcome)


def _text(value: str | None) -> str | None:
    stripped = value.strip() if value is not None else None
    return stripped or None
