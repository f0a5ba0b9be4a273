"""The analytics route (`microsoft/analytics/v1.0`): `customerLedgerEntries`, one row per detailed
customer ledger entry, shaped like Microsoft's Power BI query 36957 "Customer Ledger Entries".
"""

from __future__ import annotations

from datetime import date, timedelta

from .basics import BLANK_DATE
from .receivables import DetailedEntry, Receivables
from .rows_common import Row

# Every posted document in the demo world carries the same one-dimension set (the SALES department).
DIMENSION_SET_ID = 1


def customer_ledger_entry_rows(receivables: Receivables) -> list[Row]:
    closed_at = receivables.closed_at()
    return [_row(d, closed_at.get(d.entry.entry_no)) for d in receivables.details]


def _row(d: DetailedEntry, closed: date | None) -> Row:
    e = d.entry
    invoice = e.invoice if d.document_type == "Invoice" and d.document_no == e.document_no else None
    terms = invoice.customer.terms if invoice else None
    discount_date = (
        (invoice.document_date + timedelta(days=terms.discount_days)).isoformat()
        if invoice and terms and terms.discount_days
        else BLANK_DATE
    )
    return {
        "cleEntryNo": e.entry_no,
        "cleDueDate": e.due_date.isoformat(),
        "cleOpen": closed is None,
        "clePostingDate": e.posting_date.isoformat(),
        "cleDocumentDate": e.document_date.isoformat(),
        "cleDimensionSetID": DIMENSION_SET_ID,
        "cleClosedAtDate": closed.isoformat() if closed else BLANK_DATE,
        "cleReasonCode": e.reason_code,
        "dcleEntryNo": d.entry_no,
        "dclePostingDate": d.posting_date.isoformat(),
        "dcleLedgerEntryAmount": d.entry_type == "Initial_x0020_Entry",
        "dcleEntryType": d.entry_type,
        "dcleDocumentType": d.document_type,
        "dcleDocumentNo": d.document_no,
        "dcleInitialEntryDueDate": e.due_date.isoformat(),
        "dcleAmountLCY": d.amount_lcy,
        "dcleCustomerNo": e.customer.number,
        "dcleApplicationNo": d.application_no,
        "dcleAppliedCustLedgerEntryNo": d.applied_entry_no,
        "salesInvHeaderDocumentNo": invoice.number if invoice else "",
        "salesInvHeaderPaymentTermsCode": terms.code if terms else "",
        "salesInvHeaderPmtDiscountDate": discount_date,
    }
