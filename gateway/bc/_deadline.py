"""One deadline per GraphQL operation: every BC attempt and every wait fits inside it."""

from __future__ import annotations

from collections.abc import Callable

__all__ = ["Deadline"]


class Deadline:
    """``seconds`` from creation on ``now``'s clock."""

    def __init__(self, seconds: float, now: Callable[[], float]) -> None:
        self._now = now
        self._at = now() + seconds

    def remaining(self) -> float:
        return max(0.0, self._at - self._now())

    @property
    def expired(self) -> bool:
        return self.remaining() <= 0.0
