"""Master data: companies, customers, items and their lookups.

Attribute names are BC's property names in snake_case; ``SELECT`` lists the BC properties a
model reads (for ``$select``); ``from_json`` reads one row (see ``_values`` for the promises).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, ClassVar, Self
from uuid import UUID

from ._enums import CustomerBlocked, ItemType
from ._values import RowReader

__all__ = ["Company", "Customer", "CustomerFinancialDetail", "Item", "ItemCategory", "UnitOfMeasure"]


@dataclass(frozen=True)
class Company:
    id: UUID
    name: str
    display_name: str | None
    system_version: str | None
    business_profile_id: str | None

    SELECT: ClassVar[tuple[str, ...]] = ("id", "name", "displayName", "systemVersion", "businessProfileId")

    @classmethod
    def from_json(cls, row: Mapping[str, Any]) -> Self:
        r = RowReader("Company", row)
        return cls(
            id=r.guid("id"),
            name=r.text("name"),
            display_name=r.opt_text("displayName"),
            system_version=r.opt_text("systemVersion"),
            business_profile_id=r.opt_text("businessProfileId"),
        )


@dataclass(frozen=True)
class CustomerFinancialDetail:
    id: UUID
    number: str | None
    balance: Decimal
    total_sales_excluding_tax: Decimal
    overdue_amount: Decimal

    SELECT: ClassVar[tuple[str, ...]] = ("id", "number", "balance", "totalSalesExcludingTax", "overdueAmount")

    @classmethod
    def from_json(cls, row: Mapping[str, Any]) -> Self:
        r = RowReader("CustomerFinancialDetail", row)
        return cls(
            id=r.guid("id"),
            number=r.opt_text("number"),
            balance=r.decimal("balance"),
            total_sales_excluding_tax=r.decimal("totalSalesExcludingTax"),
            overdue_amount=r.decimal("overdueAmount"),
        )


@dataclass(frozen=True)
class Customer:
    id: UUID
    number: str
    display_name: str | None
    type: str | None  # BC enum contactType: "Company" or "Person"
    address_line1: str | None
    address_line2: str | None
    city: str | None
    state: str | None
    country: str | None
    postal_code: str | None
    phone_number: str | None
    email: str | None
    website: str | None
    balance_due: Decimal
    credit_limit: Decimal
    currency_code: str | None
    blocked: CustomerBlocked
    last_modified_date_time: datetime | None
    financial_detail: CustomerFinancialDetail | None  # from $expand=customerFinancialDetail

    SELECT: ClassVar[tuple[str, ...]] = (
        "id",
        "number",
        "displayName",
        "type",
        "addressLine1",
        "addressLine2",
        "city",
        "state",
        "country",
        "postalCode",
        "phoneNumber",
        "email",
        "website",
        "balanceDue",
        "creditLimit",
        "currencyCode",
        "blocked",
        "lastModifiedDateTime",
    )

    @classmethod
    def from_json(cls, row: Mapping[str, Any]) -> Self:
        r = RowReader("Customer", row)
        return cls(
            id=r.guid("id"),
            number=r.text("number"),
            display_name=r.opt_text("displayName"),
            type=r.opt_text("type"),
            address_line1=r.opt_text("addressLine1"),
            address_line2=r.opt_text("addressLine2"),
            city=r.opt_text("city"),
            state=r.opt_text("state"),
            country=r.opt_text("country"),
            postal_code=r.opt_text("postalCode"),
            phone_number=r.opt_text("phoneNumber"),
            email=r.opt_text("email"),
            website=r.opt_text("website"),
            balance_due=r.decimal("balanceDue"),
            credit_limit=r.decimal("creditLimit"),
            currency_code=r.opt_text("currencyCode"),
            blocked=r.enum("blocked", CustomerBlocked),
            last_modified_date_time=r.opt_datetime("lastModifiedDateTime"),
            financial_detail=r.nested("customerFinancialDetail", CustomerFinancialDetail.from_json),
        )


@dataclass(frozen=True)
class ItemCategory:
    id: UUID
    code: str
    display_name: str | None

    SELECT: ClassVar[tuple[str, ...]] = ("id", "code", "displayName")

    @classmethod
    def from_json(cls, row: Mapping[str, Any]) -> Self:
        r = RowReader("ItemCategory", row)
        return cls(id=r.guid("id"), code=r.text("code"), display_name=r.opt_text("displayName"))


@dataclass(frozen=True)
class UnitOfMeasure:
    id: UUID
    code: str
    display_name: str | None
    symbol: str | None

    SELECT: ClassVar[tuple[str, ...]] = ("id", "code", "displayName", "symbol")

    @classmethod
    def from_json(cls, row: Mapping[str, Any]) -> Self:
        r = RowReader("UnitOfMeasure", row)
        return cls(
            id=r.guid("id"),
            code=r.text("code"),
            display_name=r.opt_text("displayName"),
            symbol=r.opt_text("symbol"),
        )


@dataclass(frozen=True)
class Item:
    id: UUID
    number: str
    display_name: str | None
    display_name2: str | None
    type: ItemType
    item_category_id: UUID | None
    item_category_code: str | None
    blocked: bool
    inventory: Decimal
    unit_price: Decimal
    base_unit_of_measure_id: UUID | None
    base_unit_of_measure_code: str | None
    price_includes_tax: bool
    gtin: str | None
    last_modified_date_time: datetime | None
    item_category: ItemCategory | None  # from $expand=itemCategory
    unit_of_measure: UnitOfMeasure | None  # from $expand=unitOfMeasure

    SELECT: ClassVar[tuple[str, ...]] = (
        "id",
        "number",
        "displayName",
        "displayName2",
        "type",
        "itemCategoryId",
        "itemCategoryCode",
        "blocked",
        "inventory",
        "unitPrice",
        "baseUnitOfMeasureId",
        "baseUnitOfMeasureCode",
        "priceIncludesTax",
        "gtin",
        "lastModifiedDateTime",
    )

    @classmethod
    def from_json(cls, row: Mapping[str, Any]) -> Self:
        r = RowReader("Item", row)
        return cls(
            id=r.guid("id"),
            number=r.text("number"),
            display_name=r.opt_text("displayName"),
            display_name2=r.opt_text("displayName2"),
            type=r.enum("type", ItemType),
            item_category_id=r.opt_guid("itemCategoryId"),
            item_category_code=r.opt_text("itemCategoryCode"),
            blocked=r.flag("blocked"),
            inventory=r.decimal("inventory"),
            unit_price=r.decimal("unitPrice"),
            base_unit_of_measure_id=r.opt_guid("baseUnitOfMeasureId"),
            base_unit_of_measure_code=r.opt_text("baseUnitOfMeasureCode"),
            price_includes_tax=r.flag("priceIncludesTax"),
            gtin=r.opt_text("gtin"),
            last_modified_date_time=r.opt_datetime("lastModifiedDateTime"),
            item_category=r.nested("itemCategory", ItemCategory.from_json),
            unit_of_measure=r.nested("unitOfMeasure", UnitOfMeasure.from_json),
        )
