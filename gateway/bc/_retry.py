"""Which failed BC calls are retried, and how long to wait before the next attempt.

Only reads and requests the caller declares idempotent are retried, and only on failures that
say nothing about the request itself: 429, 502, 503, 504, no connection, no answer in time.
Waits are exponential with full jitter (AWS's "full jitter"), except that a ``Retry-After`` from
BC is honoured, up to a cap, like openai-python's ``_base_client`` does.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ._errors import BCCircuitOpen, BCError, BCThrottled, BCTimeout, BCTransportError, BCUnavailable

__all__ = ["IDEMPOTENT_METHODS", "RetryPolicy"]

# RFC 9110 §9.2.2: repeating these has the effect of sending them once.
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
_RETRYABLE_STATUS = frozenset({429, 502, 503, 504})


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 4
    base_seconds: float = 0.25
    max_backoff_seconds: float = 8.0
    retry_after_cap_seconds: float = 30.0

    def should_retry(self, error: BCError, *, method: str, idempotent: bool, attempt: int) -> bool:
        """``attempt`` counts from 1: the attempt that just failed."""
        if attempt >= self.max_attempts:
            return False
        if not (idempotent or method.upper() in IDEMPOTENT_METHODS):
            return False
        return is_transient(error)

    def delay(self, error: BCError, attempt: int, random: Callable[[], float]) -> float:
        """Seconds to wait after failed attempt number ``attempt`` (from 1)."""
        retry_after = getattr(error, "retry_after", None)
        if isinstance(retry_after, float | int) and retry_after > 0:
            return min(float(retry_after), self.retry_after_cap_seconds)
        ceiling = min(self.max_backoff_seconds, self.base_seconds * 2.0 ** (attempt - 1))
        return float(random() * ceiling)


def is_transient(error: BCError) -> bool:
    """A failure worth another attempt: BC busy or briefly away, not a refusal of the request."""
    if isinstance(error, BCCircuitOpen):
        return False  # our own fast failure; retrying would only hammer a BC we know is down
    if isinstance(error, BCThrottled | BCUnavailable):
        return error.status in _RETRYABLE_STATUS
    # No status: the connection failed or BC did not answer in time (408 is BC's own verdict).
    return isinstance(error, BCTransportError | BCTimeout) and error.status is None
