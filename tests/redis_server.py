"""A real ``redis-server`` for the tests: its own process, a free port, a temporary directory.

Never a mock and never a Redis that happens to run on 6379.  Nothing is persisted.  Tests that
need Redis are skipped only on a machine without ``redis-server`` outside CI; in CI (``.ci/run``
installs it) they must run.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
import uuid
from pathlib import Path

import pytest

from gateway.store import RedisStore, StoreSettings, open_store


def require_redis_server() -> str:
    """The path of ``redis-server``, or skip (fail in CI) when it is not installed."""
    path = shutil.which("redis-server")
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("redis-server is required in CI (.ci/run installs it)")
        pytest.skip("redis-server is not installed (apt-get install redis-server; CI installs it)")
    return path


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class RedisServer:
    """One ``redis-server`` on loopback and on a Unix socket; ``stop``/``start`` keep the port."""

    def __init__(self, executable: str, directory: Path) -> None:
        self._executable = executable
        self.directory = directory
        self.port = free_port()
        self.socket = directory / "redis.sock"
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    @property
    def unix_url(self) -> str:
        return f"unix://{self.socket}"

    def start(self) -> None:
        arguments = [
            self._executable,
            "--port", str(self.port),
            "--bind", "127.0.0.1",
            "--unixsocket", str(self.socket),
            "--unixsocketperm", "700",
            "--dir", str(self.directory),
            "--save", "",
            "--appendonly", "no",
            "--daemonize", "no",
            "--loglevel", "warning",
        ]  # fmt: skip
        self._process = subprocess.Popen(arguments, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self._wait_until_answering()

    def stop(self) -> None:
        if self._process is None:
            return
        self._process.terminate()
        self._process.wait(timeout=10)
        self._process = None

    def _wait_until_answering(self, seconds: float = 10.0) -> None:
        give_up = time.monotonic() + seconds
        while time.monotonic() < give_up:
            if self._process is not None and self._process.poll() is not None:
                raise RuntimeError(f"redis-server exited with {self._process.returncode}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as connection:
                    connection.sendall(b"PING\r\n")
                    if connection.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                pass
            time.sleep(0.02)
        raise RuntimeError("redis-server did not start answering")


def redis_store(server: RedisServer, *, url: str | None = None, prefix: str | None = None) -> RedisStore:
    """A store on ``server``, by default under a prefix of its own so tests never see each
    other's keys; two stores with one ``prefix`` are two replicas of one deployment."""
    settings = StoreSettings(url or server.url, prefix=prefix or f"test-{uuid.uuid4().hex[:12]}")
    store = open_store(settings)
    assert isinstance(store, RedisStore)
    return store
