"""What every Redis-backed interface shares: the error boundary and key naming."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from redis.exceptions import RedisError

from ._interfaces import StoreUnavailable

__all__ = ["Keys", "unavailable_on_error"]


@contextmanager
def unavailable_on_error(doing: str) -> Iterator[None]:
    """The boundary: a Redis error, a dropped connection or a timeout is ``StoreUnavailable``."""
    try:
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
