"""GraphQL subscriptions on one replica, as ``create_app`` opens them in the lifespan."""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from graphql import DocumentNode, GraphQLSchema, parse

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
    # Parsed documents by text: the gate parsed and checked each already, and subscriptions of
    # one document (every portal tab's) share one tree instead of holding a copy each.
    _documents: OrderedDict[str, DocumentNode] = field(default_factory=OrderedDict, repr=False)

    def document(self, text: str) -> DocumentNode:
        """``text`` parsed (it passed the edge's gate: it parses)."""
        found = self._documents.get(text)
        if found is None:
            found = self._documents[text] = parse(text)
            while len(self._documents) > 1000:
                self._documents.popitem(last=False)
        self._documents.move_to_end(text)
        return found
