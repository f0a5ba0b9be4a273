"""GraphQL subscriptions over WebSocket (``graphql-transport-ws``) on ``/graphql``: docs/subscriptions.md.

- ``protocol``: the protocol's messages and close codes.
- ``connection``: one socket — handshake checks, ``connection_init`` and the token, pings, the
  token's expiry and its refresh, ``subscribe``/``complete``.
- ``operation``: one subscription, executed per event with the Context of that event.
- ``feed``: one subscription's changes; ``hub``: this replica's subscriptions and the store
  channels they hear BC's changes on; ``changes``: what a BC change means to whom.
- ``quota``: the customer's limits, on the shared store; ``settings``, ``service``.
"""

from __future__ import annotations

from .connection import LiveConnection
from .hub import LiveHub
from .quota import LiveQuota
from .service import Live, LiveStats
from .settings import LiveSettings

__all__ = ["Live", "LiveConnection", "LiveHub", "LiveQuota", "LiveSettings", "LiveStats"]
