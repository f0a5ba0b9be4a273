"""Serving the gateway over HTTP for ``bc-gateway serve``: bind first, then say so.

The listening socket is bound before anything else happens, so a bad address or a port in use is
one configuration line (naming the variable, or the ``--host``/``--port`` flag that overrode it)
and exit code 2, not a banner followed by uvicorn's ``[Errno …]``.  The banner is printed only
once uvicorn has started the app (its lifespan) and accepts connections on that socket.

uvicorn's own proxy-header handling is off: ``X-Forwarded-*`` are believed only from
``GATEWAY_TRUSTED_PROXIES``, by the edge (``edge/hygiene.py``) — uvicorn's default believes
127.0.0.1, which would let anything on the machine claim any client address or HTTPS.
"""

from __future__ import annotations

import errno
import socket
from collections.abc import Callable

import uvicorn
from starlette.types import ASGIApp

from gateway.settings import ConfigError


def listen(
    host: str, port: int, *, host_name: str = "GATEWAY_HOST", port_name: str = "GATEWAY_PORT"
) -> socket.socket:
    """A socket bound to ``host``:``port``, or ``ConfigError`` naming what to change."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
    except socket.gaierror as error:
        raise ConfigError(
            host_name, f"{host!r} is not an address of this machine ({error.strerror})"
        ) from None
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
    except OSError as error:
        sock.close()
        raise _bind_problem(error, host, port, host_name, port_name) from None
    sock.set_inheritable(True)
    return sock


def _bind_problem(error: OSError, host: str, port: int, host_name: str, port_name: str) -> ConfigError:
    if error.errno == errno.EADDRINUSE:
        return ConfigError(port_name, f"{port} is already in use on {host}")
    if error.errno == errno.EACCES:
        return ConfigError(
            port_name, f"{port} may not be used by this user (ports below 1024 need privileges)"
        )
    if error.errno == errno.EADDRNOTAVAIL:
        return ConfigError(host_name, f"{host!r} is not an address of this machine")
    return ConfigError(host_name, f"cannot listen on {host}:{port}: {error.strerror}")


def serve(app: ASGIApp, sock: socket.socket, *, on_listening: Callable[[], None]) -> None:
    """Run ``app`` on ``sock`` until interrupted; ``on_listening`` once it accepts connections."""
    config = uvicorn.Config(app, log_level="warning", proxy_headers=False)
    _Server(config, on_listening).run(sockets=[sock])


class _Server(uvicorn.Server):
    def __init__(self, config: uvicorn.Config, on_listening: Callable[[], None]) -> None:
        super().__init__(config)
        self._on_listening = on_listening

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        if self.started and not self.should_exit:
            self._on_listening()
