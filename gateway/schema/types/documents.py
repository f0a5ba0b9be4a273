"""Orders, posted invoices and posted shipments."""

from __future__ import annotations

from datetime import date

import strawberry
from strawberry.types import Info

from gateway import bc
from gateway.resolvers import orders, tracking
from gateway.resolvers.context import Context
from gateway.resolvers.document_links import DocumentKind
from gateway.resolvers.invoices import days_overdue, is_posted
from gateway.resolvers.order_lookup import PortalOrder
from gateway.resolvers.order_status import order_status
from gateway.resolvers.writes.reference import customer_lines
from gateway.schema.types.common import Address, Money, text
from gateway.schema.types.delivery import ProofOfDelivery, document_url, proof_of_delivery
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
    open: bool = strawberry.field(
        description="Whether Business Central still holds the order.  False: BC deleted it after "
        "shipping and invoicing it completely, and it is rebuilt from its posted shipments and "
        "invoices (ordered quantity = its archive's where BC archived it, else what was shipped or "
        "invoiced; see docs/order-status.md)."
    )

    @strawberry.field(description="The posted shipments of this order, newest first.")
    async def shipments(self, info: Info[Context, None]) -> list[Shipment]:
        shipments = await info.context.loaders.shipments_by_order_number.load(self.number)
        return [Shipment.from_bc(shipment) for shipment in shipments]

    @strawberry.field(description="The posted invoices of this order, newest first.")
    async def invoices(self, info: Info[Context, None]) -> list[Invoice]:
        found = await info.context.loaders.invoices_by_order_number.load(self.number)
        return [Invoice.from_bc(invoice, info.context.today) for invoice in found if is_posted(invoice)]

    @classmethod
    def from_portal(cls, found: PortalOrder) -> SalesOrder:
        return cls.from_bc(found.order, open=not found.rebuilt)

    @classmethod
    def from_bc(cls, order: bc.SalesOrder, *, open: bool = True) -> SalesOrder:
        currency = order.currency_code
        return cls(
            open=open,
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
            lines=[SalesOrderLine.from_bc(line, currency) for line in customer_lines(order.lines)],
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

    @strawberry.field(
        description="A short-lived signed link to the invoice PDF (send the bearer token when downloading)."
    )
    def pdf_url(self, info: Info[Context, None]) -> str | None:
        return document_url(info, DocumentKind.INVOICE, self.id)

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
            lines=[InvoiceLine.from_bc(line, currency) for line in customer_lines(invoice.lines)],
            _days_overdue=days_overdue(invoice, today),
        )


@strawberry.type(description="A shipping agent (carrier) as Business Central knows it.")
class Carrier:
    code: str
    name: str | None
    service_code: str | None = strawberry.field(description="The agent's service, e.g. EXPRESS.")


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

    @strawberry.field(
        description="Proof-of-delivery files (portal custom API); null with CAPABILITY_UNAVAILABLE "
        "where the tenant does not offer them."
    )
    async def proof_of_delivery(self, info: Info[Context, None]) -> list[ProofOfDelivery] | None:
        return await proof_of_delivery(info, self.id)

    @strawberry.field(
        description="The order this shipment delivered (rebuilt from posted documents once BC "
        "has deleted it)."
    )
    async def order(self, info: Info[Context, None]) -> SalesOrder | None:
        if self.order_number is None:
            return None
        found = await orders.get_order(info.context, self.order_number)
        return SalesOrder.from_portal(found) if found is not None else None

    @strawberry.field(
        description="The carrier (shipping agent); null when the goods were collected or no "
        "carrier is recorded.  Needs the portal custom API."
    )
    async def carrier(self, info: Info[Context, None]) -> Carrier | None:
        found = await tracking.carrier_of(info.context, self.number)
        return Carrier(code=found.code, name=found.name, service_code=found.service_code) if found else None

    @strawberry.field(description="The carrier's package tracking number.  Needs the portal custom API.")
    async def tracking_number(self, info: Info[Context, None]) -> str | None:
        found = await tracking.tracking_of(info.context, self.number)
        return found.package_tracking_number if found is not None else None

    @strawberry.field(
        description="Where the customer can follow the parcel: the gateway's URL template for the "
        "carrier (PORTAL_TRACKING_URLS), else the carrier's address in Business Central.  Needs the "
        "portal custom API."
    )
    async def tracking_url(self, info: Info[Context, None]) -> str | None:
        return await tracking.tracking_url_of(info.context, self.number)

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
            lines=[ShipmentLine.from_bc(line) for line in customer_lines(shipment.lines)],
        )
