"""One order status for clients, from BC's document status and the lines' quantities.

The mapping is written down in ``docs/order-status.md``.
"""

from __future__ import annotations

from decimal import Decimal
from enum import Enum

from gateway.bc import InvoiceLineType, SalesOrder, SalesOrderStatus


class OrderStatus(Enum):
    DRAFT = "DRAFT"
    PENDING_APPROVAL = "PENDING_APPROVAL"
    RELEASED = "RELEASED"
    PARTIALLY_SHIPPED = "PARTIALLY_SHIPPED"
    SHIPPED = "SHIPPED"
    PARTIALLY_INVOICED = "PARTIALLY_INVOICED"
    INVOICED = "INVOICED"


_DOCUMENT_STATUS = {
    SalesOrderStatus.DRAFT: OrderStatus.DRAFT,
    SalesOrderStatus.IN_REVIEW: OrderStatus.PENDING_APPROVAL,
    SalesOrderStatus.OPEN: OrderStatus.RELEASED,
}

# Quantities BC's document status (Draft / In review / Open) cannot express come only from these.
BC_STATUS_FILTERS = {status: bc for bc, status in _DOCUMENT_STATUS.items()}


def order_status(order: SalesOrder) -> OrderStatus:
    """Invoicing beats shipping beats the approval state, as a customer reads an order."""
    lines = [
        line
        for line in order.lines or ()
        if line.line_type is not InvoiceLineType.COMMENT and line.quantity > Decimal(0)
    ]
    if lines:
        if all(line.invoiced_quantity >= line.quantity for line in lines):
            return OrderStatus.INVOICED
        if any(line.invoiced_quantity > 0 for line in lines):
            return OrderStatus.PARTIALLY_INVOICED
        if all(line.shipped_quantity >= line.quantity for line in lines):
            return OrderStatus.SHIPPED
        if any(line.shipped_quantity > 0 for line in lines):
            return OrderStatus.PARTIALLY_SHIPPED
    return _DOCUMENT_STATUS.get(order.status, OrderStatus.DRAFT)
