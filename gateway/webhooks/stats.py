"""Counters of the webhook side, as plain attributes (``/metrics`` reads them; docs/webhooks.md)."""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass
class WebhookStats:
    # The endpoint
    handshakes: int = 0  # validationToken echoed
    bodies_accepted: int = 0  # POSTs acknowledged (202)
    notifications_accepted: int = 0
    refused_client_state: int = 0  # notifications dropped for a wrong clientState
    refused_malformed: int = 0  # bodies refused (400)
    refused_too_large: int = 0  # bodies refused (413)
    queue_full: int = 0  # bodies BC was told to send again later (503)
    # Processing
    processed: int = 0
    replays: int = 0  # notifications already processed (here or by another replica)
    failed: int = 0
    unclaimed: int = 0  # processed without the replay check (the shared store did not answer)
    resyncs: int = 0
    events_published: int = 0
    owner_reads: int = 0  # BC reads of whose records changed (one per entity set of a body)
    owners_learned: int = 0  # owners BC could not tell (deleted records) found among kept answers' rows
    owners_unread: int = 0  # records gone from BC that no kept answer holds: nobody's answers go
    owners_unknown: int = 0  # changes published without their owner (an owner entry lost, BC down)
    owners_moved: int = 0  # records a kept answer held as another customer's: that one's answers go too
    own_write_echo: int = 0  # BC's notification of the gateway's own write: no answer forgotten again
    # The subscription manager
    subscriptions_created: int = 0
    subscriptions_renewed: int = 0
    subscriptions_recreated: int = 0
    subscriptions_deleted: int = 0
    manager_errors: int = 0
    # The change poller (when webhooks are off, docs/changes.md)
    polls: int = 0  # polls BC answered
    polls_failed: int = 0  # polls BC did not answer (429, 5xx, away): the next one backs off
    polls_deferred: int = 0  # polls put off while customers' requests waited for a turn
    polled_changes: int = 0  # changes handed on (deletions included)
    polled_collections: int = 0  # entity sets with more changes than a poll reads: resynced
    polled_deletions: int = 0  # open orders a roll call found deleted
    roll_calls: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)
