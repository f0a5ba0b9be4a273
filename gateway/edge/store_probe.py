"""Whether the shared store answers, for ``/readyz``: at most one ping per few seconds."""

from __future__ import annotations

from collections.abc import Callable

from gateway.store import Store


class StoreProbe:
    """``reachable()`` answers from the last ping while it is younger than ``max_age_seconds``,
    so a load balancer probing every replica often costs Redis next to nothing."""

    def __init__(self, store: Store, clock: Callable[[], float], *, max_age_seconds: float = 5.0) -> None:
        self.store = store
        self._clock = clock
        self._max_age = max_age_seconds
        self._answer = False
        self._asked_at: float | None = None

    @property
    def last_answer(self) -> bool | None:
        """The last ping's answer (``None``: not asked yet), for the metrics."""
        return self._answer if self._asked_at is not None else None

    async def reachable(self) -> bool:
        now = self._clock()
        if self._asked_at is None or now - self._asked_at >= self._max_age:
            self._answer = await self.store.ping()
            self._asked_at = now
        return self._answer
