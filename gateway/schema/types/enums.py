"""GraphQL enums.  BC's encoded values (``In_x0020_Review``, ``_x0020_``) never reach a client."""

from __future__ import annotations

from enum import Enum

import strawberry

from gateway import bc
from gateway.resolvers.order_status import OrderStatus

strawberry.enum(
    OrderStatus,
    description="Where an order is: approval (DRAFT, PENDING_APPROVAL, RELEASED), then shipping and "
    "invoicing.",
)


__all__ = ["CustomerBlocked", "InvoiceStatus", "ItemType", "LineType", "OrderStatus"]


@strawberry.enum(description="A posted invoice's payment state.")
class InvoiceStatus(Enum):
    OPEN = "OPEN"
    PAID = "PAID"
    CANCELED = "CANCELED"
    CORRECTIVE = "CORRECTIVE"


INVOICE_STATUS_TO_BC = {
    InvoiceStatus.OPEN: bc.InvoiceStatus.OPEN,
    InvoiceStatus.PAID: bc.InvoiceStatus.PAID,
    InvoiceStatus.CANCELED: bc.InvoiceStatus.CANCELED,
    InvoiceStatus.CORRECTIVE: bc.InvoiceStatus.CORRECTIVE,
}
INVOICE_STATUS_FROM_BC = {value: key for key, value in INVOICE_STATUS_TO_BC.items()}


@strawberry.enum(description="What a document line is for.")
class LineType(Enum):
    ITEM = "ITEM"
    COMMENT = "COMMENT"
    GL_ACCOUNT = "GL_ACCOUNT"
    RESOURCE = "RESOURCE"
    FIXED_ASSET = "FIXED_ASSET"
    CHARGE = "CHARGE"
    ALLOCATION_ACCOUNT = "ALLOCATION_ACCOUNT"
    SERVICE_OBJECT = "SERVICE_OBJECT"
    OTHER = "OTHER"


_INVOICE_LINE_TYPES = {
    "ITEM": LineType.ITEM,
    "COMMENT": LineType.COMMENT,
    "ACCOUNT": LineType.GL_ACCOUNT,
    "RESOURCE": LineType.RESOURCE,
    "FIXED_ASSET": LineType.FIXED_ASSET,
    "CHARGE": LineType.CHARGE,
    "ALLOCATION_ACCOUNT": LineType.ALLOCATION_ACCOUNT,
}
_SALES_LINE_TYPES = {
    "ITEM": LineType.ITEM,
    "BLANK": LineType.COMMENT,
    "GL_ACCOUNT": LineType.GL_ACCOUNT,
    "RESOURCE": LineType.RESOURCE,
    "FIXED_ASSET": LineType.FIXED_ASSET,
    "CHARGE_ITEM": LineType.CHARGE,
    "ALLOCATION_ACCOUNT": LineType.ALLOCATION_ACCOUNT,
    "SERVICE_OBJECT": LineType.SERVICE_OBJECT,
}


# By member (BC's enums are strings: each table is for one enum), so that a line's type costs
# one lookup — there are 10,000 in a page of 1,000 orders.
_BY_SALES_LINE_TYPE = {
    member: _SALES_LINE_TYPES.get(member.name, LineType.OTHER) for member in bc.SalesLineType
}
_BY_INVOICE_LINE_TYPE = {
    member: _INVOICE_LINE_TYPES.get(member.name, LineType.OTHER) for member in bc.InvoiceLineType
}


def line_type(value: bc.InvoiceLineType | bc.SalesLineType | None) -> LineType:
    """Order and invoice lines use one BC enum, shipment lines another; clients see one."""
    if value is None:
        return LineType.COMMENT
    if isinstance(value, bc.SalesLineType):
        return _BY_SALES_LINE_TYPE[value]
    return _BY_INVOICE_LINE_TYPE[value]


@strawberry.enum
class ItemType(Enum):
    INVENTORY = "INVENTORY"
    SERVICE = "SERVICE"
    NON_INVENTORY = "NON_INVENTORY"
    OTHER = "OTHER"


_BY_BC_ITEM_TYPE = {member: ItemType.__members__.get(member.name, ItemType.OTHER) for member in bc.ItemType}


def item_type(value: bc.ItemType | None) -> ItemType:
    return _BY_BC_ITEM_TYPE[value] if value is not None else ItemType.OTHER


@strawberry.enum(description="What Business Central refuses to do for a blocked customer.")
class CustomerBlocked(Enum):
    NONE = "NONE"
    SHIP = "SHIP"
    INVOICE = "INVOICE"
    ALL = "ALL"


def customer_blocked(value: bc.CustomerBlocked | None) -> CustomerBlocked:
    if value is None:
        return CustomerBlocked.NONE
    return CustomerBlocked.__members__.get(value.name, CustomerBlocked.ALL)
