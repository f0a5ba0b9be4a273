"""Proof of delivery and signed download links (``/documents/{token}``)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import strawberry
from strawberry.types import Info

from gateway import bc
from gateway.resolvers.context import Context
from gateway.resolvers.document_links import DocumentKind


def document_url(info: Info[Context, None], kind: DocumentKind, document_id: object) -> str | None:
    """A signed link for one of the caller's documents; ``None`` where downloads are not offered."""
    links = info.context.documents
    return links.url(kind, UUID(str(document_id))) if links is not None else None


@strawberry.type(description="A proof-of-delivery file for a shipment, e.g. the signed delivery note.")
class ProofOfDelivery:
    id: strawberry.ID
    file_name: str
    byte_size: int
    last_modified_at: datetime | None

    @strawberry.field(
        description="A short-lived signed link to the file (send the bearer token when downloading)."
    )
    def download_url(self, info: Info[Context, None]) -> str | None:
        return document_url(info, DocumentKind.DELIVERY_DOCUMENT, self.id)

    @classmethod
    def from_bc(cls, document: bc.DeliveryDocument) -> ProofOfDelivery:
        return cls(
            id=strawberry.ID(str(document.id)),
            file_name=document.file_name,
            byte_size=document.byte_size,
            last_modified_at=document.last_modified_date_time,
        )


async def proof_of_delivery(info: Info[Context, None], shipment_id: object) -> list[ProofOfDelivery]:
    """The shipment's delivery documents (portal custom API), one BC request for all shipments."""
    found = await info.context.loaders.delivery_documents_by_shipment_id.load(UUID(str(shipment_id)))
    return [ProofOfDelivery.from_bc(document) for document in found]
