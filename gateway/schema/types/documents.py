"""Orders, posted invoices and posted shipments."""

from __future__ import annotations

from datetime import date

import strawberry
from strawberry.types import Info

from gateway import bc
from gateway.resolvers.context import Context
from gateway.resolvers.invoices import days_overdue
from gateway.resolvers.order_status import order_status
from gateway.schema.types.common import Address, Money, text
from gateway.schema.types.enums import INVOICE_STATUS_FROM_BC, InvoiceStatus, OrderStatus
from gateway.schema.types.lines import InvoiceLine, SalesOrderLine, ShipmentLine


@strawberry.type(description="A sales order of the signed-in customer.")
class SalesOrder:
    id: strawberry.ID
    number: str
    order_date: date | None
    posting_date: date | None
    requested_delivery_date: date | None
    external_document_number: str | None = strawberry.field(description="The customer's own reference.")
    status: OrderStatus
    fully_shipped: bool
    currency_code: str
    total_excluding_tax: Money
    total_tax: Money
    total_including_tax: Money
    ship_to: Address
    lines: list[SalesOrderLine]

    @classmethod
    def from_bc(cls, order: bc.SalesOrder) -> SalesOrder:
        currency = order.currency_code
        return cls(
            id=strawberry.ID(str(order.id)),
            number=order.number,
            order_date=order.order_date,
            posting_date=order.posting_date,
            requested_delivery_date=order.requested_delivery_date,
            external_document_number=text(order.external_document_number),
            status=order_status(order),
            fully_shipped=bool(order.fully_shipped),
            currency_code=currency or "",
            total_excluding_tax=Money.of(order.total_amount_excluding_tax, currency),
            total_tax=Money.of(order.total_tax_amount, currency),
            total_including_tax=Money.of(order.total_amount_including_tax, currency),
            ship_to=Address(
                name=text(order.ship_to_name),
                line1=text(order.ship_to_address_line1),
                line2=text(order.ship_to_address_line2),
                city=text(order.ship_to_city),
                state=text(order.ship_to_state),
                postal_code=text(order.ship_to_post_code),
                country=text(order.ship_to_country),
            ),
            lines=[SalesOrderLine.from_bc(line, currency) for line in order.lines or ()],
        )


@strawberry.type(description="A posted sales invoice of the signed-in customer.")
class Invoice:
    id: strawberry.ID
    number: str
    invoice_date: date | None
    posting_date: date | None
    due_date: date | None
    status: InvoiceStatus
    order_number: str | None
    external_document_number: str | None
    currency_code: str
    remaining_amount: Money
    total_excluding_tax: Money
    total_tax: Money
    total_including_tax: Money
    lines: list[InvoiceLine]
    _days_overdue: strawberry.Private[int]

    @strawberry.field(description="Unpaid after its due date.")
    def is_overdue(self) -> bool:
        return self._days_overdue > 0

    @strawberry.field(description="Days past the due date while unpaid; 0 otherwise.")
    def days_overdue(self) -> int:
        return self._days_overdue

    @classmethod
    def from_bc(cls, invoice: bc.SalesInvoice, today: date) -> Invoice:
        currency = invoice.currency_code
        return cls(
            id=strawberry.ID(str(invoice.id)),
            number=invoice.number,
            invoice_date=invoice.invoice_date,
            posting_date=invoice.posting_date,
            due_date=invoice.due_date,
            status=INVOICE_STATUS_FROM_BC[invoice.status],
            order_number=text(invoice.order_number),
            external_document_number=text(invoice.external_document_number),
            currency_code=currency or "",
            remaining_amount=Money.of(invoice.remaining_amount, currency),
            total_excluding_tax=Money.of(invoice.total_amount_excluding_tax, currency),
            total_tax=Money.of(invoice.total_tax_amount, currency),
            total_including_tax=Money.of(invoice.total_amount_including_tax, currency),
            lines=[InvoiceLine.from_bc(line, currency) for line in invoice.lines or ()],
            _days_overdue=days_overdue(invoice, today),
        )


@strawberry.type(description="A posted sales shipment of the signed-in customer.")
class Shipment:
    id: strawberry.ID
    number: str
    posting_date: date | None
    document_date: date | None
    order_number: str | None
    external_document_number: str | None
    shipment_method_code: str | None
    ship_to: Address
    lines: list[ShipmentLine]

    @strawberry.field(description="The order this shipment delivered (null if it is no longer open).")
    async def order(self, info: Info[Context, None]) -> SalesOrder | None:
        if self.order_number is None:
            return None
        order: bc.SalesOrder | None = await info.context.loaders.order_by_number.load(self.order_number)
        return SalesOrder.from_bc(order) if order is not None else None

    @classmethod
    def from_bc(cls, shipment: bc.SalesShipment) -> Shipment:
        return cls(
            id=strawberry.ID(str(shipment.id)),
            number=shipment.number,
            posting_date=shipment.posting_date,
            document_date=shipment.invoice_date,
            order_number=text(shipment.order_number),
            external_document_number=text(shipment.external_document_number),
            shipment_method_code=text(shipment.shipment_method_code),
            ship_to=Address(
                name=text(shipment.ship_to_name),
                line1=text(shipment.ship_to_address_line1),
                line2=text(shipment.ship_to_address_line2),
                city=text(shipment.ship_to_city),
                state=text(shipment.ship_to_state),
                postal_code=text(shipment.ship_to_post_code),
                country=text(shipment.ship_to_country),
            ),
            lines=[ShipmentLine.from_bc(line) for line in shipment.lines or ()],
        )
