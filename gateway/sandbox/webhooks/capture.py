"""Tell the webhooks about a change a write made: the record itself, or its document's header.

BC notifies a document's subscription when one of its lines changes ("For Document APIs, a
notification is sent for the header if a change is made to a line"), so a line's change is
recorded as an update of its header; lines have no subscriptions of their own.  The header's
``lastModifiedDateTime`` moves with it, as BC's does (what the gateway's change poller reads when
webhooks cannot reach it).

A notification's ``lastModifiedDateTime`` is the moment BC registered the change: its subscriber
to the table's database triggers takes the current time, just before the platform stamps the
record's ``SystemModifiedAt`` (codeunit 6153 "API Webhook Notification Mgt.").  The sandbox stamps
one time per write (``WriteContext.now``), so the change is registered at that time: never after
the record's own ``lastModifiedDateTime`` (real BC: at it, or a few milliseconds before).
"""

from __future__ import annotations

import datetime as dt

from gateway.sandbox.rules import WriteContext
from gateway.sandbox.store import Row
from gateway.sandbox.webhooks.feed import ChangeType
from gateway.sandbox.webhooks.resources import LINE_HEADERS


def notify(ctx: WriteContext, entity_set: str, row: Row, change: ChangeType) -> None:
    """Record ``change`` of ``row`` (of ``entity_set`` in ``ctx``'s company and route)."""
    header = LINE_HEADERS.get(entity_set)
    if header is not None:
        _stamp_header(ctx, *header, row)
    if ctx.webhooks is None:
        return
    if header is not None:
        header_set, link = header
        key = row.get(link)
        if key:
            ctx.webhooks.record(
                ctx.company_id, ctx.route, header_set, str(key), ChangeType.UPDATED, ctx.journal, _at(ctx)
            )
        return
    key_property = (
        ctx.model.entity_type_of(entity_set).key[0] if entity_set in ctx.model.entity_sets else "id"
    )
    key = row.get(key_property)
    if key:
        ctx.webhooks.record(ctx.company_id, ctx.route, entity_set, str(key), change, ctx.journal, _at(ctx))


def _stamp_header(ctx: WriteContext, header_set: str, link: str, line: Row) -> None:
    """A line's change stamps its header's ``lastModifiedDateTime``, as in BC, where the API's
    document header (the ``Sales Order Entity Buffer`` and its kin) is updated with its lines'
    totals: a poll of ``lastModifiedDateTime gt …`` sees the header change (docs/changes.md)."""
    key = str(line.get(link) or "").lower()
    header = (
        next((r for r in ctx.table(header_set) if str(r.get("id", "")).lower() == key), None) if key else None
    )
    if header is not None and "lastModifiedDateTime" in header and header["lastModifiedDateTime"] != ctx.now:
        ctx.journal.update(header, {"lastModifiedDateTime": ctx.now})


def _at(ctx: WriteContext) -> dt.datetime:
    """When the write registers its changes: the time it stamps on the rows it writes."""
    return dt.datetime.fromisoformat(ctx.now.replace("Z", "+00:00"))
