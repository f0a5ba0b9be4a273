"""Binding the listening socket before anything else, or one ``ConfigError`` naming what to change."""

from __future__ import annotations

import errno
import socket

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
