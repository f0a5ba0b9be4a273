"""The five interfaces of the shared store (see the package docstring)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from typing import Protocol


class StoreUnavailable(ConnectionError):
    """The shared store could not be reached or did not answer in time.

    A :class:`ConnectionError`, so the layers that import nothing of ``gateway`` (the BC client,
    auth) catch it by that builtin name while using the store through their own protocols.
    """


class KeyValue(Protocol):
    async def get(self, key: str) -> bytes | None:
        """The value of ``key``, or ``None`` when absent or expired."""

    async def get_many(self, keys: Sequence[str]) -> list[bytes | None]:
        """One value (or ``None``) per key, in key order, in one round trip."""

    async def put(self, key: str, value: bytes, *, ttl_seconds: float) -> None:
        """Store ``value`` under ``key`` for ``ttl_seconds``, replacing what was there."""

    async def put_many(self, values: Mapping[str, bytes], *, ttl_seconds: float) -> None:
        """``put`` each of ``values`` (key → value) for ``ttl_seconds``, in one round trip."""

    async def claim(self, key: str, value: bytes, *, ttl_seconds: float) -> bytes | None:
        """Store ``value`` only if ``key`` is absent, atomically across replicas.

        ``None`` means this call claimed the key; otherwise the value already there is returned
        and nothing changed.
        """

    async def swap(self, key: str, expected: bytes, value: bytes, *, ttl_seconds: float) -> bool:
        """Replace the value only while it is still ``expected`` (compare-and-set); ``True`` if replaced."""

    async def delete(self, key: str, *, expected: bytes | None = None) -> bool:
        """Remove ``key`` (only while its value is ``expected``, when given); ``True`` if removed."""

    async def increment(self, key: str, *, ttl_seconds: float) -> int:
        """Add one to the counter at ``key`` (absent: 0) and return the new value; the counter
        lives ``ttl_seconds`` from its last increment."""

    async def losses(self) -> str:
        """A mark that changes whenever the store may have lost a value before its time to live:
        Redis evicted a key or restarted.  The same mark twice means nothing was lost between the
        two calls (a value deleted by hand is not seen).  In process it never changes: values go
        only when they expire (a restart is a new process, which starts with nothing kept)."""


class Buckets(Protocol):
    async def take(self, key: str, cost: float, *, per_second: float, burst: float) -> float:
        """Spend ``cost`` units from ``key``'s token bucket (full when new, ``burst`` at most,
        refilled at ``per_second``).  ``0.0`` when spent; otherwise nothing is spent and the
        answer is the seconds until the bucket holds ``cost`` (``cost`` above ``burst`` is
        treated as ``burst``, so an operation dearer than the bucket can still run when it is full)."""


class Windows(Protocol):
    async def admit(self, key: str, *, limit: int, window_seconds: float) -> float:
        """Count one event in ``key``'s sliding window of ``window_seconds`` if fewer than ``limit``
        happened in it: ``0.0``; otherwise nothing is counted and the answer is the seconds until
        the oldest event leaves the window."""


class Slots(Protocol):
    async def acquire(self, pool: str, *, limit: int, lease_seconds: float) -> str | None:
        """Take one of ``limit`` slots of ``pool`` for at most ``lease_seconds``.

        Returns the slot's token, or ``None`` when ``limit`` live leases are held already.  A
        lease that is neither renewed nor released expires, and its slot comes back.
        """

    async def renew(self, pool: str, token: str, *, lease_seconds: float) -> bool:
        """Extend a held lease; ``False`` when it had expired (the slot may be someone else's now)."""

    async def release(self, pool: str, token: str) -> None:
        """Give the slot back (a no-op for an expired or unknown token)."""

    async def held(self, pool: str) -> int:
        """How many live leases ``pool`` has now."""


class Channels(Protocol):
    async def publish(self, channel: str, message: bytes) -> None:
        """Send ``message`` to every current subscriber of ``channel``, in every replica."""

    def subscribe(self, *channels: str) -> AbstractAsyncContextManager[AsyncIterator[bytes]]:
        """Messages published to ``channels`` from the moment the context is entered.

        Delivery is at most once and only while subscribed: consumers that must not miss a
        change re-read their source after (re)subscribing.
        """


class Store(Protocol):
    """All five interfaces of one backend, plus its lifecycle."""

    kv: KeyValue
    buckets: Buckets
    windows: Windows
    slots: Slots
    channels: Channels

    @property
    def replicated(self) -> bool:
        """``True`` when several gateway processes share this store (Redis)."""

    async def ping(self) -> bool:
        """Whether the store answers now (for ``/readyz``); never raises."""

    async def aclose(self) -> None: ...
