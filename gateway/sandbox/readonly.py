"""Properties BC refuses to write, per entity set (AL ``Editable = false``; REFERENCE §6, §7.1).

``id`` is read-only everywhere except that a client may choose it in the POST body (REFERENCE §1).
Entity sets not listed here accept writes to every property their EDMX declares.
"""

from __future__ import annotations

import re

_TOTALS = ("totalAmountExcludingTax", "totalTaxAmount", "totalAmountIncludingTax")
_BILL_TO = (
    "customerName",
    "billToName",
    "billToAddressLine1",
    "billToAddressLine2",
    "billToCity",
    "billToCountry",
    "billToState",
    "billToPostCode",
)
_HEADER = ("number", *_BILL_TO, "discountAppliedBeforeTax", *_TOTALS, "status", "lastModifiedDateTime")
_LINE = (
    "discountAppliedBeforeTax",
    "amountExcludingTax",
    "taxPercent",
    "totalTaxAmount",
    "amountIncludingTax",
    "invoiceDiscountAllocation",
    "netAmount",
    "netTaxAmount",
    "netAmountIncludingTax",
)

_CREDIT_MEMO: tuple[str, ...] = ("number", "customerName", "billToName", "pricesIncludeTax")
_CREDIT_MEMO += ("discountAppliedBeforeTax", *_TOTALS, "status", "lastModifiedDateTime")

READ_ONLY: dict[str, frozenset[str]] = {
    "salesOrders": frozenset(_HEADER),
    "salesOrderLines": frozenset(_LINE),
    "salesInvoices": frozenset((*_HEADER, "orderId", "orderNumber", "pricesIncludeTax", "remainingAmount")),
    "salesInvoiceLines": frozenset(_LINE),
    "salesCreditMemos": frozenset(_CREDIT_MEMO),
    "salesCreditMemoLines": frozenset(_LINE),
    "customers": frozenset(("balanceDue", "taxAreaDisplayName", "lastModifiedDateTime")),
    "items": frozenset(("lastModifiedDateTime",)),
    # The portal extension (docs/bc-extension.md): numbers come from a No. Series, times from the
    # platform, and the status is set by staff in BC.
    "customerQueries": frozenset(("number", "status", "createdDateTime", "lastModifiedDateTime")),
    "customerQueryMessages": frozenset(("sequence", "createdDateTime")),
}

# Fixed once a line exists (REFERENCE §7.1): the messages BC gives when a PATCH tries.
FIXED_AFTER_INSERT: dict[str, dict[str, str]] = {
    lines: {
        "sequence": "The value for sequence cannot be modified. Delete and insert the line again.",
        "lineObjectNumber": 'The value for "lineObjectNumber" cannot be modified.',
        "documentId": 'The value for "documentId" cannot be modified.',
    }
    for lines in ("salesOrderLines", "salesInvoiceLines", "salesCreditMemoLines")
}


def is_read_only(entity_set: str, prop: str) -> bool:
    return prop in READ_ONLY.get(entity_set, frozenset())


def caption(prop: str) -> str:
    """The control caption BC names in its message: ``totalTaxAmount`` → ``Total Tax Amount``."""
    words = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", prop).split()
    return " ".join(w[:1].upper() + w[1:] for w in words)


def read_only_message(prop: str) -> str:
    return f"Control '{caption(prop)}' is read-only"
