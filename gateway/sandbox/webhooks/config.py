"""How the sandbox's webhooks behave: BC online's numbers by default (docs/sandbox.md, "Webhooks")."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class WebhookConfig:
    """BC's documented webhook behaviour, each number adjustable (as on-premises BC allows).

    ``delay_seconds``: BC waits 30 s after the first change before it notifies (development mode
    uses a short delay).  ``max_notifications``: more changes than this pending for one
    subscription become one ``collection`` notification.  ``lifetime_seconds``: a subscription
    expires 3 days after its creation or last renewal.  ``max_subscriptions``: BC online's limit
    per environment.  The two timeouts are not documented by BC: a handshake answered later than
    ``handshake_timeout_seconds`` fails it; a notification POST unanswered after
    ``send_timeout_seconds`` counts as not delivered (and is retried).
    """

    delay_seconds: float = 30.0
    max_notifications: int = 1000
    lifetime_seconds: float = 3 * 24 * 3600.0
    max_subscriptions: int = 200
    handshake_timeout_seconds: float = 10.0
    send_timeout_seconds: float = 30.0
    # BC's retry schedule after a 408, 429, 5xx or no answer (codeunit 6154
    # "API Webhook Notification Send", GetDelayTimeForAttempt): attempt 1 and 2 wait a minute,
    # then 10, 100 and 1,000 minutes; a sixth failure deletes the subscription.
    retry_delays_seconds: tuple[float, ...] = (60.0, 60.0, 600.0, 6000.0, 60000.0)

    def __post_init__(self) -> None:
        if self.delay_seconds < 0 or self.max_notifications < 1 or self.max_subscriptions < 0:
            raise ValueError("delay_seconds ≥ 0, max_notifications ≥ 1 and max_subscriptions ≥ 0")
        if not self.retry_delays_seconds:
            raise ValueError("retry_delays_seconds needs at least one delay")
