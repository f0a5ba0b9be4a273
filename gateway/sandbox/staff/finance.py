"""The customer ledger when staff post an invoice or a payment, kept as the demo world keeps it.

Four places tell one story (docs/sandbox.md): ``customers.balanceDue`` (the customer's currency),
``customerFinancialDetails`` and ``agedAccountsReceivables`` (local currency, by due date), and the
analytics route's ``customerLedgerEntries`` (one row per detailed ledger entry).  Each posting
moves all four by the same amounts, so balances, aging and statements still agree to the cent.
BC sends no ``customers`` notification for it: the balance is a FlowField, the customer record
itself does not change.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from gateway.sandbox.numbers import increment
from gateway.sandbox.salesorders import ZERO, ZERO_GUID, money
from gateway.sandbox.store import ANALYTICS_ROUTE, Row
from gateway.sandbox.world.reference import CURRENCIES

from .desk import Desk, StaffError, find

BLANK_DATE = "0001-01-01"
LEDGER = "customerLedgerEntries"
_AGING_BUCKETS = ("currentAmount", "period1Amount", "period2Amount", "period3Amount")
# A ledger row's columns, in the order the demo world writes them (world/rows_analytics.py).
_COLUMNS = (
    "cleEntryNo",
    "cleDueDate",
    "cleOpen",
    "clePostingDate",
    "cleDocumentDate",
    "cleDimensionSetID",
    "cleClosedAtDate",
    "cleReasonCode",
    "dcleEntryNo",
    "dclePostingDate",
    "dcleLedgerEntryAmount",
    "dcleEntryType",
    "dcleDocumentType",
    "dcleDocumentNo",
    "dcleInitialEntryDueDate",
    "dcleAmountLCY",
    "dcleCustomerNo",
    "dcleApplicationNo",
    "dcleAppliedCustLedgerEntryNo",
    "salesInvHeaderDocumentNo",
    "salesInvHeaderPaymentTermsCode",
    "salesInvHeaderPmtDiscountDate",
)


def to_local(desk: Desk, customer: Row, amount: Decimal) -> Decimal:
    """``amount`` in the customer's currency, in the company's (the demo world's fixed rates)."""
    if customer.get("currencyId", ZERO_GUID) == ZERO_GUID:
        return amount
    setup = desk.table("generalLedgerSetup")
    local = str(setup[0]["localCurrencyCode"]) if setup else ""
    rates = {code: rate for code, _, _, rate in CURRENCIES.get(local, ())}
    code = str(customer.get("currencyCode", ""))
    if code not in rates:
        raise StaffError(409, f"No exchange rate from {code} to {local} in this sandbox.")
    return money(amount * rates[code])


def customer_of(desk: Desk, document: Row) -> Row:
    customer = find(desk.table("customers"), "id", document["customerId"])
    if customer is None:
        raise StaffError(409, f"Customer {document.get('customerNumber')} of the document does not exist.")
    return customer


def post_invoice(desk: Desk, invoice: Row, terms_code: str, discount_date: str) -> None:
    """An invoice's ledger entry: the customer owes its total from now on."""
    customer = customer_of(desk, invoice)
    total = Decimal(invoice["totalAmountIncludingTax"])
    local = to_local(desk, customer, total)
    sales = to_local(desk, customer, Decimal(invoice["totalAmountExcludingTax"]))
    _move_balance(desk, customer, total, local, invoice["dueDate"], sales=sales)
    if not desk.has(LEDGER, ANALYTICS_ROUTE):
        return
    entry_no = _next(desk, "cleEntryNo")
    entry = {
        "cleEntryNo": entry_no,
        "cleDueDate": invoice["dueDate"],
        "cleOpen": True,
        "clePostingDate": invoice["postingDate"],
        "cleDocumentDate": invoice["invoiceDate"],
        "cleDimensionSetID": 1,
        "cleClosedAtDate": BLANK_DATE,
        "cleReasonCode": "",
        "dcleInitialEntryDueDate": invoice["dueDate"],
        "dcleCustomerNo": customer["number"],
        "salesInvHeaderDocumentNo": invoice["number"],
        "salesInvHeaderPaymentTermsCode": terms_code,
        "salesInvHeaderPmtDiscountDate": discount_date,
    }
    _detail(desk, entry, "Initial_x0020_Entry", "Invoice", invoice["number"], local, 0, 0)


def post_payment(desk: Desk, invoice: Row, amount: Decimal, payment_number: str) -> None:
    """A payment applied to ``invoice``: its remaining amount, the balances, the ledger."""
    customer = customer_of(desk, invoice)
    remaining = Decimal(invoice["remainingAmount"])
    entries = _entry_rows(desk, invoice["number"])
    closes = amount == remaining
    open_local = sum((Decimal(r["dcleAmountLCY"]) for r in entries), ZERO)
    # Paying the rest closes the entry exactly, whatever rounding earlier part payments left.
    local = open_local if closes and entries else to_local(desk, customer, amount)
    _move_balance(desk, customer, -amount, -local, invoice["dueDate"])
    desk.update(
        "salesInvoices",
        invoice,
        {
            "remainingAmount": remaining - amount,
            "status": "Paid" if closes else "Open",
            "lastModifiedDateTime": desk.now,
        },
    )
    if not entries:
        return
    today = desk.today.isoformat()
    payment_entry = _next(desk, "cleEntryNo")
    application = _next(desk, "dcleApplicationNo")
    closed = {"cleOpen": False, "cleClosedAtDate": today}
    payment = {
        "cleEntryNo": payment_entry,
        "cleDueDate": today,
        "clePostingDate": today,
        "cleDocumentDate": today,
        "cleDimensionSetID": 1,
        "cleReasonCode": "",
        "dcleInitialEntryDueDate": today,
        "dcleCustomerNo": customer["number"],
        "salesInvHeaderDocumentNo": "",
        "salesInvHeaderPaymentTermsCode": "",
        "salesInvHeaderPmtDiscountDate": BLANK_DATE,
        **closed,
    }
    invoice_entry = {
        k: v for k, v in entries[0].items() if k.startswith("cle") or k == "dcleInitialEntryDueDate"
    }
    invoice_entry.update({"dcleCustomerNo": customer["number"], **_no_invoice_header()})
    if closes:
        invoice_entry.update(closed)
        for row in entries:
            desk.journal.update(row, closed)
    _detail(desk, payment, "Initial_x0020_Entry", "Payment", payment_number, -local, 0, 0)
    no = int(invoice_entry["cleEntryNo"])
    _detail(desk, invoice_entry, "Application", "Payment", payment_number, -local, application, payment_entry)
    _detail(desk, payment, "Application", "Payment", payment_number, local, application, no)


def next_payment_number(desk: Desk) -> str:
    numbers = [
        str(r["dcleDocumentNo"])
        for r in desk.table(LEDGER, ANALYTICS_ROUTE)
        if r["dcleDocumentType"] == "Payment" and r["dcleEntryType"] == "Initial_x0020_Entry"
    ]
    return increment(max(numbers, key=lambda n: (len(n), n))) if numbers else "PMT000001"


def _move_balance(
    desk: Desk, customer: Row, amount: Decimal, local: Decimal, due: str, *, sales: Decimal = ZERO
) -> None:
    """Add ``amount`` (``local`` in LCY) to what ``customer`` owes, aged by ``due``."""
    desk.journal.update(customer, {"balanceDue": Decimal(customer["balanceDue"]) + amount})
    overdue = dt.date.fromisoformat(due) < desk.today
    detail = find(desk.table("customerFinancialDetails"), "id", customer["id"])
    if detail is not None:
        changes: dict[str, Any] = {
            "balance": Decimal(detail["balance"]) + local,
            "totalSalesExcludingTax": Decimal(detail["totalSalesExcludingTax"]) + sales,
        }
        if overdue:
            changes["overdueAmount"] = Decimal(detail["overdueAmount"]) + local
        desk.journal.update(detail, changes)
    aged = find(desk.table("agedAccountsReceivables"), "customerId", customer["id"])
    if aged is not None:
        bucket = _AGING_BUCKETS[_bucket(desk.today, dt.date.fromisoformat(due))]
        desk.journal.update(
            aged,
            {"balanceDue": Decimal(aged["balanceDue"]) + local, bucket: Decimal(aged[bucket]) + local},
        )


def _bucket(today: dt.date, due: dt.date) -> int:
    late = (today - due).days
    return 0 if late <= 0 else 1 if late <= 30 else 2 if late <= 60 else 3


def _entry_rows(desk: Desk, invoice_number: str) -> list[Row]:
    """The detailed ledger entries of the invoice's ledger entry (initial first)."""
    rows = desk.table(LEDGER, ANALYTICS_ROUTE) if desk.has(LEDGER, ANALYTICS_ROUTE) else []
    initial = next(
        (
            r
            for r in rows
            if r["dcleEntryType"] == "Initial_x0020_Entry"
            and r["dcleDocumentType"] == "Invoice"
            and r["dcleDocumentNo"] == invoice_number
        ),
        None,
    )
    if initial is None:
        return []
    return [initial, *(r for r in rows if r["cleEntryNo"] == initial["cleEntryNo"] and r is not initial)]


def _next(desk: Desk, column: str) -> int:
    return max((int(r[column]) for r in desk.table(LEDGER, ANALYTICS_ROUTE)), default=0) + 1


def _no_invoice_header() -> dict[str, Any]:
    return {
        "salesInvHeaderDocumentNo": "",
        "salesInvHeaderPaymentTermsCode": "",
        "salesInvHeaderPmtDiscountDate": BLANK_DATE,
    }


def _detail(
    desk: Desk,
    entry: dict[str, Any],
    kind: str,
    document_type: str,
    document_no: str,
    local: Decimal,
    application: int,
    applied: int,
) -> None:
    values = {
        **entry,
        "dcleEntryNo": _next(desk, "dcleEntryNo"),
        "dclePostingDate": desk.today.isoformat(),
        "dcleLedgerEntryAmount": kind == "Initial_x0020_Entry",
        "dcleEntryType": kind,
        "dcleDocumentType": document_type,
        "dcleDocumentNo": document_no,
        "dcleAmountLCY": local,
        "dcleApplicationNo": application,
        "dcleAppliedCustLedgerEntryNo": applied,
    }
    row = {column: values[column] for column in _COLUMNS}
    desk.journal.insert(desk.table(LEDGER, ANALYTICS_ROUTE), row)
