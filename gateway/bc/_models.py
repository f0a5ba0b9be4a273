"""Master data: companies, customers, items and their lookups.

Each model is its one declaration (``_entity``): attribute, BC name, type; ``SELECT``, decoding
and request bodies are derived from it.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from uuid import UUID

from msgspec import field

from ._entity import ZERO, Entity
from ._enums import CustomerBlocked, ItemType
from ._receivables import AgedReceivable

__all__ = ["Company", "Customer", "CustomerFinancialDetail", "Item", "ItemCategory", "UnitOfMeasure"]


class Company(Entity, frozen=True, kw_only=True):
    id: UUID
    name: str
    display_name: str | None = None
    system_version: str | None = None
    business_profile_id: str | None = None


class CustomerFinancialDetail(Entity, frozen=True, kw_only=True):
    id: UUID
    number: str | None = None
    balance: Decimal = ZERO
    total_sales_excluding_tax: Decimal = ZERO
    overdue_amount: Decimal = ZERO


class Customer(Entity, frozen=True, kw_only=True):
    id: UUID
    number: str
    display_name: str | None = None
    type: str | None = None  # BC enum contactType: "Company" or "Person"
    address_line1: str | None = None
    address_line2: str | None = None
    city: str | None = None
    state: str | None = None
    country: str | None = None
    postal_code: str | None = None
    phone_number: str | None = None
    email: str | None = None
    website: str | None = None
    balance_due: Decimal = ZERO
    credit_limit: Decimal = ZERO
    currency_code: str | None = None
    blocked: CustomerBlocked = CustomerBlocked.UNKNOWN
    last_modified_date_time: datetime | None = None
    financial_detail: CustomerFinancialDetail | None = field(default=None, name="customerFinancialDetail")
    aging: AgedReceivable | None = field(default=None, name="agedAccountsReceivable")


class ItemCategory(Entity, frozen=True, kw_only=True):
    id: UUID
    code: str
    display_name: str | None = None


class UnitOfMeasure(Entity, frozen=True, kw_only=True):
    id: UUID
    code: str
    display_name: str | None = None
    symbol: str | None = None


class Item(Entity, frozen=True, kw_only=True):
    id: UUID
    number: str
    display_name: str | None = None
    display_name2: str | None = None
    type: ItemType = ItemType.UNKNOWN
    item_category_id: UUID | None = None
    item_category_code: str | None = None
    blocked: bool = False
    inventory: Decimal = ZERO
    unit_price: Decimal = ZERO
    base_unit_of_measure_id: UUID | None = None
    base_unit_of_measure_code: str | None = None
    price_includes_tax: bool = False
    gtin: str | None = None
    last_modified_date_time: datetime | None = None
    item_category: ItemCategory | None = None  # $expand=itemCategory
    unit_of_measure: UnitOfMeasure | None = None  # $expand=unitOfMeasure
