"""Rows of the portal custom API (``api/bcgateway/portal/v1.0``, docs/bc-extension.md) about goods.

Declared once each (``_entity``).  Blank texts (``""``) and blank dates (``0001-01-01``) become
``None``.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import UUID

from ._entity import ZERO, Entity, NonEmpty

__all__ = ["ItemAvailability", "ShipmentTracking", "ShippingAgent"]


class ShipmentTracking(Entity, frozen=True, kw_only=True):
    """Carrier and package tracking number of one posted sales shipment."""

    shipment_id: UUID
    shipment_number: str
    customer_number: str
    shipping_agent_code: NonEmpty = None
    shipping_agent_service_code: NonEmpty = None
    package_tracking_number: NonEmpty = None


class ShippingAgent(Entity, frozen=True, kw_only=True):
    """A carrier; ``internet_address`` is BC's tracking URL template with ``%1`` for the number."""

    id: UUID
    code: str
    name: NonEmpty = None
    internet_address: NonEmpty = None


class ItemAvailability(Entity, frozen=True, kw_only=True):
    """Stock of one item beyond ``items.inventory``: committed to sales orders and incoming."""

    item_id: UUID
    item_number: str
    inventory: Decimal = ZERO
    committed_quantity: Decimal = ZERO
    available_quantity: Decimal = ZERO
    next_receipt_date: date | None = None
    next_receipt_quantity: Decimal = ZERO
