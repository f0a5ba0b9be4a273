"""The reference the gateway writes into every order it creates, so a retry can find it in BC.

A comment line ``Portal order ref PRT-<ref>`` is the first line of the deep insert: it is created
atomically with the order, needs no custom field, survives a gateway restart, and BC copies it
to the posted shipment and invoice.  ``<ref>`` is derived from company, customer and
idempotency key, so every gateway instance computes the same one.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterable
from typing import Any, Protocol, TypeVar
from uuid import UUID

from gateway import bc

REFERENCE_PREFIX = "Portal order ref PRT-"
_LENGTH = 16  # 80 bits of SHA-256: a collision between two keys of one customer is not a concern


class _Line(Protocol):
    @property
    def line_object_number(self) -> str | None: ...

    @property
    def description(self) -> str | None: ...


L = TypeVar("L", bound=_Line)


def portal_reference(company_id: UUID, customer_number: str, idempotency_key: str) -> str:
    digest = hashlib.sha256(f"{company_id}|{customer_number}|{idempotency_key}".encode()).digest()
    return "PRT-" + base64.b32encode(digest).decode("ascii")[:_LENGTH]


def reference_line(reference: str) -> dict[str, Any]:
    """The comment line that carries ``reference`` (``PRT-…``), as a ``salesOrderLines`` body."""
    return bc.body(
        bc.SalesOrderLine, line_type=bc.InvoiceLineType.COMMENT, description=f"Portal order ref {reference}"
    )


def is_reference_text(description: str | None) -> bool:
    return bool(description) and str(description).startswith(REFERENCE_PREFIX)


def customer_lines(lines: Iterable[L] | None) -> list[L]:
    """The lines a customer is shown: all but the reference comment, which is the gateway's
    bookkeeping (on the order, and on the shipments, invoices and credit memos BC copies it to).
    The recovery look-up reads BC's rows itself, so hiding it here costs it nothing."""
    return [
        line for line in lines or () if line.line_object_number or not is_reference_text(line.description)
    ]
