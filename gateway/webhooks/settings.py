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


@dataclass(frozen=True)
class ChangePollSettings:
    """Learning BC's changes by polling when its webhooks cannot reach the gateway (docs/changes.md).

    ``enabled``: poll (the app does so only while webhooks are off).  Every ``every_seconds`` one
    replica reads, per followed entity set, the records whose ``lastModifiedDateTime`` is later
    than its watermark less ``overlap_seconds`` (transactions commit out of order: a record may
    appear a little older than the newest already seen); more than ``limit`` at once are resynced
    as a whole, like BC's ``collection``.  Every ``roll_call_every`` polls it also reads every sales
    order's id, which finds the ones deleted since (polling cannot see a deletion otherwise)."""

    enabled: bool = False
    every_seconds: float = 5.0
    overlap_seconds: float = 30.0
    limit: int = 1000
    roll_call_every: int = 12
    # A poll that has not succeeded for this many intervals no longer covers anything.
    stale_after_polls: int = 4
    # How long one poll may take, waiting for its turn included.
    timeout_seconds: float = 10.0
    # The longest back-off after failed polls (BC's 429, 5xx, not answering).
    max_backoff_seconds: float = 60.0

    def __post_init__(self) -> None:
        if not 0 < self.every_seconds <= 3600 or self.overlap_seconds < 0 or self.limit < 1:
            raise ValueError("the poll interval must be positive, the overlap not negative, the limit ≥ 1")
        if self.roll_call_every < 1 or self.stale_after_polls < 1:
            raise ValueError("roll_call_every and stale_after_polls must be at least 1")

    @property
    def stale_after_seconds(self) -> float:
        """How old the last successful poll may be while polling still covers its entity sets."""
        return self.stale_after_polls * self.every_seconds

    @property
    def lease_seconds(self) -> float:
        """The poller's lease, renewed at every interval: a replica that stops renewing it is
        replaced after this long."""
        return max(30.0, 3 * self.every_seconds)
