"""Sales documents as API v2.0 rows: open orders, posted shipments, invoices and credit memos."""

from __future__ import annotations

from datetime import timedelta

from .basics import BLANK_DATE, BLANK_ENUM, ZERO, ZERO_GUID
from .model import CreditMemo, Invoice, LineKind, Order, Shipment, total
from .rows_common import (
    Projection,
    Row,
    bill_to,
    customer_block,
    line_block,
    sell_to,
    ship_to_address,
    ship_to_names,
)

_SHIPMENT_LINE_TYPES = {
    LineKind.ITEM: "Item",
    LineKind.ACCOUNT: "G_x002F_L_x0020_Account",
    LineKind.COMMENT: BLANK_ENUM,
}


def order_rows(p: Projection, order: Order) -> tuple[Row, list[Row]]:
    c = order.customer
    sums = total(tuple(ol.line.at(ol.line.quantity) for ol in order.lines))
    header = {
        "id": order.id,
        "number": order.number,
        "externalDocumentNumber": order.external_ref,
        "orderDate": order.document_date.isoformat(),
        "postingDate": order.document_date.isoformat(),
        **customer_block(c),
        **ship_to_names(c),
        **sell_to(c),
        **bill_to(c),
        **ship_to_address(c),
        "shortcutDimension1Code": p.dimension,
        "shortcutDimension2Code": "",
        "currencyId": p.currency_id(c),
        "currencyCode": p.currency_code(c),
        "pricesIncludeTax": False,
        "paymentTermsId": c.terms.id,
        "shipmentMethodId": c.shipment_method.id,
        "salesperson": c.salesperson,
        "partialShipping": True,
        "requestedDeliveryDate": order.requested_delivery.isoformat()
        if order.requested_delivery
        else BLANK_DATE,
        "discountAmount": ZERO,
        "discountAppliedBeforeTax": True,
        "totalAmountExcludingTax": sums.excluding_tax,
        "totalTaxAmount": sums.tax,
        "totalAmountIncludingTax": sums.including_tax,
        "fullyShipped": order.fully_shipped,
        "status": order.status,
        "lastModifiedDateTime": p.stamp(order.modified),
        "phoneNumber": c.phone,
        "email": c.email,
    }
    lines = []
    for ol in order.lines:
        row = line_block(p, order.id, ol.line.at(ol.line.quantity), order.document_date)
        row["shippedQuantity"] = ol.shipped
        row["invoicedQuantity"] = ol.invoiced
        # BC's defaults: ship what is outstanding, invoice what is shipped or about to be.
        row["invoiceQuantity"] = ol.line.quantity - ol.invoiced
        row["shipQuantity"] = ol.line.quantity - ol.shipped
        lines.append(row)
    return header, lines


def shipment_rows(p: Projection, shipment: Shipment) -> tuple[Row, list[Row]]:
    order = shipment.order
    c = order.customer
    header = {
        "id": shipment.id,
        "number": shipment.number,
        "externalDocumentNumber": order.external_ref,
        # Its own Document Date (this API's invoiceDate), the day it was posted, as BC sets it
        # with "Link Doc. Date To Posting Date": not the order's date, which no posted document
        # carries (REFERENCE.md §6.10).
        "invoiceDate": shipment.posting_date.isoformat(),
        "postingDate": shipment.posting_date.isoformat(),
        "dueDate": (shipment.posting_date + timedelta(days=c.terms.due_days)).isoformat(),
        "customerPurchaseOrderReference": "",
        "customerId": c.id,
        "customerNumber": c.number,
        "customerName": c.name,
        "billToCustomerId": c.id,
        "billToName": c.name,
        "billToCustomerNumber": c.number,
        **ship_to_names(c),
        **sell_to(c),
        **bill_to(c),
        **ship_to_address(c),
        "currencyCode": p.currency_code(c),
        "orderNumber": order.number,
        "paymentTermsCode": c.terms.code,
        "shipmentMethodCode": c.shipment_method.code,
        "salesperson": c.salesperson,
        "pricesIncludeTax": False,
        "lastModifiedDateTime": p.stamp(shipment.posting_date),
        "phoneNumber": c.phone,
        "email": c.email,
    }
    lines = [
        {
            "id": p.new_id(),
            "documentId": shipment.id,
            "documentNo": shipment.number,
            "sequence": pl.line.sequence,
            "lineType": _SHIPMENT_LINE_TYPES[pl.line.kind],
            "lineObjectNumber": pl.line.number,
            "description": pl.line.description,
            "description2": "",
            "unitOfMeasureCode": pl.line.unit.code if pl.line.unit else "",
            "unitPrice": pl.line.unit_price,
            "quantity": pl.quantity,
            "discountPercent": pl.line.discount_percent,
            "taxPercent": pl.line.tax_percent,
            "shipmentDate": shipment.posting_date.isoformat()
            if pl.line.kind is not LineKind.COMMENT
            else BLANK_DATE,
        }
        for pl in shipment.lines
    ]
    return header, lines


