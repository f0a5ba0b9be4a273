"""Rows of the portal custom API (``api/bcgateway/portal/v1.0``, docs/bc-extension.md) about goods.

Conventions as in ``_models``: snake_case BC names, ``SELECT`` for ``$select``, ``from_json`` per
row.  Blank texts (``""``) and blank dates (``0001-01-01``) become ``None``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, ClassVar, Self
from uuid import UUID

from ._values import RowReader

__all__ = ["ItemAvailability", "ShipmentTracking", "ShippingAgent"]


@dataclass(frozen=True)
class ShipmentTracking:
    """Carrier and package tracking number of one posted sales shipment."""

    shipment_id: UUID
    shipment_number: str
    customer_number: str
    shipping_agent_code: str | None
    shipping_agent_service_code: str | None
    package_tracking_number: str | None

    SELECT: ClassVar[tuple[str, ...]] = (
        "shipmentId",
        "shipmentNumber",
        "customerNumber",
        "shippingAgentCode",
        "shippingAgentServiceCode",
        "packageTrackingNumber",
    )

    @classmethod
    def from_json(cls, row: Mapping[str, Any]) -> Self:
        r = RowReader("ShipmentTracking", row)
        return cls(
            shipment_id=r.guid("shipmentId"),
            shipment_number=r.text("shipmentNumber"),
            customer_number=r.text("customerNumber"),
            shipping_agent_code=r.opt_text("shippingAgentCode") or None,
            shipping_agent_service_code=r.opt_text("shippingAgentServiceCode") or None,
            package_tracking_number=r.opt_text("packageTrackingNumber") or None,
        )


@dataclass(frozen=True)
class ShippingAgent:
    """A carrier; ``internet_address`` is BC's tracking URL template with ``%1`` for the number."""

    id: UUID
    code: str
    name: str | None
    internet_address: str | None

    SELECT: ClassVar[tuple[str, ...]] = ("id", "code", "name", "internetAddress")

    @classmethod
    def from_json(cls, row: Mapping[str, Any]) -> Self:
        r = RowReader("ShippingAgent", row)
        return cls(
            id=r.guid("id"),
            code=r.text("code"),
            name=r.opt_text("name") or None,
            internet_address=r.opt_text("internetAddress") or None,
        )


@dataclass(frozen=True)
class ItemAvailability:
    """Stock of one item beyond ``items.inventory``: committed to sales orders and incoming."""

    item_id: UUID
    item_number: str
    inventory: Decimal
    committed_quantity: Decimal
    available_quantity: Decimal
    next_receipt_date: date | None
    next_receipt_quantity: Decimal

    SELECT: ClassVar[tuple[str, ...]] = (
        "itemId",
        "itemNumber",
        "inventory",
        "committedQuantity",
        "availableQuantity",
        "nextReceiptDate",
        "nextReceiptQuantity",
    )

    @classmethod
    def from_json(cls, row: Mapping[str, Any]) -> Self:
        r = RowReader("ItemAvailability", row)
        return cls(
            item_id=r.guid("itemId"),
            item_number=r.text("itemNumber"),
            inventory=r.decimal("inventory"),
            committed_quantity=r.decimal("committedQuantity"),
            available_quantity=r.decimal("availableQuantity"),
            next_receipt_date=r.opt_date("nextReceiptDate"),
            next_receipt_quantity=r.decimal("nextReceiptQuantity"),
        )
