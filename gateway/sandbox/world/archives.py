"""Sales order archives: what BC keeps of an order it deletes after *Ship and Invoice*.

With *Archive Orders* on (Sales & Receivables Setup), BC archives an order when posting deletes it
(REFERENCE.md §6.4, §9): one ``salesOrderArchives`` row (version 1) with its
``salesOrderArchiveLines``, the ORIGINAL ordered quantities included.  These sets are newer than
the 2025 API (metadata/standard-newer.xml); the "bare" profile does not serve them.
"""

from __future__ import annotations

from .basics import BLANK_DATE, BLANK_ENUM, ZERO
from .model import LineKind, Order
from .rows_common import Projection, Row

_LINE_TYPES = {
    LineKind.ITEM: "Item",
    LineKind.ACCOUNT: "G_x002F_L_x0020_Account",
    LineKind.COMMENT: BLANK_ENUM,
}


def archive_rows(p: Projection, order: Order) -> tuple[Row, list[Row]]:
    """The archive of a completed (deleted) order, as API v2.0 rows."""
    c = order.customer
    a = c.address
    contact = c.contacts[0]
    day = order.document_date.isoformat()
    stamp = p.stamp(order.modified)
    header: Row = {
        "id": p.new_id(),
        "number": order.number,
        "docNoOccurrence": 1,
        "versionNumber": 1,
        "sellToCustomerNumber": c.number,
        "sellToCustomerName": c.name,
        "sellToAddress": a.line1,
        "sellToAddress2": a.line2,
        "sellToCity": a.city,
        "sellToCounty": a.state,
        "sellToPostCode": a.post_code,
        "sellToCountryRegionCode": a.country,
        "sellToContact": f"{contact.first_name} {contact.last_name}",
        "sellToContactNumber": "",
        "billToCustomerNumber": c.number,
        "billToName": c.name,
        "billToAddress": a.line1,
        "billToAddress2": a.line2,
        "billToCity": a.city,
        "billToCounty": a.state,
        "billToPostCode": a.post_code,
        "billToCountryRegionCode": a.country,
        "billToContact": f"{contact.first_name} {contact.last_name}",
        "shipToName": c.name,
        "shipToAddress": a.line1,
        "shipToAddress2": a.line2,
        "shipToCity": a.city,
        "shipToCounty": a.state,
        "shipToPostCode": a.post_code,
        "shipToCountryRegionCode": a.country,
        "shipToContact": f"{contact.first_name} {contact.last_name}",
        "orderDate": day,
        "documentDate": day,
        "postingDate": order.modified.isoformat(),
        "dueDate": BLANK_DATE,
        "shipmentDate": day,
        "shortcutDimension1Code": p.dimension,
        "shortcutDimension2Code": "",
        # The table's Currency Code: blank for the local currency.
        "currencyCode": c.currency.code if c.currency else "",
        "pricesIncludingVAT": False,
        "paymentTermsCode": c.terms.code,
        "shipmentMethodCode": c.shipment_method.code,
        "shippingAgentCode": "",
        "shippingAgentServiceCode": "",
        "salespersonCode": c.salesperson,
        "locationCode": "",
        "externalDocumentNumber": order.external_ref,
        "yourReference": "",
        "requestedDeliveryDate": order.requested_delivery.isoformat()
        if order.requested_delivery
        else BLANK_DATE,
        # Posting released the order before BC deleted (and archived) it.
        "status": "Released",
        "responsibilityCenter": "",
        "dateArchived": order.modified.isoformat(),
        "archivedBy": "SANDBOX",
        "lastModifiedDateTime": stamp,
    }
    lines: list[Row] = []
    for ol in order.lines:
        line = ol.line
        amounts = line.at(line.quantity).amounts
        gross = line.quantity * line.unit_price
        comment = line.kind is LineKind.COMMENT
        lines.append(
            {
                "id": p.new_id(),
                "documentNumber": order.number,
                "docNoOccurrence": 1,
                "versionNumber": 1,
                "sequence": line.sequence,
                "lineType": _LINE_TYPES[line.kind],
                "lineObjectNumber": line.number,
                "description": line.description,
                "description2": "",
                "unitOfMeasureCode": line.unit.code if line.unit else "",
                # The ORIGINAL ordered quantity, as the order had it when it was deleted.
                "quantity": line.quantity,
                "unitPrice": line.unit_price,
                "lineDiscountPercent": line.discount_percent,
                "lineDiscountAmount": amounts.discount,
                "lineAmount": gross - amounts.discount if not comment else ZERO,
                "amount": amounts.excluding_tax,
                "amountIncludingVAT": amounts.including_tax,
                "taxPercent": line.tax_percent,
                "outstandingQuantity": ZERO,
                "qtyToShip": ZERO,
                "quantityShipped": ol.shipped,
                "quantityInvoiced": ol.invoiced,
                "variantCode": "",
                "locationCode": "",
                "shipmentDate": BLANK_DATE if comment else day,
                "shortcutDimension1Code": p.dimension,
                "shortcutDimension2Code": "",
                "itemCategoryCode": "",
                "lastModifiedDateTime": stamp,
            }
        )
    return header, lines
