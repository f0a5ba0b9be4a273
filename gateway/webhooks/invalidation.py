"""BC's change events forget the cached answers they make stale (issue 13, item 4).

The replica that processes a notification has already attached its owner (``owners.py``), so the
change is forgotten for that customer only — their orders, shipments, invoices, account or queries,
as ``AnswerCache.record_changed`` maps the entity set; of their answers read by key, only those of
the records the owner's numbers name (the order, a shipment's or invoice's order) — and for the
whole company where the owner is not known; and for the customer whose kept answers held a
record that moved to another (``RecordChanged.left``) as well.  Forgetting is a new generation in
the shared store: every replica's next read of that kind goes to BC, with or without Redis
pub/sub.  A ``collection`` (more changes than BC lists one by one) or a recreated subscription
forgets the set's kinds for every customer of the company: each answer is read again once, on
demand.  A notification of a record the gateway wrote itself that reports nothing after that
write (its echo, ``gateway/bc/_own_writes.py``) forgets nothing: the write did already.
"""

from __future__ import annotations

from gateway.bc import AnswerCache
from gateway.webhooks.events import ChangeType, RecordChanged, ResourceResync
from gateway.webhooks.stats import WebhookStats

# The changes that may be the echo of the gateway's own write (never a deletion).
_ECHOES = frozenset({ChangeType.CREATED, ChangeType.UPDATED})


class AnswerInvalidation:
    """A change handler and a resync hook for one replica's :class:`AnswerCache`."""

    def __init__(self, answers: AnswerCache, stats: WebhookStats) -> None:
        self._answers = answers
        self._stats = stats

    async def record_changed(self, event: RecordChanged) -> None:
        if event.change_type in _ECHOES and await self._answers.own_writes.echoes(
            event.company_id, event.entity_set, event.record_id, event.last_modified
        ):
            # The gateway's own write, whose invalidation already made these answers stale
            # (docs/webhooks.md, "The gateway's own writes"); subscribers still hear of it.
            self._stats.own_write_echo += 1
            return
        owner = event.owner
        # Its id names the shared answers read by it (an item: nobody owns it, but it is read by
        # its id); its number and its order's, where known, the customer's records it changes.
        identifiers: dict[str, str | None] = {"id": event.record_id}
        if owner is None:
            await self._answers.record_changed(
                event.company_id, event.entity_set, held=not event.unread, identifiers=identifiers
            )
            return
        identifiers |= {"number": owner.number, "orderNumber": owner.order_number}
        # The owner's answers; and, for a record that moved to them, those of the customer whose
        # kept answers held it (docs/caching.md, "A record moved to another customer").
        customers = [owner.customer_number, *([event.left.customer_number] if event.left else [])]
        for customer in customers:
            await self._answers.record_changed(
                event.company_id, event.entity_set, customer, identifiers=identifiers
            )

    async def resync(self, event: ResourceResync) -> None:
        await self._answers.record_changed(event.company_id, event.entity_set)
