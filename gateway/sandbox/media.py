"""Media reads: ``…/{parent}({id})/pdfDocument`` (the v2.0 link object), ``…/pdfDocument/
pdfDocumentContent`` (the PDF, rendered on read as BC does) and the portal route's media streams.

REFERENCE §8.1: the link request answers one object with ``pdfDocumentContent@odata.mediaReadLink``;
the content request answers the bytes with ``Content-Type: application/pdf``.  A draft credit
memo has no PDF (§8.1, ``UnpostedSalesCreditMemoErr``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response

from gateway.sandbox.errors import JSON_MEDIA_TYPE, SandboxError, not_found_segment
from gateway.sandbox.odata.engine import Joiner
from gateway.sandbox.odata.serialize import dumps
from gateway.sandbox.reports import credit_memo_pdf, invoice_pdf, statement_pdf
from gateway.sandbox.requestlog import RequestRecord
from gateway.sandbox.resolve import Resolver, Segment, Target
from gateway.sandbox.store import PORTAL_ROUTE, STANDARD_ROUTE, Row, SandboxStore

__all__ = ["media_response"]

Renderer = Callable[[SandboxStore, str, Row], bytes]
_UNPOSTED = ("Draft", "In_x0020_Review")
UNPOSTED_CREDIT_MEMO_MESSAGE = "The pdfDocument is not supported for unposted sales credit memos."


def _credit_memo(store: SandboxStore, company_id: str, header: Row) -> bytes:
    if header.get("status") in _UNPOSTED:
        raise SandboxError(400, "Application_DialogException", UNPOSTED_CREDIT_MEMO_MESSAGE)
    return credit_memo_pdf(store, company_id, header)


@dataclass(frozen=True)
class _PdfParent:
    parent_type: str  # attachmentEntityBufferDocumentType, XML-encoded
    render: Renderer


_PDF_PARENTS: dict[str, _PdfParent] = {
    "salesInvoices": _PdfParent("Sales_x0020_Invoice", invoice_pdf),
    "salesCreditMemos": _PdfParent("Sales_x0020_Credit_x0020_Memo", _credit_memo),
    "customerContacts": _PdfParent("Customer_x0020_Statement", statement_pdf),
}
# (route, entity set, stream property) → the private row key holding the bytes.
_STREAMS: dict[tuple[str, str, str], str] = {(PORTAL_ROUTE, "deliveryDocuments", "content"): "_content"}
_PDF_HEADERS = {"OData-Version": "4.0"}


def media_response(
    request: Request,
    route: str,
    root: str,
    segments: list[Segment],
    resolver: Resolver,
    joiner: Joiner,
    record: RequestRecord,
) -> Response | None:
    """The response for a media path, or ``None`` when ``segments`` address no media."""
    names = [s.name for s in segments]
    if len(segments) >= 3 and names[-1] == "pdfDocument" and segments[-1].key is None:
        parent = _pdf_parent(route, segments[:-1], resolver, joiner, record)
        return _pdf_link(root, parent)
    if len(segments) >= 4 and names[-2:] == ["pdfDocument", "pdfDocumentContent"]:
        if segments[-1].key is not None or segments[-2].key is not None:
            raise not_found_segment(f"{names[-2]}({segments[-2].key})")
        parent = _pdf_parent(route, segments[:-2], resolver, joiner, record)
        company_id = str(parent.company_id)
        content = _PDF_PARENTS[parent.entity_set].render(resolver.store, company_id, parent.rows[0])
        return Response(content, media_type="application/pdf", headers=_PDF_HEADERS)
    if len(segments) >= 3 and segments[-1].key is None:
        private = _STREAMS.get((route, segments[-2].name, names[-1]))
        if private is not None:
            parent = resolver.resolve(segments[:-1], joiner)
            record.entity_set = parent.entity_set
            stored = parent.rows[0].get(private) if parent.single else None
            if not isinstance(stored, bytes):
                raise SandboxError(404, "Internal_RecordNotFound", "The media stream is empty.")
            return Response(stored, media_type="application/pdf", headers=_PDF_HEADERS)
    return None


def _pdf_parent(
    route: str, segments: list[Segment], resolver: Resolver, joiner: Joiner, record: RequestRecord
) -> Target:
    record.entity_set = "pdfDocument"
    if route != STANDARD_ROUTE or segments[-1].name not in _PDF_PARENTS or segments[-1].key is None:
        raise not_found_segment("pdfDocument")
    parent = resolver.resolve(segments, joiner)
    if not parent.single:
        raise not_found_segment("pdfDocument")
    return parent


def _pdf_link(root: str, parent: Target) -> Response:
    row = parent.rows[0]
    path = f"{parent.entity_path}/pdfDocument"
    body = {
        "@odata.context": f"{root}/$metadata#{path}/$entity",
        "id": row["id"],
        "parentId": row["id"],
        "parentType": _PDF_PARENTS[parent.entity_set].parent_type,
        "pdfDocumentContent@odata.mediaReadLink": f"{root}/{path}/pdfDocumentContent",
    }
    return Response(dumps(body), media_type=JSON_MEDIA_TYPE, headers=_PDF_HEADERS)