def invoice_rows(p: Projection, invoice: Invoice) -> tuple[Row, list[Row]]:
    c = invoice.customer
    sums = invoice.amounts
    header = {
        "id": invoice.id,
        "number": invoice.number,
        "externalDocumentNumber": invoice.external_ref,
        "invoiceDate": invoice.document_date.isoformat(),
        "postingDate": invoice.posting_date.isoformat(),
        "dueDate": invoice.due_date.isoformat(),
        "promisedPayDate": BLANK_DATE,
        "customerPurchaseOrderReference": "",
        **customer_block(c),
        **ship_to_names(c),
        **sell_to(c),
        **bill_to(c),
        **ship_to_address(c),
        "currencyId": p.currency_id(c),
        "shortcutDimension1Code": p.dimension,
        "shortcutDimension2Code": "",
        "currencyCode": p.currency_code(c),
        "orderId": invoice.order.id if invoice.order else ZERO_GUID,
        "orderNumber": invoice.order.number if invoice.order else "",
        "paymentTermsId": c.terms.id,
        "shipmentMethodId": c.shipment_method.id,
        "salesperson": c.salesperson,
        "disputeStatusId": ZERO_GUID,
        "disputeStatus": "",
        "pricesIncludeTax": False,
        "remainingAmount": invoice.remaining,
        "discountAmount": ZERO,
        "discountAppliedBeforeTax": True,
        "totalAmountExcludingTax": sums.excluding_tax,
        "totalTaxAmount": sums.tax,
        "totalAmountIncludingTax": sums.including_tax,
        "status": invoice.status,
        "lastModifiedDateTime": p.stamp(invoice.posting_date),
        "phoneNumber": c.phone,
        "email": c.email,
    }
    lines = [line_block(p, invoice.id, pl, invoice.posting_date) for pl in invoice.lines]
    return header, lines


def credit_memo_rows(p: Projection, memo: CreditMemo) -> tuple[Row, list[Row]]:
    c = memo.customer
    sums = memo.amounts
    header = {
        "id": memo.id,
        "number": memo.number,
        "externalDocumentNumber": "",
        "creditMemoDate": memo.document_date.isoformat(),
        "postingDate": memo.posting_date.isoformat(),
        "dueDate": memo.document_date.isoformat(),
        **customer_block(c),
        **sell_to(c),
        **bill_to(c),
        "shortcutDimension1Code": p.dimension,
        "shortcutDimension2Code": "",
        "currencyId": p.currency_id(c),
        "currencyCode": p.currency_code(c),
        "paymentTermsId": c.terms.id,
        "shipmentMethodId": c.shipment_method.id,
        "salesperson": c.salesperson,
        "pricesIncludeTax": False,
        "discountAmount": ZERO,
        "discountAppliedBeforeTax": True,
        "totalAmountExcludingTax": sums.excluding_tax,
        "totalTaxAmount": sums.tax,
        "totalAmountIncludingTax": sums.including_tax,
        "status": memo.status,
        "lastModifiedDateTime": p.stamp(memo.posting_date),
        "invoiceId": memo.invoice.id if memo.invoice else ZERO_GUID,
        "invoiceNumber": memo.invoice.number if memo.invoice else "",
        "phoneNumber": c.phone,
        "email": c.email,
        "customerReturnReasonId": ZERO_GUID,
    }
    lines = [line_block(p, memo.id, pl, memo.posting_date) for pl in memo.lines]
    return header, lines
