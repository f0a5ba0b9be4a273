"""What the HTTP edge enforces: operation limits, batching, rate limits, persisted queries, HTTP."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from gateway.edge.limits import OperationLimits
from gateway.edge.persisted import PersistedMode
from gateway.edge.ratelimit import RateLimit


@dataclass(frozen=True)
class EdgeSettings:
    """The HTTP edge's protections; every one configurable (README's configuration table).

    ``rate_limit`` is in cost units (an operation's estimated cost, at least 1) per customer;
    ``ip_rate_limit`` counts unauthenticated requests per client address.  ``batch_limit`` 0
    turns array batching off.  ``trusted_proxies`` are the addresses (or CIDR ranges) whose
    ``X-Forwarded-For``/``X-Forwarded-Proto`` are believed.
    """

    limits: OperationLimits = field(default_factory=OperationLimits)
    batch_limit: int = 0
    rate_limit: RateLimit = field(default_factory=lambda: RateLimit(per_minute=60_000, burst=20_000))
    ip_rate_limit: RateLimit = field(default_factory=lambda: RateLimit(per_minute=60, burst=30))
    persisted_queries: PersistedMode = "apq"
    safelist_file: Path | None = None
    max_body_bytes: int = 100_000
    cors_origins: tuple[str, ...] = ()
    trusted_proxies: tuple[str, ...] = ()
    public_url: str | None = None
    get_max_age_seconds: int = 0
    # Bytes of kept responses each process holds (edge/response_cache.py); least recently used out.
    response_cache_bytes: int = 64 * 1024 * 1024
