"""Pieces shared by the document projections: customer and address blocks, line amounts."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date
from typing import Any

from .basics import BLANK_DATE, ZERO, ZERO_GUID, bc_datetime, new_guid
from .model import Customer, DocLine, LineKind, PostedLine

Row = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Projection:
    """What every projection needs from its company: the PRNG for ids and stamps, the LCY code."""

    rng: random.Random
    lcy_code: str
    dimension: str

    def stamp(self, day: date) -> str:
        return bc_datetime(day, self.rng)

    def new_id(self) -> str:
        return new_guid(self.rng)

    def currency_id(self, customer: Customer) -> str:
        return customer.currency.id if customer.currency else ZERO_GUID

    def currency_code(self, customer: Customer) -> str:
        # BC shows the LCY code (possibly blank) where a record's own currency is blank.
        return customer.currency.code if customer.currency else self.lcy_code


def customer_block(c: Customer) -> Row:
    return {
        "customerId": c.id,
        "customerNumber": c.number,
        "customerName": c.name,
        "billToName": c.name,
        "billToCustomerId": c.id,
        "billToCustomerNumber": c.number,
    }


def sell_to(c: Customer) -> Row:
    a = c.address
    return {
        "sellToAddressLine1": a.line1,
        "sellToAddressLine2": a.line2,
        "sellToCity": a.city,
        "sellToCountry": a.country,
        "sellToState": a.state,
        "sellToPostCode": a.post_code,
    }


def bill_to(c: Customer) -> Row:
    a = c.address
    return {
        "billToAddressLine1": a.line1,
        "billToAddressLine2": a.line2,
        "billToCity": a.city,
        "billToCountry": a.country,
        "billToState": a.state,
        "billToPostCode": a.post_code,
    }


def ship_to_names(c: Customer) -> Row:
    contact = c.contacts[0]
    return {"shipToName": c.name, "shipToContact": f"{contact.first_name} {contact.last_name}"}


def ship_to_address(c: Customer) -> Row:
    a = c.address
    return {
        "shipToAddressLine1": a.line1,
        "shipToAddressLine2": a.line2,
        "shipToCity": a.city,
        "shipToCountry": a.country,
        "shipToState": a.state,
        "shipToPostCode": a.post_code,
    }


def line_block(p: Projection, document_id: str, posted: PostedLine, shipment_date: date | None) -> Row:
    """The columns salesOrderLines, salesInvoiceLines and salesCreditMemoLines share."""
    line: DocLine = posted.line
    amounts = posted.amounts
    is_item = line.kind is LineKind.ITEM
    return {
        "id": new_guid(p.rng),
        "documentId": document_id,
        "sequence": line.sequence,
        "itemId": line.object_id if is_item else ZERO_GUID,
        "accountId": line.object_id if line.kind is LineKind.ACCOUNT else ZERO_GUID,
        "lineType": line.kind.value,
        "lineObjectNumber": line.number,
        "description": line.description,
        "description2": "",
        "unitOfMeasureId": line.unit.id if line.unit else ZERO_GUID,
        "unitOfMeasureCode": line.unit.code if line.unit else "",
        "quantity": posted.quantity,
        "unitPrice": line.unit_price,
        "discountAmount": amounts.discount,
        "discountPercent": line.discount_percent,
        "discountAppliedBeforeTax": True,
        "amountExcludingTax": amounts.excluding_tax,
        "taxCode": line.tax_code,
        "taxPercent": line.tax_percent,
        "totalTaxAmount": amounts.tax,
        "amountIncludingTax": amounts.including_tax,
        # No invoice discounts in the demo world, so net amounts equal line amounts.
        "invoiceDiscountAllocation": ZERO,
        "netAmount": amounts.excluding_tax,
        "netTaxAmount": amounts.tax,
        "netAmountIncludingTax": amounts.including_tax,
        "shipmentDate": shipment_date.isoformat()
        if shipment_date and line.kind is not LineKind.COMMENT
        else BLANK_DATE,
        "itemVariantId": ZERO_GUID,
        "locationId": ZERO_GUID,
    }
