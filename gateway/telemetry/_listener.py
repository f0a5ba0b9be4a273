"""The metrics on a port of their own: prometheus-client's HTTP server, in a thread.

For ``GATEWAY_METRICS_PORT``: unauthenticated, on a network only Prometheus reaches.  A thread
(not the event loop) serves it, so a scrape is answered even while the loop is busy.
"""

from __future__ import annotations

import threading
from wsgiref.simple_server import WSGIServer

from prometheus_client import start_http_server

from ._metrics import Metrics

__all__ = ["MetricsListener"]


class MetricsListener:
    """The metrics on a port of their own, served from a thread until :meth:`close`."""

    def __init__(self, server: WSGIServer, thread: threading.Thread) -> None:
        self._server = server
        self._thread = thread

    @classmethod
    def start(cls, metrics: Metrics, host: str, port: int) -> MetricsListener:
        """Raises ``OSError`` when ``host``:``port`` cannot be listened on."""
        server, thread = start_http_server(port, addr=host, registry=metrics.registry)
        return cls(server, thread)

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
