"""What the BC client tells an observer about each HTTP call: the seam for metrics and traces.

The client knows nothing of Prometheus or OpenTelemetry.  The app passes an object with
``call_started``; the client calls it just before each attempt is sent, adds the headers the
returned watch asks for (a trace context), and tells the watch how the attempt ended.  The audit
record (``_audit.py``) is written whether or not anything observes.  The limiter's and the
breaker's state are read when they are wanted (``BCClient.load()``), not pushed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final, Protocol

__all__ = ["NO_OBSERVER", "BCObserver", "CallEnded", "CallStarted", "CallWatch"]


@dataclass(frozen=True)
class CallStarted:
    """One attempt of one HTTP request to BC, about to be sent."""

    method: str
    route: str  # the API route's path, e.g. "api/v2.0"
    entity_set: str  # or "$batch", "$metadata"
    attempt: int  # 1 for the first attempt; more when the request is retried
    operation: str | None  # the GraphQL operation's name, when a customer's operation made it
    request_id: str | None  # the gateway request's X-Request-Id


@dataclass(frozen=True)
class CallEnded:
    """How the attempt ended: BC's status, or ``failure`` (a ``BCError`` code) without one."""

    status: int | None
    duration_seconds: float
    correlation_id: str | None
    failure: str | None = None


class CallWatch(Protocol):
    def headers(self) -> Mapping[str, str]:
        """Headers to send with the attempt (e.g. W3C ``traceparent``); never credentials."""

    def ended(self, outcome: CallEnded) -> None: ...


class BCObserver(Protocol):
    def call_started(self, call: CallStarted) -> CallWatch: ...


class _Unwatched:
    def headers(self) -> Mapping[str, str]:
        return {}

    def ended(self, outcome: CallEnded) -> None:
        return None


class _NoObserver:
    _watch: Final = _Unwatched()

    def call_started(self, call: CallStarted) -> CallWatch:
        return self._watch


NO_OBSERVER: Final[BCObserver] = _NoObserver()
