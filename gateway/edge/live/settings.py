"""What GraphQL subscriptions over WebSocket allow (README's configuration table, docs/subscriptions.md)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class LiveSettings:
    """``enabled``: ``/graphql`` speaks ``graphql-transport-ws``; otherwise a WebSocket is refused.
    A customer may hold ``max_connections`` sockets and run ``max_operations`` subscriptions at
    once (all replicas together, with Redis).  The server pings every ``ping_seconds`` and closes
    a socket whose client has not answered by the next ping; a socket must send
    ``connection_init`` within ``init_seconds``."""

    enabled: bool = True
    max_connections: int = 10
    max_operations: int = 50
    ping_seconds: float = 30.0
    init_seconds: float = 10.0
    # Changes waiting for one subscription; beyond, the oldest are dropped (a stalled client).
    queue_size: int = 100

    def __post_init__(self) -> None:
        if min(self.max_connections, self.max_operations, self.queue_size) < 1:
            raise ValueError("connection, operation and queue limits must be at least 1")
        if self.ping_seconds <= 0 or self.init_seconds <= 0:
            raise ValueError("the ping interval and the connection_init timeout must be positive")

    @property
    def lease_seconds(self) -> float:
        """How long a connection's or subscription's place in the customer's limit outlives a
        replica that died holding it (renewed at every ping)."""
        return 3 * self.ping_seconds
