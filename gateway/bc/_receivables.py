"""What the customer owes and how it came about: aged receivables (API v2.0), customer ledger
entries (the analytics API, REFERENCE §10) and the customer's contacts (for the statement PDF).

Declared once each (``_entity``).  The analytics API's names are not BC's usual ones
(``dcleEntryNo``), so those fields give theirs.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import UUID

from msgspec import field

from ._entity import ZERO, Entity, NonEmpty
from ._enums import BCEnum

__all__ = [
    "AgedReceivable",
    "CustomerContact",
    "CustomerLedgerEntry",
    "LedgerDocumentType",
    "LedgerEntryType",
]


class LedgerDocumentType(BCEnum):
    """``genJournalDocumentType``."""

    BLANK = "_x0020_"
    PAYMENT = "Payment"
    INVOICE = "Invoice"
    CREDIT_MEMO = "Credit_x0020_Memo"
    FINANCE_CHARGE_MEMO = "Finance_x0020_Charge_x0020_Memo"
    REMINDER = "Reminder"
    REFUND = "Refund"
    UNKNOWN = "_unknown_"


class LedgerEntryType(BCEnum):
    """``detailedCVLedgerEntryType``: the kinds a statement tells apart (the rest are UNKNOWN)."""

    BLANK = "_x0020_"
    INITIAL_ENTRY = "Initial_x0020_Entry"
    APPLICATION = "Application"
    UNREALIZED_LOSS = "Unrealized_x0020_Loss"
    UNREALIZED_GAIN = "Unrealized_x0020_Gain"
    REALIZED_LOSS = "Realized_x0020_Loss"
    REALIZED_GAIN = "Realized_x0020_Gain"
    PAYMENT_DISCOUNT = "Payment_x0020_Discount"
    APPLICATION_ROUNDING = "Appln_x002E__x0020_Rounding"
    CORRECTION_OF_REMAINING_AMOUNT = "Correction_x0020_of_x0020_Remaining_x0020_Amount"
    PAYMENT_TOLERANCE = "Payment_x0020_Tolerance"
    UNKNOWN = "_unknown_"


class CustomerLedgerEntry(Entity, frozen=True, kw_only=True):
    """One detailed customer ledger entry (analytics ``customerLedgerEntries``); amounts in LCY,
    positive = the customer owes more."""

    entry_number: int = field(name="dcleEntryNo")
    ledger_entry_number: int = field(name="cleEntryNo")
    posting_date: date = field(name="dclePostingDate")
    due_date: date | None = field(default=None, name="cleDueDate")
    entry_type: LedgerEntryType = field(default=LedgerEntryType.UNKNOWN, name="dcleEntryType")
    document_type: LedgerDocumentType = field(default=LedgerDocumentType.UNKNOWN, name="dcleDocumentType")
    document_number: str = field(name="dcleDocumentNo")
    amount_lcy: Decimal = field(default=ZERO, name="dcleAmountLCY")
    customer_number: str = field(name="dcleCustomerNo")
    reason_code: NonEmpty = field(default=None, name="cleReasonCode")


class AgedReceivable(Entity, frozen=True, kw_only=True):
    """``agedAccountsReceivables``: the customer's balance by age (LCY)."""

    customer_id: UUID
    customer_number: str
    currency_code: NonEmpty = None
    balance_due: Decimal = ZERO
    current_amount: Decimal = ZERO
    period1_label: NonEmpty = None
    period1_amount: Decimal = ZERO
    period2_label: NonEmpty = None
    period2_amount: Decimal = ZERO
    period3_label: NonEmpty = None
    period3_amount: Decimal = ZERO
    aged_as_of_date: date | None = None


class CustomerContact(Entity, frozen=True, kw_only=True):
    """``customerContacts``: a contact person of a customer (its ``pdfDocument`` is the statement)."""

    id: UUID
    customer_id: UUID | None = None
