"""BC's PDF endpoints (REFERENCE §8.1): the v2.0 link object, then the rendered PDF itself."""

from __future__ import annotations

import re
from decimal import Decimal

import httpx
import pytest
from starlette.applications import Starlette

from gateway.sandbox.app import sandbox_of
from gateway.sandbox.pdfwriter import PdfLine, render_pdf, to_win_ansi
from gateway.sandbox.store import PORTAL_ROUTE, STANDARD_ROUTE, Row
from tests.sandbox.conftest import BASE_URL

pytestmark = pytest.mark.anyio

API = "/v2.0/sandbox/production/api"


def _first(world_app: Starlette, entity_set: str, status: str) -> tuple[str, Row]:
    store = sandbox_of(world_app).store
    for company in store.companies:
        for row in store.table(company["id"], STANDARD_ROUTE, entity_set):
            if row["status"] == status:
                return company["id"], row
    raise LookupError(status)


def _text(pdf: bytes) -> str:
    """The strings a PDF shows (our writer puts each in one literal)."""
    return " ".join(m.decode("cp1252") for m in re.findall(rb"\(((?:[^()\\]|\\.)*)\) Tj", pdf))


async def test_the_pdf_document_link_is_the_v2_single_object(
    world_app: Starlette, world_bc: httpx.AsyncClient
) -> None:
    company, invoice = _first(world_app, "salesInvoices", "Paid")
    path = f"{API}/v2.0/companies({company})/salesInvoices({invoice['id']})/pdfDocument"

    body = (await world_bc.get(path)).json()

    assert body["id"] == invoice["id"]
    assert body["parentId"] == invoice["id"]
    assert body["parentType"] == "Sales_x0020_Invoice"
    assert body["pdfDocumentContent@odata.mediaReadLink"] == f"{BASE_URL}{path}/pdfDocumentContent"


async def test_a_posted_invoice_renders_a_pdf_with_its_number_dates_customer_lines_and_totals(
    world_app: Starlette, world_bc: httpx.AsyncClient
) -> None:
    company, invoice = _first(world_app, "salesInvoices", "Open")
    store = sandbox_of(world_app).store
    lines = [
        r
        for r in store.table(company, STANDARD_ROUTE, "salesInvoiceLines")
        if r["documentId"] == invoice["id"]
    ]

    response = await world_bc.get(
        f"{API}/v2.0/companies({company})/salesInvoices({invoice['id']})/pdfDocument/pdfDocumentContent"
    )

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-1.4")
    assert response.content.rstrip().endswith(b"%%EOF")
    text = _text(response.content)
    for expected in (
        f"Sales Invoice {invoice['number']}",
        invoice["invoiceDate"],
        invoice["dueDate"],
        f"Customer No. {invoice['customerNumber']}",
        f"{Decimal(invoice['totalAmountIncludingTax']):,.2f}",
    ):
        assert to_win_ansi(expected).decode("cp1252") in text
    for line in lines:
        if line["lineType"] != "Comment":
            assert line["lineObjectNumber"] in text


async def test_a_draft_credit_memo_has_no_pdf_as_in_bc(
    world_app: Starlette, world_bc: httpx.AsyncClient
) -> None:
    company, memo = _first(world_app, "salesCreditMemos", "Draft")
    response = await world_bc.get(
        f"{API}/v2.0/companies({company})/salesCreditMemos({memo['id']})/pdfDocument/pdfDocumentContent"
    )
    assert response.status_code == 400
    assert "unposted sales credit memos" in response.json()["error"]["message"]


async def test_a_customer_contact_renders_the_customer_statement(
    world_app: Starlette, world_bc: httpx.AsyncClient
) -> None:
    store = sandbox_of(world_app).store
    company = store.companies[0]["id"]
    contact = store.table(company, STANDARD_ROUTE, "customerContacts")[0]
    customer = next(
        c for c in store.table(company, STANDARD_ROUTE, "customers") if c["id"] == contact["customerId"]
    )
    response = await world_bc.get(
        f"{API}/v2.0/companies({company})/customerContacts({contact['id']})/pdfDocument/pdfDocumentContent"
    )
    assert response.status_code == 200
    text = _text(response.content)
    assert "Customer Statement" in text
    assert f"Customer No. {customer['number']}" in text


async def test_a_delivery_document_streams_its_stored_file(
    world_app: Starlette, world_bc: httpx.AsyncClient
) -> None:
    store = sandbox_of(world_app).store
    company = store.companies[0]["id"]
    document = store.table(company, PORTAL_ROUTE, "deliveryDocuments")[0]
    response = await world_bc.get(
        f"{API}/bcgateway/portal/v1.0/companies({company})/deliveryDocuments({document['id']})/content"
    )
    assert response.status_code == 200
    assert response.content == document["_content"]


def test_text_outside_windows_1252_is_transliterated() -> None:
    # ó, – and € are in Windows-1252; Ł, ź and ł are not.
    assert to_win_ansi("Łódź Spółka – 10 €") == "Lódz Spólka – 10 €".encode("cp1252")


def test_long_documents_flow_onto_more_pages() -> None:
    pdf = render_pdf([PdfLine(f"line {n}") for n in range(200)], title="long")
    pages = pdf.count(b"/Type/Page/Parent")
    assert pages == len(range(0, 200, 47))  # 47 ten-point lines fit between the margins
    assert b"/Count %d" % pages in pdf
