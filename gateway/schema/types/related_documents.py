"""The kinds of document a customer query can be about: shared by the query types and the
``submitQuery`` input."""

from __future__ import annotations

from enum import Enum

import strawberry


@strawberry.enum(description="The kind of document a query is about.")
class RelatedDocumentType(Enum):
    # Values are BC's wire values (customerQueryDocumentType); clients see the names only.
    SALES_ORDER = "Sales_x0020_Order"
    SALES_SHIPMENT = "Sales_x0020_Shipment"
    SALES_INVOICE = "Sales_x0020_Invoice"
    SALES_CREDIT_MEMO = "Sales_x0020_Credit_x0020_Memo"
