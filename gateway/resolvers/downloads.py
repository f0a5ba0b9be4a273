"""What ``/documents/{token}`` sends: the one document a verified link names, if it is still the
customer's.  Each kind re-reads the document's header through the customer's scope (proving
ownership) and only then asks BC for that document's media stream.  The BC path comes from a fixed
table and the GUIDs in the link; nothing from the request reaches it.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from gateway.bc import (
    CREDIT_MEMO_PDF,
    DELIVERY_DOCUMENT_CONTENT,
    INVOICE_PDF,
    PORTAL_API,
    STATEMENT_PDF,
    BCSession,
    Customer,
    CustomerContact,
    DeliveryDocument,
    Field,
    Media,
    Query,
    SalesCreditMemo,
    SalesInvoice,
    scoped,
)
from gateway.resolvers.credit_memos import is_posted as credit_memo_is_posted
from gateway.resolvers.document_links import DocumentKind, DocumentLink
from gateway.resolvers.invoices import is_posted as invoice_is_posted

__all__ = ["Download", "download", "safe_file_name"]

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True)
class Download:
    content: bytes
    file_name: str
    content_type: str


def safe_file_name(stem: str, extension: str = "pdf") -> str:
    """A file name any browser accepts in ``Content-Disposition``: BC numbers may hold '/'."""
    cleaned = _UNSAFE.sub("-", stem).strip("-.") or "document"
    return f"{cleaned[:100]}.{extension}"


async def _invoice(session: BCSession, link: DocumentLink) -> Download | None:
    query = Query("salesInvoices", filter=Field("id").eq(link.document_id), select=SalesInvoice.SELECT)
    invoices = await session.fetch(scoped(query, session.scope), model=SalesInvoice)
    invoice = next((i for i in invoices if i.id == link.document_id and invoice_is_posted(i)), None)
    if invoice is None:
        return None
    media = await session.fetch_media(INVOICE_PDF, invoice.id)
    return _pdf(media, f"Invoice-{invoice.number}")


async def _credit_memo(session: BCSession, link: DocumentLink) -> Download | None:
    query = Query("salesCreditMemos", filter=Field("id").eq(link.document_id), select=SalesCreditMemo.SELECT)
    memos = await session.fetch(scoped(query, session.scope), model=SalesCreditMemo)
    memo = next((m for m in memos if m.id == link.document_id and credit_memo_is_posted(m)), None)
    if memo is None:
        return None
    media = await session.fetch_media(CREDIT_MEMO_PDF, memo.id)
    return _pdf(media, f"Credit-Memo-{memo.number}")


async def _delivery_document(session: BCSession, link: DocumentLink) -> Download | None:
    query = Query(
        "deliveryDocuments", filter=Field("id").eq(link.document_id), select=DeliveryDocument.SELECT
    )
    documents = await session.fetch(scoped(query, session.scope), model=DeliveryDocument, route=PORTAL_API)
    document = next((d for d in documents if d.id == link.document_id), None)
    if document is None:
        return None
    media = await session.fetch_media(DELIVERY_DOCUMENT_CONTENT, document.id)
    stem, _, extension = document.file_name.rpartition(".")
    return Download(
        media.content, safe_file_name(stem or document.file_name, extension or "pdf"), media.content_type
    )


async def _statement(session: BCSession, link: DocumentLink) -> Download | None:
    """The contact must belong to the caller's customer: both are read at once, then compared."""
    customer_query = Query(
        "customers", filter=Field("number").eq(session.scope.customer_number), select=("id", "number")
    )
    contact_query = Query(
        "customerContacts", filter=Field("id").eq(link.document_id), select=CustomerContact.SELECT
    )
    customers, contacts = await asyncio.gather(
        session.fetch(scoped(customer_query, session.scope), model=Customer),
        session.fetch(contact_query, model=CustomerContact),
    )
    owner = customers[0].id if customers else None
    contact = next(iter(contacts), None)
    if owner is None or contact is None or contact.id != link.document_id or contact.customer_id != owner:
        return None
    media = await session.fetch_media(STATEMENT_PDF, contact.id)
    return _pdf(media, f"Statement-{session.scope.customer_number}")


def _pdf(media: Media, stem: str) -> Download:
    return Download(media.content, safe_file_name(stem), "application/pdf")


_KINDS: dict[DocumentKind, Callable[[BCSession, DocumentLink], Awaitable[Download | None]]] = {
    DocumentKind.INVOICE: _invoice,
    DocumentKind.CREDIT_MEMO: _credit_memo,
    DocumentKind.DELIVERY_DOCUMENT: _delivery_document,
    DocumentKind.STATEMENT: _statement,
}


async def download(session: BCSession, link: DocumentLink) -> Download | None:
    """The document ``link`` names, or ``None`` when it is not (or no longer) the customer's.

    ``session`` must be scoped to the link's company and customer (the edge builds it so).
    """
    if session.scope != link.scope:
        raise ValueError("the session is not scoped to the link's customer")
    return await _KINDS[link.kind](session, link)
