"""What a BC change means to the customer who owns the record (and to nobody else).

The event carries its owner (``gateway/webhooks/owners.py``); without one — a record deleted
before the gateway ever saw it, or BC not answering — nothing is delivered: guessing would mean
reading the record for every subscriber.  A ``collection`` (``ResourceResync``: more than 1,000
changes at once) names no records, so it is not delivered either; the answer cache forgets the
whole entity set instead (docs/subscriptions.md).
"""

from __future__ import annotations

import uuid

from gateway.resolvers.live import DocumentPosted, ItemMoved, LiveChange, OrderMoved, PostedKind, QueryMoved
from gateway.webhooks import ChangeType, RecordChanged

ANYONE = None  # a change every customer of the company may hear (a catalogue item)

_POSTED = {kind.value: kind for kind in PostedKind}


def customer_changes(event: RecordChanged) -> list[tuple[str | None, LiveChange]]:
    """``(customer number, change)`` pairs; ``ANYONE`` for a change of the shared catalogue."""
    owner = event.owner
    if owner is None:
        return []
    customer, number = owner.customer_number, owner.number
    if event.entity_set == "items":
        return [(ANYONE, ItemMoved(number))] if number is not None else []
    if customer is None:
        return []
    if event.entity_set == "salesOrders":
        # No number: learned from a kept answer that did not select it; nothing to tell by.
        return [(customer, OrderMoved(number))] if number is not None else []
    if event.entity_set == "customerQueries" and event.change_type is not ChangeType.DELETED:
        return [(customer, QueryMoved(uuid.UUID(event.record_id)))]
    kind = _POSTED.get(event.entity_set)
    if kind is None or number is None or event.change_type is not ChangeType.CREATED:
        return []  # a payment changes an invoice, but nothing new was posted
    changes: list[tuple[str | None, LiveChange]] = [(customer, DocumentPosted(kind, number))]
    if owner.order_number is not None:
        # A posted shipment or invoice moves its order (and may be all that is left of it: BC
        # deletes an order once it is shipped and invoiced).
        changes.append((customer, OrderMoved(owner.order_number)))
    return changes
