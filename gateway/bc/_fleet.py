"""BC's per-principal limits kept for the whole fleet of gateway replicas, in a shared store.

BC processes 5 requests of a principal at a time and 6,000 per 5 minutes (REFERENCE §5); each
replica's own :class:`~gateway.bc._limiter.ConcurrencyLimiter` cannot see the others.  With a
replicated store, every BC request also holds one of ``max_concurrency`` leased slots of the
principal (renewed while in flight, so a long request keeps it and a killed replica's come back
after one lease) and is counted in the principal's sliding window first.

Waiting for a slot is woken by the release notices other requests publish, with a short poll as
the fallback (a notice can be lost), never a busy loop.  When the store cannot be reached, the
replica keeps ``max_concurrency // replicas`` requests in flight on its own until the store
answers again, and the window is left to BC's 429 and the retry policy (``docs/store.md``).

The store is used through the protocols below; ``gateway.store``'s stores satisfy them
structurally, and their failures are ``ConnectionError``.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import math
from collections import deque
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Final, Protocol

from ._deadline import Deadline
from ._errors import BCTimeout
from ._resilience import Clock, ResilienceSettings
from ._settings import ClientCredentials
from ._window import wait_for_room

__all__ = ["FleetChannels", "FleetLimiter", "FleetSlots", "FleetWindows", "SharedLimits", "principal_key"]

LOGGER = logging.getLogger("gateway.bc.fleet")
_POLL_SECONDS: Final = 0.25  # the longest a waiter sleeps without a release notice
_STORE_RETRY_SECONDS: Final = 5.0  # after a store failure, how long to keep to the local fallback


class FleetSlots(Protocol):
    async def acquire(self, pool: str, *, limit: int, lease_seconds: float) -> str | None: ...
    async def renew(self, pool: str, token: str, *, lease_seconds: float) -> bool: ...
    async def release(self, pool: str, token: str) -> None: ...


class FleetWindows(Protocol):
    async def admit(self, key: str, *, limit: int, window_seconds: float) -> float: ...


class FleetChannels(Protocol):
    async def publish(self, channel: str, message: bytes) -> None: ...
    def subscribe(self, *channels: str) -> AbstractAsyncContextManager[AsyncIterator[bytes]]: ...


class SharedLimits(Protocol):
    """What the BC client needs of the shared store (``gateway.store.Store`` is one)."""

    @property
    def slots(self) -> FleetSlots: ...
    @property
    def windows(self) -> FleetWindows: ...
    @property
    def channels(self) -> FleetChannels: ...
    @property
    def replicated(self) -> bool: ...


def principal_key(environment_url: str, credentials: ClientCredentials | None) -> str:
    """A short, secret-free name of a principal: BC's limits are per app registration."""
    who = f"{credentials.token_url}|{credentials.client_id}" if credentials else environment_url
    return hashlib.sha256(who.encode()).hexdigest()[:16]


class _ReleaseNotices:
    """Wakes this replica's waiters when any replica gives a slot back: one waiter per notice,
    so a release sets off one attempt per replica, not a stampede on the store.

    One subscription per client, opened on first need and again after the store failed (then
    every waiter is woken: notices may have been missed).  A waiter registers *before* it tries
    for a slot, so a release in between still wakes it.
    """

    def __init__(self, channels: FleetChannels, channel: str) -> None:
        self._channels = channels
        self._channel = channel
        self._waiters: deque[asyncio.Event] = deque()
        self._listener: asyncio.Task[None] | None = None

    def waiter(self) -> asyncio.Event:
        if self._listener is None or self._listener.done():
            self._listener = asyncio.create_task(self._listen())
        event = asyncio.Event()
        self._waiters.append(event)
        return event

    def forget(self, event: asyncio.Event) -> None:
        with contextlib.suppress(ValueError):
            self._waiters.remove(event)

    def wake_one(self) -> None:
        while self._waiters:
            event = self._waiters.popleft()
            if not event.is_set():
                event.set()
                return

    async def publish(self) -> None:
        with contextlib.suppress(ConnectionError):
            await self._channels.publish(self._channel, b"")

    async def _listen(self) -> None:
        try:
            async with self._channels.subscribe(self._channel) as notices:
                self._wake_all()  # releases may have come before the subscription did
                async for _ in notices:
                    self.wake_one()
        except ConnectionError:
            return  # waiters poll meanwhile; the next wait subscribes again

    def _wake_all(self) -> None:
        while self._waiters:
            self._waiters.popleft().set()

    async def aclose(self) -> None:
        if self._listener is not None:
            self._listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._listener


