"""GraphQL subscriptions on one replica, as ``create_app`` opens them in the lifespan."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from graphql import GraphQLSchema

from gateway.edge.live.hub import LiveHub
from gateway.edge.live.quota import LiveQuota
from gateway.edge.live.settings import LiveSettings


@dataclass
class LiveStats:
    """Counters for ``/readyz`` and tests."""

    connections_open: int = 0
    refused_handshakes: int = 0  # wrong origin or subprotocol
    refused_tokens: int = 0  # connection_init or refresh without a valid token
    refreshed: int = 0  # tokens replaced by a ping
    events_sent: int = 0  # `next` messages


@dataclass(frozen=True)
class Live:
    """What every socket shares: the hub, the limits, the schema, and time (injected: tests move
    ``clock``/``token_clock`` and make ``sleep`` wait for them)."""

    settings: LiveSettings
    hub: LiveHub
    quota: LiveQuota
    schema: GraphQLSchema
    clock: Callable[[], float]
    token_clock: Callable[[], float]
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
    leeway_seconds: float = 0.0  # the clock skew tokens are allowed (AUTH_LEEWAY_SECONDS)
    stats: LiveStats = field(default_factory=LiveStats)
