"""What a customer query may be about: one ownership check per kind of related document.

A query may name a document by kind and number.  Before anything is written, that document is
read the way the portal's own read API reads it — scoped to the caller, posted documents only —
and the query is refused when it is not found: another customer's document and one that does
not exist look the same.  BC's table relation on the portal API checks existence at most, never
whose document it is, so it is no check here.

``OWNERSHIP`` is the one list of kinds: the accepted kinds are its keys, and a kind without an
entry is refused, never trusted (``tests/edge/test_query_related_documents.py`` walks the
schema's enum of kinds through it).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from types import MappingProxyType

from gateway.bc import QueryDocumentType
from gateway.resolvers.context import Context
from gateway.resolvers.credit_memos import get_credit_memo
from gateway.resolvers.invoices import get_invoice
from gateway.resolvers.orders import get_order
from gateway.resolvers.shipments import get_shipment

# The caller's document of that kind with that number, or None.
OwnedDocument = Callable[[Context, str], Awaitable[object | None]]

OWNERSHIP: Mapping[QueryDocumentType, OwnedDocument] = MappingProxyType(
    {
        # Open, or completed and rebuilt from its posted documents: whatever `order(number)` shows.
        QueryDocumentType.SALES_ORDER: get_order,
        QueryDocumentType.SALES_SHIPMENT: get_shipment,
        QueryDocumentType.SALES_INVOICE: get_invoice,
        QueryDocumentType.SALES_CREDIT_MEMO: get_credit_memo,
    }
)


async def is_callers(ctx: Context, kind: QueryDocumentType, number: str) -> bool:
    """Whether the caller has a document of ``kind`` numbered ``number`` (1 to 20 characters)."""
    owned = OWNERSHIP.get(kind)
    return owned is not None and await owned(ctx, number) is not None
