"""Idempotency keys: one write per key, the same answer for every retry with that key.

The key store is an interface (:class:`KeyStore`) with one implementation, :class:`SharedKeyStore`,
on the shared store's ``KeyValue`` and ``Channels``: in process on ``MemoryStore``, across
replicas on Redis — the same code.  It is the fast path and the way concurrent duplicates find
each other, in one process or in many; it is not what makes a retry after a lost answer, a restart
or a dead replica safe — that is the reference the gateway writes into the document itself
(``docs/writes.md``).  The same store holds the claims on customer-query content that make
identical queries sent at once with different keys take turns (``writes.guard.once_per_content``).

A key in progress is a *lease*: the claim lives ``lease_seconds`` and is renewed while its write
runs, so when a replica dies mid-write the key comes free after one lease, and the next request
with it looks the write up in BC before it could write again.  A completed key holds the result,
encoded by a :class:`Codec`, for at least 24 hours.  Waiters are woken by a message on the
store's channels when a key settles, and re-read the key at least every ``poll_seconds`` (a
message can be lost, and an expired lease sends none).

A store that cannot be reached raises :class:`~gateway.store.StoreUnavailable` from ``reserve``:
the caller refuses the write rather than risk a duplicate.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final, Generic, Literal, Protocol, TypeVar

from gateway.resolvers.settle_notices import SettleNotices
from gateway.store import Channels, KeyValue, MemoryStore, StoreUnavailable

R = TypeVar("R")

LOGGER = logging.getLogger("gateway.writes.keys")
DEFAULT_TTL_SECONDS: Final = 24 * 3600.0
DEFAULT_LEASE_SECONDS: Final = 15.0
SETTLED_CHANNEL: Final = "idempotency:settled"
_RECORD_VERSION: Final = 1
ReservationState = Literal["new", "in_progress", "completed", "mismatch"]


@dataclass(frozen=True)
class Reservation(Generic[R]):
    """What ``reserve`` found: ``new`` (the caller owns the key now), ``in_progress`` (another
    request owns it), ``completed`` (``result`` is the answer to replay) or ``mismatch`` (the key
    was used for a different payload)."""

    state: ReservationState
    result: R | None = None


class KeyStore(Protocol[R]):
    async def reserve(self, key: str, fingerprint: str) -> Reservation[R]: ...

    async def complete(self, key: str, result: R) -> None: ...

    async def release(self, key: str) -> None:
        """Forget a reservation after a definite failure: the same payload may be sent again."""

    async def wait(self, key: str, timeout_seconds: float) -> None:
        """Return when ``key`` stops being in progress, or after ``timeout_seconds``."""


class Codec(Protocol[R]):
    def encode(self, value: R) -> bytes: ...

    def decode(self, data: bytes) -> R:
        """The value, or ``ValueError`` for data this version cannot read."""


@dataclass(frozen=True)
class _Record:
    """A key as stored: in progress (held by ``holder``) or completed (with ``result``)."""

    fingerprint: str
    holder: str | None = None
    result: str | None = None  # the codec's bytes, as text

    @property
    def completed(self) -> bool:
        return self.holder is None

    def encode(self) -> bytes:
        body = {"v": _RECORD_VERSION, "fingerprint": self.fingerprint}
        body |= {"holder": self.holder} if self.holder is not None else {"result": self.result}
        return json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()

    @classmethod
    def decode(cls, data: bytes) -> _Record | None:
        """The record, or ``None`` when it was written by a version this one cannot read."""
        try:
            body = json.loads(data)
            if body["v"] != _RECORD_VERSION or not isinstance(body["fingerprint"], str):
                return None
            holder, result = body.get("holder"), body.get("result")
        except (ValueError, TypeError, KeyError):
            return None
        if isinstance(holder, str) and result is None:
            return cls(body["fingerprint"], holder=holder)
        if holder is None and isinstance(result, str):
            return cls(body["fingerprint"], result=result)
        return None


@dataclass
class _Held:
    """A key this process holds: the exact record it claimed, and the task renewing its lease."""

    record: bytes
    fingerprint: str
    keeper: asyncio.Task[None]


class SharedKeyStore(Generic[R]):
    """Idempotency keys in a shared store's ``kv``, settle notices on its ``channels``.

    ``ttl_seconds`` (at least 24 hours) is how long a completed key replays its result;
    ``lease_seconds`` how long an in-progress key outlives the process that holds it.
    """

    def __init__(
        self,
        kv: KeyValue,
        channels: Channels,
        codec: Codec[R],
        *,
        ttl_seconds: float = DEFAULT_TTL_SECONDS,
        lease_seconds: float = DEFAULT_LEASE_SECONDS,
        poll_seconds: float | None = None,
        new_holder: Callable[[], str] = lambda: secrets.token_hex(12),
    ) -> None:
        if ttl_seconds < DEFAULT_TTL_SECONDS:
            raise ValueError("idempotency keys must be kept at least 24 hours")
        if not lease_seconds > 0:
            raise ValueError("lease_seconds must be positive")
        self._kv = kv
        self._codec = codec
        self._ttl = ttl_seconds
        self._lease = lease_seconds
        # An expired lease sends no notice: waiters look again at least this often.
        self._poll = poll_seconds if poll_seconds is not None else min(1.0, lease_seconds / 4)
        self._new_holder = new_holder
        self._held: dict[str, _Held] = {}
        self._notices = SettleNotices(channels, SETTLED_CHANNEL)

    @classmethod
    def in_process(
        cls, codec: Codec[R], *, lease_seconds: float = DEFAULT_LEASE_SECONDS
    ) -> SharedKeyStore[R]:
        """A store for this process alone (on a ``MemoryStore`` of its own)."""
        store = MemoryStore()
        return cls(store.kv, store.channels, codec, lease_seconds=lease_seconds)

    async def reserve(self, key: str, fingerprint: str) -> Reservation[R]:
        name = _name(key)
        claim = _Record(fingerprint, holder=self._new_holder()).encode()
        present = await self._kv.claim(name, claim, ttl_seconds=self._lease)
        if present is None:
            self._hold(name, claim, fingerprint)
            return Reservation("new")
        record = _Record.decode(present)
        if record is None:
            # A record of another version may be a write in progress: never write past it.
            return Reservation("in_progress")
        if record.fingerprint != fingerprint:
            return Reservation("mismatch")
        if not record.completed:
            return Reservation("in_progress")
        result = self._result(record)
        if result is not None:
            return Reservation("completed", result[0])
        # Completed, but its result is not readable by this version: take the key over; the
        # write path finds the document in BC (by its reference) before it could write again.
        if await self._kv.swap(name, present, claim, ttl_seconds=self._lease):
            self._hold(name, claim, fingerprint)
            return Reservation("new")
        return Reservation("in_progress")

    async def complete(self, key: str, result: R) -> None:
        name = _name(key)
        held = await self._let_go(name)
        if held is None:
            return
        done = _Record(held.fingerprint, result=self._codec.encode(result).decode())
        if not await self._kv.swap(name, held.record, done.encode(), ttl_seconds=self._ttl):
            # The lease ran out and another request took the key over: it found (or will find)
            # this write in BC by its reference, so nothing is written twice.
            LOGGER.warning("idempotency_lease_lost", extra={"key_hash": name})
        await self._notices.publish(name)

    async def release(self, key: str) -> None:
        name = _name(key)
        held = await self._let_go(name)
        if held is None:
            return
        await self._kv.delete(name, expected=held.record)
        await self._notices.publish(name)

    async def wait(self, key: str, timeout_seconds: float) -> None:
        name = _name(key)
        loop = asyncio.get_running_loop()
        give_up = loop.time() + timeout_seconds
        while True:
            notice = self._notices.waiter(name)
            try:
                if not await self._in_progress(name):
                    return
                remaining = give_up - loop.time()
                if remaining <= 0:
                    return
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(min(self._poll, remaining)):
                        await notice.wait()
            finally:
                self._notices.forget(name, notice)

    async def aclose(self) -> None:
        """Stop renewing leases and listening (the keys this process holds then expire)."""
        for held in self._held.values():
            held.keeper.cancel()
        self._held.clear()
        await self._notices.aclose()

    async def _in_progress(self, name: str) -> bool:
        present = await self._kv.get(name)
        if present is None:
            return False
        record = _Record.decode(present)
        return record is None or not record.completed  # unreadable: as ``reserve`` sees it

    def _result(self, record: _Record) -> tuple[R] | None:
        if record.result is None:
            return None
        try:
            return (self._codec.decode(record.result.encode()),)
        except ValueError:
            LOGGER.warning("idempotency_result_unreadable")
            return None

    def _hold(self, name: str, record: bytes, fingerprint: str) -> None:
        self._held[name] = _Held(record, fingerprint, asyncio.create_task(self._keep(name, record)))

    async def _let_go(self, name: str) -> _Held | None:
        held = self._held.pop(name, None)
        if held is not None:
            held.keeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await held.keeper
        return held

    async def _keep(self, name: str, record: bytes) -> None:
        """Renew the lease every third of it while the write runs (real time: the store keeps the
        lease on its own clock)."""
        while True:
            await asyncio.sleep(self._lease / 3)
            try:
                if not await self._kv.swap(name, record, record, ttl_seconds=self._lease):
                    LOGGER.warning("idempotency_lease_lost", extra={"key_hash": name})
                    return
            except StoreUnavailable:
                continue  # the lease may still be live: try again at the next beat


def _name(key: str) -> str:
    """The store's name for a key: fixed length, and no customer data in it."""
    return "idempotency:" + hashlib.sha256(key.encode()).hexdigest()