class FleetLimiter:
    """One principal's slots and window across replicas; ``turn`` wraps each BC request."""

    def __init__(self, shared: SharedLimits, principal: str, knobs: ResilienceSettings, clock: Clock) -> None:
        self.pool = f"bc:{principal}"
        self._shared = shared
        self._knobs = knobs
        self._clock = clock
        self._notices = _ReleaseNotices(shared.channels, f"bc:{principal}:released")
        self.fallback_limit = max(1, knobs.max_concurrency // knobs.replicas)
        self._fallback = asyncio.Semaphore(self.fallback_limit)
        self._local_until = -math.inf  # on the local fallback until then (the clock's time)

    @asynccontextmanager
    async def turn(self, deadline: Deadline) -> AsyncIterator[None]:
        """Hold a fleet slot for the body, after the principal's window admitted one request."""
        token = await self._shared_slot(deadline) if self._clock.now() >= self._local_until else None
        if token is None:
            async with self._fallback_slot(deadline):
                yield
            return
        keeper = asyncio.create_task(self._keep(token))
        try:
            await self._admit(deadline)
            yield
        finally:
            keeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await keeper
            await self._release(token)

    async def _shared_slot(self, deadline: Deadline) -> str | None:
        """A lease token, or ``None`` when the store failed (then the local fallback applies)."""
        knobs = self._knobs
        try:
            while True:
                notice = self._notices.waiter()
                try:
                    token = await self._shared.slots.acquire(
                        self.pool, limit=knobs.max_concurrency, lease_seconds=knobs.slot_lease_seconds
                    )
                    if token is not None:
                        if notice.is_set():
                            self._notices.wake_one()  # a release came meanwhile: not ours to use
                        self._recovered()
                        return token
                    remaining = deadline.remaining()
                    if remaining <= 0:
                        raise BCTimeout("no turn to call Business Central before the operation's deadline")
                    with contextlib.suppress(TimeoutError):
                        async with asyncio.timeout(min(_POLL_SECONDS, remaining)):
                            await notice.wait()
                finally:
                    self._notices.forget(notice)
        except ConnectionError:
            self._degraded()
            return None

    @asynccontextmanager
    async def _fallback_slot(self, deadline: Deadline) -> AsyncIterator[None]:
        try:
            async with asyncio.timeout(deadline.remaining()):
                await self._fallback.acquire()
        except TimeoutError:
            raise BCTimeout("no turn to call Business Central before the operation's deadline") from None
        try:
            yield
        finally:
            self._fallback.release()

    async def _admit(self, deadline: Deadline) -> None:
        """Count the request in BC's window, waiting for room while the deadline allows."""
        await wait_for_room(self._count, deadline, self._clock)

    async def _count(self) -> float:
        knobs = self._knobs
        try:
            return await self._shared.windows.admit(
                self.pool, limit=knobs.window_requests, window_seconds=knobs.window_seconds
            )
        except ConnectionError:
            return 0.0  # unknowable now: BC's own 429 and the retry policy still apply

    async def _keep(self, token: str) -> None:
        """Renew the lease while the request runs.  Real time: leases run on the store's clock."""
        lease = self._knobs.slot_lease_seconds
        while True:
            await asyncio.sleep(lease / 3)
            try:
                if not await self._shared.slots.renew(self.pool, token, lease_seconds=lease):
                    LOGGER.warning("bc_slot_lease_lost", extra={"pool": self.pool})
                    return
            except ConnectionError:
                continue  # the lease may still be live: try again at the next beat

    async def _release(self, token: str) -> None:
        try:
            await self._shared.slots.release(self.pool, token)
        except ConnectionError:
            return  # the lease expires on its own
        await self._notices.publish()

    def _degraded(self) -> None:
        if self._local_until == -math.inf:
            LOGGER.warning(
                "bc_fleet_limit_local",
                extra={"fallback_limit": self.fallback_limit, "reason": "shared store unreachable"},
            )
        self._local_until = self._clock.now() + _STORE_RETRY_SECONDS

    def _recovered(self) -> None:
        if self._local_until != -math.inf:
            LOGGER.warning("bc_fleet_limit_shared_again", extra={"pool": self.pool})
        self._local_until = -math.inf

    async def aclose(self) -> None:
        await self._notices.aclose()
