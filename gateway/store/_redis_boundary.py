"""What every Redis-backed interface shares: the error boundary, a deadline per command, key naming."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from redis.exceptions import RedisError

from ._interfaces import StoreUnavailable

__all__ = ["Boundary", "Keys"]


class Boundary:
    """Around every Redis command: at most ``timeout_seconds`` (``None``: no deadline, for a
    subscription's wait for the next message), and a Redis error, a dropped connection or the
    deadline become ``StoreUnavailable``.

    The deadline is ours (``asyncio.timeout``), not redis-py's ``socket_timeout``: with that set,
    redis-py 7.4 returned from a command as if nothing had happened when a cancellation landed
    inside it (21 of 40 tries), so a cancelled task — a replica shutting down — ran on.
    """

    def __init__(self, timeout_seconds: float | None) -> None:
        self.timeout_seconds = timeout_seconds

    @asynccontextmanager
    async def __call__(self, doing: str) -> AsyncIterator[None]:
        try:
            async with asyncio.timeout(self.timeout_seconds):
                yield
        except StoreUnavailable:
            raise
        except (RedisError, OSError) as exc:  # OSError: refused connections, and TimeoutError
            raise StoreUnavailable(f"the shared store (Redis) failed to {doing}") from exc


class Keys:
    """``{prefix}:{kind}:{name}``: one namespace per deployment and per interface."""

    def __init__(self, prefix: str, kind: str) -> None:
        self._head = f"{prefix}:{kind}:"

    def __call__(self, name: str) -> str:
        return self._head + name
