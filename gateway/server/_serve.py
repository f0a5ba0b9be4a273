"""Running uvicorn on the bound socket, and stopping it readiness first (see the package docstring)."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable
from types import FrameType
from typing import Any

import uvicorn
from starlette.types import ASGIApp

from gateway.settings import ServeSettings

from ._heap import freeze_start_up_objects


def serve(
    app: ASGIApp,
    sock: socket.socket,
    *,
    settings: ServeSettings,
    on_listening: Callable[[], None],
    on_stopping: Callable[[], None] = lambda: None,
    log_config: dict[str, Any] | None = None,
) -> None:
    """Run ``app`` on ``sock`` until SIGTERM or Ctrl+C: ``on_listening`` once it accepts connections,
    ``on_stopping`` (readiness turns false) as soon as it is asked to stop.

    ``log_config`` is the gateway's logging (``gateway.telemetry.logging_config``): uvicorn's
    records take its format, and uvicorn's access log is off — the gateway writes its own line.
    """
    tls = settings.tls
    config = uvicorn.Config(
        app,
        log_config=log_config,
        access_log=False,
        proxy_headers=False,
        timeout_graceful_shutdown=settings.grace_seconds,
        # GraphQL subscriptions send small JSON messages; permessage-deflate (which browsers
        # offer) would hold two zlib streams per idle socket, ~40 KB each (bench/live_connections.py).
        ws_per_message_deflate=False,
        ssl_context_factory=None if tls is None else (lambda _config, _default: tls),
    )
    GracefulServer(config, on_listening, on_stopping, drain_seconds=settings.drain_seconds).run(
        sockets=[sock]
    )


class GracefulServer(uvicorn.Server):
    """uvicorn's server, which on the first SIGTERM/SIGINT keeps accepting requests for
    ``drain_seconds`` after ``on_stopping`` (so load balancers see ``/readyz`` fail and move away)
    before it stops as uvicorn does: listener closed, requests in flight given the graceful timeout.
    A second signal skips what is left of the drain."""

    def __init__(
        self,
        config: uvicorn.Config,
        on_listening: Callable[[], None],
        on_stopping: Callable[[], None],
        *,
        drain_seconds: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(config)
        self._on_listening = on_listening
        self._on_stopping = on_stopping
        self._drain_seconds = drain_seconds
        self._clock = clock
        self._draining: tuple[int, float] | None = None  # the signal, and when the drain ends

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        if self.started and not self.should_exit:
            freeze_start_up_objects()  # the app's lifespan has run: what it opened stays
            self._on_listening()

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        self._on_stopping()
        if self._draining is None and self._drain_seconds > 0:
            self._draining = (sig, self._clock() + self._drain_seconds)
            return
        super().handle_exit(sig, frame)

    async def on_tick(self, counter: int) -> bool:
        if self._draining is not None and not self.should_exit:
            sig, ends = self._draining
            if self._clock() >= ends:
                super().handle_exit(sig, None)
        return await super().on_tick(counter)
