"""The sandbox's "report layouts": a sales invoice, a sales credit memo and a customer statement
rendered from the store's rows, as BC renders the report its Report Selections name (REFERENCE §8.1).
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from gateway.sandbox.pdfwriter import PdfLine, render_pdf
from gateway.sandbox.store import ANALYTICS_ROUTE, STANDARD_ROUTE, Row, SandboxStore

__all__ = ["credit_memo_pdf", "invoice_pdf", "statement_pdf"]

_BLANK_DATE = "0001-01-01"
_ENUM_SPACE = "_x0020_"


def _money(value: Any) -> str:
    return f"{Decimal(value if value is not None else 0):,.2f}"


def _date(value: Any) -> str:
    return "" if value in (None, "", _BLANK_DATE) else str(value)


def _plain(enum_value: str) -> str:
    return "" if enum_value == _ENUM_SPACE else enum_value.replace(_ENUM_SPACE, " ")


def _address(row: Row, prefix: str) -> list[str]:
    parts = [row.get(f"{prefix}AddressLine1"), row.get(f"{prefix}AddressLine2")]
    city = " ".join(p for p in (row.get(f"{prefix}PostCode"), row.get(f"{prefix}City")) if p)
    parts += [city, row.get(f"{prefix}Country")]
    return [str(p) for p in parts if p]


def _lines_table(lines: Iterable[Row], currency: str) -> list[PdfLine]:
    out = [
        PdfLine(
            "No.",
            bold=True,
            columns=(
                (90, "Description"),
                (300, "Quantity"),
                (360, "Unit"),
                (400, "Unit price"),
                (470, "Amount"),
            ),
        )
    ]
    for line in sorted(lines, key=lambda r: int(r.get("sequence") or 0)):
        if line.get("lineType") == "Comment":
            out.append(PdfLine("", columns=((90, str(line.get("description") or "")),)))
            continue
        out.append(
            PdfLine(
                str(line.get("lineObjectNumber") or ""),
                columns=(
                    (90, str(line.get("description") or "")[:45]),
                    (300, f"{Decimal(line.get('quantity') or 0):g}"),
                    (360, str(line.get("unitOfMeasureCode") or "")),
                    (400, _money(line.get("unitPrice"))),
                    (470, _money(line.get("amountExcludingTax"))),
                ),
            )
        )
    out.append(PdfLine(f"Amounts in {currency}", size=8))
    return out


def _sales_document(
    store: SandboxStore, company_id: str, header: Row, lines_set: str, title: str, date_field: str
) -> bytes:
    company = store.company(company_id) or {}
    currency = str(header.get("currencyCode") or "")
    lines = [
        r for r in store.table(company_id, STANDARD_ROUTE, lines_set) if r.get("documentId") == header["id"]
    ]
    body = [
        PdfLine(str(company.get("displayName") or company.get("name") or ""), size=9),
        PdfLine(f"{title} {header['number']}", size=16, bold=True),
        PdfLine(""),
        PdfLine("Bill-to", bold=True, columns=((300, "Document details"),)),
        PdfLine(
            f"{header.get('billToName') or header.get('customerName')}",
            columns=((300, f"Customer No. {header['customerNumber']}"),),
        ),
    ]
    details = [
        f"Document date {_date(header.get(date_field))}",
        f"Posting date {_date(header.get('postingDate'))}",
        f"Due date {_date(header.get('dueDate'))}",
        f"Status {_plain(str(header.get('status') or ''))}",
    ]
    address = _address(header, "billTo")
    for n in range(max(len(address), len(details))):
        left = address[n] if n < len(address) else ""
        right = details[n] if n < len(details) else ""
        body.append(PdfLine(left, columns=((300, right),)))
    body += [PdfLine(""), *_lines_table(lines, currency), PdfLine("")]
    body += [
        PdfLine(
            "Total excl. tax", columns=((400, currency), (470, _money(header.get("totalAmountExcludingTax"))))
        ),
        PdfLine("Tax", columns=((400, currency), (470, _money(header.get("totalTaxAmount"))))),
        PdfLine(
            "Total incl. tax",
            bold=True,
            columns=((400, currency), (470, _money(header.get("totalAmountIncludingTax")))),
        ),
    ]
    return render_pdf(body, title=f"{title} {header['number']}")


def invoice_pdf(store: SandboxStore, company_id: str, header: Row) -> bytes:
    """Report selection ``S.Invoice`` (posted) or ``S.Invoice Draft`` (a draft)."""
    posted = header.get("status") not in ("Draft", "In_x0020_Review", _ENUM_SPACE)
    title = "Sales Invoice" if posted else "Draft Sales Invoice"
    return _sales_document(store, company_id, header, "salesInvoiceLines", title, "invoiceDate")


def credit_memo_pdf(store: SandboxStore, company_id: str, header: Row) -> bytes:
    """Report selection ``S.Cr.Memo``; the caller refuses drafts as BC does."""
    return _sales_document(
        store, company_id, header, "salesCreditMemoLines", "Sales Credit Memo", "creditMemoDate"
    )


def statement_pdf(store: SandboxStore, company_id: str, contact: Row) -> bytes:
    """Report selection ``C.Statement`` for the contact's customer: its ledger entries and balance."""
    company = store.company(company_id) or {}
    customers = store.table(company_id, STANDARD_ROUTE, "customers")
    customer = next((c for c in customers if c["id"] == contact.get("customerId")), None)
    if customer is None:
        return render_pdf([PdfLine("Customer Statement", size=16, bold=True)], title="Customer Statement")
    entries = sorted(
        (
            r
            for r in store.table(company_id, ANALYTICS_ROUTE, "customerLedgerEntries")
            if r["dcleCustomerNo"] == customer["number"] and r["dcleEntryType"] != "Application"
        ),
        key=lambda r: (r["dclePostingDate"], r["dcleEntryNo"]),
    )
    body = [
        PdfLine(str(company.get("displayName") or company.get("name") or ""), size=9),
        PdfLine("Customer Statement", size=16, bold=True),
        PdfLine(f"{customer['displayName']} (Customer No. {customer['number']})"),
        PdfLine(f"Attn. {contact.get('firstName', '')} {contact.get('lastName', '')}".strip()),
        PdfLine(""),
        PdfLine(
            "Date",
            bold=True,
            columns=((80, "Type"), (200, "Document No."), (330, "Amount"), (430, "Balance")),
        ),
    ]
    balance = Decimal(0)
    for entry in entries:
        balance += entry["dcleAmountLCY"]
        body.append(
            PdfLine(
                entry["dclePostingDate"],
                size=8,
                columns=(
                    (80, _plain(entry["dcleDocumentType"]) or _plain(entry["dcleEntryType"])),
                    (200, entry["dcleDocumentNo"]),
                    (330, _money(entry["dcleAmountLCY"])),
                    (430, _money(balance)),
                ),
            )
        )
    body += [PdfLine(""), PdfLine("Balance due", bold=True, columns=((430, _money(balance)),))]
    return render_pdf(body, title=f"Customer Statement {customer['number']}")
