"""Media streams: the few binary resources the portal downloads (PDFs, proof-of-delivery files).

A stream's URL is built from a fixed :class:`MediaStream` and a GUID key only, so nothing a caller
supplies can make the client fetch any other BC path.  REFERENCE §8.1: the v2.0 PDF of a document
is ``{set}({id})/pdfDocument/pdfDocumentContent``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final
from uuid import UUID

import httpx

from ._errors import BCProtocolError
from ._settings import PORTAL_API, STANDARD_API, ApiRoute

__all__ = [
    "CREDIT_MEMO_PDF",
    "DELIVERY_DOCUMENT_CONTENT",
    "INVOICE_PDF",
    "STATEMENT_PDF",
    "Media",
    "MediaStream",
    "read_media",
]

MAX_MEDIA_BYTES: Final = 50 * 1024 * 1024  # no report BC renders for one document comes near this


@dataclass(frozen=True)
class MediaStream:
    """One kind of binary resource: ``{route}/companies({company})/{entity_set}({key})/{path}``."""

    route: ApiRoute
    entity_set: str
    path: tuple[str, ...]

    def url(self, route_url: str, company_id: UUID, key: UUID) -> str:
        if not isinstance(company_id, UUID) or not isinstance(key, UUID):
            raise TypeError("media streams are addressed by GUIDs only")
        return f"{route_url}/companies({company_id})/{self.entity_set}({key})/{'/'.join(self.path)}"


INVOICE_PDF: Final = MediaStream(STANDARD_API, "salesInvoices", ("pdfDocument", "pdfDocumentContent"))
CREDIT_MEMO_PDF: Final = MediaStream(STANDARD_API, "salesCreditMemos", ("pdfDocument", "pdfDocumentContent"))
STATEMENT_PDF: Final = MediaStream(STANDARD_API, "customerContacts", ("pdfDocument", "pdfDocumentContent"))
DELIVERY_DOCUMENT_CONTENT: Final = MediaStream(PORTAL_API, "deliveryDocuments", ("content",))


@dataclass(frozen=True)
class Media:
    content: bytes
    content_type: str


def read_media(response: httpx.Response) -> tuple[Media, int | None]:
    content = response.content
    if len(content) > MAX_MEDIA_BYTES:
        raise BCProtocolError("Business Central sent a media stream larger than the gateway accepts")
    content_type = response.headers.get("content-type", "application/octet-stream").split(";")[0].strip()
    return Media(content, content_type or "application/octet-stream"), None
