"""Shared state: everything that must be one across replicas, behind five small interfaces.

A gateway replica keeps nothing between requests except through a :class:`Store`.  Two
implementations: :class:`MemoryStore` (one process, the default, no setup) and a Redis one
(``GATEWAY_REDIS_URL``) for a fleet.  Each consumer depends on the smallest interface it needs:

- :class:`KeyValue` — bytes with a time to live; an atomic ``claim`` (set if absent) and
  compare-and-set (``swap``, ``delete(expected=)``) for idempotency keys and leases; counters for
  cache generations.
- :class:`Buckets` — token buckets (rate limits), atomic per key.
- :class:`Windows` — sliding-window counters (BC's 6,000 requests per 5 minutes).
- :class:`Slots` — a counting semaphore whose slots are leases, so a dead replica's slots come back
  (BC's 5 requests at a time per service principal).
- :class:`Channels` — publish/subscribe (cache invalidation, webhook events).

Values are ``bytes`` in every implementation, so what works in process also survives Redis.
A store that cannot be reached raises :class:`StoreUnavailable`; what each consumer does then is
its own decision (``docs/store.md``).  This package imports nothing else of ``gateway``: the BC
client and the auth layer depend on these interfaces structurally, through their own protocols.
"""

from __future__ import annotations

from ._interfaces import Buckets, Channels, KeyValue, Slots, Store, StoreUnavailable, Windows
from ._memory import MemoryStore

__all__ = [
    "Buckets",
    "Channels",
    "KeyValue",
    "MemoryStore",
    "Slots",
    "Store",
    "StoreUnavailable",
    "Windows",
]
