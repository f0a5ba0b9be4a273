"""What the customer owes and how it came about: aged receivables (API v2.0), customer ledger
entries (the analytics API, REFERENCE §10) and the customer's contacts (for the statement PDF).

Conventions as in ``_models``: snake_case BC names, ``SELECT`` for ``$select``, ``from_json`` per row.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, ClassVar, Self
from uuid import UUID

from ._enums import BCEnum
from ._values import RowReader

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


@dataclass(frozen=True)
class CustomerLedgerEntry:
    """One detailed customer ledger entry (analytics ``customerLedgerEntries``); amounts in LCY,
    positive = the customer owes more."""

    entry_number: int
    ledger_entry_number: int
    posting_date: date
    due_date: date | None
    entry_type: LedgerEntryType
    document_type: LedgerDocumentType
    document_number: str
    amount_lcy: Decimal
    customer_number: str
    reason_code: str | None

    SELECT: ClassVar[tuple[str, ...]] = (
        "dcleEntryNo",
        "cleEntryNo",
        "dclePostingDate",
        "cleDueDate",
        "dcleEntryType",
        "dcleDocumentType",
        "dcleDocumentNo",
        "dcleAmountLCY",
        "dcleCustomerNo",
        "cleReasonCode",
    )

    @classmethod
    def from_json(cls, row: Mapping[str, Any]) -> Self:
        r = RowReader("CustomerLedgerEntry", row)
        posted = r.opt_date("dclePostingDate")
        if posted is None:
            r._bad("dclePostingDate")
        return cls(
            entry_number=r.integer("dcleEntryNo"),
            ledger_entry_number=r.integer("cleEntryNo"),
            posting_date=posted,
            due_date=r.opt_date("cleDueDate"),
            entry_type=r.enum("dcleEntryType", LedgerEntryType),
            document_type=r.enum("dcleDocumentType", LedgerDocumentType),
            document_number=r.text("dcleDocumentNo"),
            amount_lcy=r.decimal("dcleAmountLCY"),
            customer_number=r.text("dcleCustomerNo"),
            reason_code=r.opt_text("cleReasonCode") or None,
        )


@dataclass(frozen=True)
class AgedReceivable:
    """``agedAccountsReceivables``: the customer's balance by age (LCY)."""

    customer_id: UUID
    customer_number: str
    currency_code: str | None
    balance_due: Decimal
    current_amount: Decimal
    period1_label: str | None
    period1_amount: Decimal
    period2_label: str | None
    period2_amount: Decimal
    period3_label: str | None
    period3_amount: Decimal
    aged_as_of_date: date | None

    SELECT: ClassVar[tuple[str, ...]] = (
        "customerId",
        "customerNumber",
        "currencyCode",
        "balanceDue",
        "currentAmount",
        "period1Label",
        "period1Amount",
        "period2Label",
        "period2Amount",
        "period3Label",
        "period3Amount",
        "agedAsOfDate",
    )

    @classmethod
    def from_json(cls, row: Mapping[str, Any]) -> Self:
        r = RowReader("AgedReceivable", row)
        return cls(
            customer_id=r.guid("customerId"),
            customer_number=r.text("customerNumber"),
            currency_code=r.opt_text("currencyCode") or None,
            balance_due=r.decimal("balanceDue"),
            current_amount=r.decimal("currentAmount"),
            period1_label=r.opt_text("period1Label") or None,
            period1_amount=r.decimal("period1Amount"),
            period2_label=r.opt_text("period2Label") or None,
            period2_amount=r.decimal("period2Amount"),
            period3_label=r.opt_text("period3Label") or None,
            period3_amount=r.decimal("period3Amount"),
            aged_as_of_date=r.opt_date("agedAsOfDate"),
        )


@dataclass(frozen=True)
class CustomerContact:
    """``customerContacts``: a contact person of a customer (its ``pdfDocument`` is the statement)."""

    id: UUID
    customer_id: UUID | None

    SELECT: ClassVar[tuple[str, ...]] = ("id", "customerId")

    @classmethod
    def from_json(cls, row: Mapping[str, Any]) -> Self:
        r = RowReader("CustomerContact", row)
        return cls(id=r.guid("id"), customer_id=r.opt_guid("customerId"))
