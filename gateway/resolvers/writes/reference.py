"""The reference the gateway writes into every order it creates, so a retry can find it in BC.

A comment line ``Portal order ref PRT-<ref>`` is the first line of the deep insert: it is created
atomically with the order, needs no custom field, survives a gateway restart, and BC copies it
to the posted shipment and invoice.  ``<ref>`` is derived from company, customer and
idempotency key, so every gateway instance computes the same one.
"""

from __future__ import annotations

import base64
import hashlib
from uuid import UUID

REFERENCE_PREFIX = "Portal order ref PRT-"
_LENGTH = 16  # 80 bits of SHA-256: a collision between two keys of one customer is not a concern


def portal_reference(company_id: UUID, customer_number: str, idempotency_key: str) -> str:
    digest = hashlib.sha256(f"{company_id}|{customer_number}|{idempotency_key}".encode()).digest()
    return "PRT-" + base64.b32encode(digest).decode("ascii")[:_LENGTH]


def reference_line(reference: str) -> dict[str, str]:
    """The comment line that carries ``reference`` (``PRT-…``)."""
    return {"lineType": "Comment", "description": f"Portal order ref {reference}"}


def is_reference_text(description: str | None) -> bool:
    return bool(description) and str(description).startswith(REFERENCE_PREFIX)
