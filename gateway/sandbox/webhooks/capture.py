"""Tell the webhooks about a change a write made: the record itself, or its document's header.

BC notifies a document's subscription when one of its lines changes ("For Document APIs, a
notification is sent for the header if a change is made to a line"), so a line's change is
recorded as an update of its header; lines have no subscriptions of their own.
"""

from __future__ import annotations

from gateway.sandbox.rules import WriteContext
from gateway.sandbox.store import Row
from gateway.sandbox.webhooks.feed import ChangeType
from gateway.sandbox.webhooks.resources import LINE_HEADERS


def notify(ctx: WriteContext, entity_set: str, row: Row, change: ChangeType) -> None:
    """Record ``change`` of ``row`` (of ``entity_set`` in ``ctx``'s company and route)."""
    if ctx.webhooks is None:
        return
    header = LINE_HEADERS.get(entity_set)
    if header is not None:
        header_set, link = header
        key = row.get(link)
        if key:
            ctx.webhooks.record(
                ctx.company_id, ctx.route, header_set, str(key), ChangeType.UPDATED, ctx.journal
            )
        return
    key_property = (
        ctx.model.entity_type_of(entity_set).key[0] if entity_set in ctx.model.entity_sets else "id"
    )
    key = row.get(key_property)
    if key:
        ctx.webhooks.record(ctx.company_id, ctx.route, entity_set, str(key), change, ctx.journal)
