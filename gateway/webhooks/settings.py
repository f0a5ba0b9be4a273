"""What the gateway's webhook side needs to know (README's configuration table, docs/webhooks.md)."""

from __future__ import annotations

from dataclasses import dataclass, field

# A notification BC sends is a few hundred bytes; one POST carries every pending notification of
# the gateway's subscriptions, at most 1,000 per subscription before BC sends one `collection`
# instead: 7 resources of 2 companies at 1,000 entries of ~550 bytes fit in 8 MB.
MAX_BODY_BYTES = 8_000_000


@dataclass(frozen=True)
class WebhookSettings:
    """``enabled``: subscribe to BC and accept notifications.  ``notification_url``: the public
    URL BC calls (``/webhooks/bc`` on this gateway).  ``secret`` derives each subscription's
    ``clientState`` (``None``: a random one per process, development only).  Subscriptions are
    renewed ``renew_margin_seconds`` before they expire (BC gives them 3 days)."""

    enabled: bool = False
    notification_url: str | None = None
    secret: bytes | None = field(default=None, repr=False)
    renew_margin_seconds: float = 24 * 3600.0
    max_body_bytes: int = MAX_BODY_BYTES
    # Notifications accepted but not yet processed; beyond, BC is told to retry later (503).
    queue_capacity: int = 10_000
    # How long a processed notification is remembered, so a replay is recognised: BC retries for
    # up to 36 hours.
    replay_window_seconds: float = 48 * 3600.0
    # How often the subscriptions are compared with BC's list (catching ones BC deleted).
    check_every_seconds: float = 600.0
    # The manager's lease: held by one replica, renewed every third of it.
    lease_seconds: float = 60.0

    def __post_init__(self) -> None:
        if self.enabled and not self.notification_url:
            raise ValueError("webhooks need the URL Business Central should call")
        if self.renew_margin_seconds <= 0 or self.lease_seconds <= 0 or self.queue_capacity < 1:
            raise ValueError("renew margin, lease and queue capacity must be positive")
