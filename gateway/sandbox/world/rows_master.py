"""Master data and customer finance as API v2.0 rows."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from .balances import CustomerBalance
from .basics import ZERO_GUID
from .masterdata import MasterData
from .model import Customer
from .rows_common import Projection, Row


def lookup_tables(p: Projection, data: MasterData, since: date) -> dict[str, list[Row]]:
    return {
        "currencies": [
            {
                "id": c.id,
                "code": c.code,
                "displayName": c.name,
                "symbol": c.symbol,
                "amountDecimalPlaces": "2:2",
                "amountRoundingPrecision": Decimal("0.01"),
                "lastModifiedDateTime": p.stamp(since),
            }
            for c in data.currencies
        ],
        "paymentTerms": [
            {
                "id": t.id,
                "code": t.code,
                "displayName": t.name,
                "dueDateCalculation": f"{t.due_days}D",
                "discountDateCalculation": f"{t.discount_days}D" if t.discount_days else "",
                "discountPercent": t.discount_percent,
                "calculateDiscountOnCreditMemos": False,
                "lastModifiedDateTime": p.stamp(since),
            }
            for t in data.terms
        ],
        "shipmentMethods": [
            {"id": m.id, "code": m.code, "displayName": m.name, "lastModifiedDateTime": p.stamp(since)}
            for m in data.shipment_methods
        ],
        "unitsOfMeasure": [
            {
                "id": u.id,
                "code": u.code,
                "displayName": u.name,
                "internationalStandardCode": u.iso_code,
                "symbol": u.symbol,
                "lastModifiedDateTime": p.stamp(since),
            }
            for u in data.units
        ],
        "itemCategories": [
            {"id": c.id, "code": c.code, "displayName": c.name, "lastModifiedDateTime": p.stamp(since)}
            for c in data.categories
        ],
    }


def item_rows(p: Projection, data: MasterData, since: date) -> list[Row]:
    return [
        {
            "id": i.id,
            "number": i.number,
            "displayName": i.name,
            "displayName2": i.name2,
            "type": i.type,
            "itemCategoryId": i.category.id,
            "itemCategoryCode": i.category.code,
            "blocked": i.blocked,
            "gtin": i.gtin,
            "inventory": i.inventory,
            "unitPrice": i.unit_price,
            "priceIncludesTax": False,
            "unitCost": i.unit_cost,
            "taxGroupId": ZERO_GUID,
            "taxGroupCode": "",
            "baseUnitOfMeasureId": i.unit.id,
            "baseUnitOfMeasureCode": i.unit.code,
            "generalProductPostingGroupId": ZERO_GUID,
            "generalProductPostingGroupCode": "SERVICES" if i.type == "Service" else "RETAIL",
            "inventoryPostingGroupId": ZERO_GUID,
            "inventoryPostingGroupCode": "RESALE" if i.type == "Inventory" else "",
            "lastModifiedDateTime": p.stamp(since),
            # Not in API v2.0 (the VAT Prod. Posting Group's rate); lines created by writes use it.
            "_taxCode": i.tax_code,
            "_taxPercent": i.tax_percent,
        }
        for i in data.items
    ]


def customer_tables(
    p: Projection, customers: tuple[Customer, ...], balances: dict[str, CustomerBalance], today: date
) -> dict[str, list[Row]]:
    return {
        "customers": [_customer(p, c, balances[c.number], today) for c in customers],
        "customerFinancialDetails": [
            {
                "id": c.id,
                "number": c.number,
                "balance": balances[c.number].balance_lcy,
                "totalSalesExcludingTax": balances[c.number].sales_lcy,
                "overdueAmount": balances[c.number].overdue_lcy,
                "lastModifiedDateTime": p.stamp(today),
            }
            for c in customers
        ],
        "agedAccountsReceivables": [_aged(p, c, balances[c.number], today) for c in customers],
        "customerContacts": [
            {
                "id": contact.id,
                "email": contact.email,
                "firstName": contact.first_name,
                "lastName": contact.last_name,
                "professionalTitle": contact.title,
                "customerId": c.id,
                "customerName": c.name,
                "primaryPhoneNumber": contact.phone,
            }
            for c in customers
            for contact in c.contacts
        ],
    }


def _customer(p: Projection, c: Customer, balance: CustomerBalance, today: date) -> Row:
    a = c.address
    return {
        "id": c.id,
        "number": c.number,
        "displayName": c.name,
        "type": "Person" if c.is_person else "Company",
        "addressLine1": a.line1,
        "addressLine2": a.line2,
        "city": a.city,
        "state": a.state,
        "country": a.country,
        "postalCode": a.post_code,
        "phoneNumber": c.phone,
        "email": c.email,
        "website": c.website,
        "salespersonCode": c.salesperson,
        # "Balance Due" is in the customer's own currency; financial details hold the LCY sums.
        "balanceDue": balance.balance,
        "creditLimit": c.credit_limit,
        "taxLiable": False,
        "taxAreaId": ZERO_GUID,
        "taxAreaDisplayName": "",
        "taxRegistrationNumber": c.tax_registration,
        "currencyId": p.currency_id(c),
        "currencyCode": p.currency_code(c),
        "paymentTermsId": c.terms.id,
        "shipmentMethodId": c.shipment_method.id,
        "paymentMethodId": ZERO_GUID,
        "blocked": c.blocked,
        "lastModifiedDateTime": p.stamp(today),
    }


def _aged(p: Projection, c: Customer, balance: CustomerBalance, today: date) -> Row:
    current, first, second, third = balance.aging_lcy
    return {
        "customerId": c.id,
        "customerNumber": c.number,
        "name": c.name,
        "currencyCode": p.lcy_code,
        "balanceDue": balance.balance_lcy,
        "currentAmount": current,
        "period1Label": "0-30 days",
        "period1Amount": first,
        "period2Label": "31-60 days",
        "period2Amount": second,
        "period3Label": "Over 60 days",
        "period3Amount": third,
        "agedAsOfDate": today.isoformat(),
        "periodLengthFilter": "30D",
    }
