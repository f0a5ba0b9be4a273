"""BC enums as ``StrEnum``s whose values are BC's wire values (XML-encoded member names).

Promises: an unencoded value (``" "``, ``"Non-Inventory"``) maps to its encoded member; a value
this code does not know (a newer BC) maps to ``UNKNOWN`` instead of failing.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = [
    "BCEnum",
    "CustomerBlocked",
    "InvoiceLineType",
    "InvoiceStatus",
    "ItemType",
    "SalesLineType",
    "SalesOrderStatus",
]

_UNKNOWN = "_unknown_"


def xml_encode_name(value: str) -> str:
    """BC's enum member encoding: every character but a letter, digit or ``_`` becomes ``_xHHHH_``."""
    return "".join(c if c.isascii() and (c.isalnum() or c == "_") else f"_x{ord(c):04X}_" for c in value)


class BCEnum(StrEnum):
    """Base of the BC enums; every subclass has an ``UNKNOWN`` member."""

    @classmethod
    def _missing_(cls, value: object) -> BCEnum:
        if isinstance(value, str):
            encoded = xml_encode_name(value)
            for member in cls:
                if member.value == encoded:
                    return member
        return cls["UNKNOWN"]


class SalesOrderStatus(BCEnum):
    DRAFT = "Draft"
    IN_REVIEW = "In_x0020_Review"
    OPEN = "Open"
    UNKNOWN = _UNKNOWN


class InvoiceStatus(BCEnum):
    BLANK = "_x0020_"
    DRAFT = "Draft"
    IN_REVIEW = "In_x0020_Review"
    OPEN = "Open"
    PAID = "Paid"
    CANCELED = "Canceled"
    CORRECTIVE = "Corrective"
    UNKNOWN = _UNKNOWN


class CustomerBlocked(BCEnum):
    NONE = "_x0020_"
    SHIP = "Ship"
    INVOICE = "Invoice"
    ALL = "All"
    UNKNOWN = _UNKNOWN


class InvoiceLineType(BCEnum):
    COMMENT = "Comment"
    ACCOUNT = "Account"
    ITEM = "Item"
    RESOURCE = "Resource"
    FIXED_ASSET = "Fixed_x0020_Asset"
    CHARGE = "Charge"
    ALLOCATION_ACCOUNT = "Allocation_x0020_Account"
    UNKNOWN = _UNKNOWN


class SalesLineType(BCEnum):
    BLANK = "_x0020_"
    GL_ACCOUNT = "G_x002F_L_x0020_Account"
    ITEM = "Item"
    RESOURCE = "Resource"
    FIXED_ASSET = "Fixed_x0020_Asset"
    CHARGE_ITEM = "Charge_x0020__x0028_Item_x0029_"
    ALLOCATION_ACCOUNT = "Allocation_x0020_Account"
    SERVICE_OBJECT = "Service_x0020_Object"
    UNKNOWN = _UNKNOWN


class ItemType(BCEnum):
    INVENTORY = "Inventory"
    SERVICE = "Service"
    NON_INVENTORY = "Non_x002D_Inventory"
    UNKNOWN = _UNKNOWN
