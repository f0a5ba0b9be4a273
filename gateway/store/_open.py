"""Which store a gateway uses: Redis when a URL is configured, else the in-process one."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Final
from urllib.parse import urlsplit

from redis.asyncio import BlockingConnectionPool, Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

from ._interfaces import Store
from ._memory import MemoryStore
from ._redis import RedisStore

__all__ = ["REDIS_SCHEMES", "StoreSettings", "open_store"]

REDIS_SCHEMES: Final = ("redis", "rediss", "unix")
_MAX_CONNECTIONS: Final = 64  # per replica; each subscription holds one while it lasts


@dataclass(frozen=True)
class StoreSettings:
    """``url``: ``redis://``, ``rediss://`` (TLS) or ``unix://``; ``None``: one process only.

    ``prefix`` starts every key, so deployments can share one Redis.  ``timeout_seconds`` bounds
    connecting and each answer: a Redis that does not answer costs a request that long, then
    ``StoreUnavailable``.
    """

    url: str | None = field(default=None, repr=False)  # may carry a password
    prefix: str = "bc-gateway"
    timeout_seconds: float = 1.0

    def __post_init__(self) -> None:
        if self.url is not None and urlsplit(self.url).scheme not in REDIS_SCHEMES:
            raise ValueError("the store URL must start with redis://, rediss:// or unix://")
        if not self.prefix or any(c.isspace() for c in self.prefix):
            raise ValueError("the key prefix must be a non-empty word without spaces")
        if not self.timeout_seconds > 0:
            raise ValueError("timeout_seconds must be positive")


def open_store(settings: StoreSettings, *, clock: Callable[[], float] = time.monotonic) -> Store:
    """The store ``settings`` name; connecting happens on first use, so this never fails on I/O.

    ``clock`` is the in-process store's (Redis reads its own).
    """
    if settings.url is None:
        return MemoryStore(clock=clock)
    tcp = urlsplit(settings.url).scheme != "unix"
    # A burst waits (up to the timeout) for one of a bounded number of connections, rather than
    # failing at once as redis-py's default pool does past its limit.
    pool = BlockingConnectionPool.from_url(
        settings.url,
        max_connections=_MAX_CONNECTIONS,
        timeout=settings.timeout_seconds,
        # No socket_timeout: RedisStore puts its own deadline on each command (see Boundary).
        socket_connect_timeout=settings.timeout_seconds,
        # A subscription's connection may stay silent for long: TCP keepalive notices a dead peer.
        **({"socket_keepalive": True} if tcp else {}),
        # One immediate retry replaces a pooled connection Redis closed (a restart); more would
        # only multiply the wait while Redis is down.
        retry=Retry(NoBackoff(), 1),
    )
    return RedisStore(Redis.from_pool(pool), prefix=settings.prefix, timeout_seconds=settings.timeout_seconds)
