"""Under a real server (uvicorn), a ``reset`` fault closes the connection without any response."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator

import httpx
import pytest
import uvicorn
from starlette.applications import Starlette

from gateway.sandbox.app import create_sandbox_app, sandbox_of
from gateway.sandbox.faults import Fault
from gateway.sandbox.store import SandboxStore
from tests.sandbox.conftest import CO


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
def served(small_store: SandboxStore) -> Iterator[tuple[str, Starlette]]:
    app = create_sandbox_app(store=small_store)
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="critical", lifespan="off")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        threading.Event().wait(0.01)
    try:
        yield f"http://127.0.0.1:{port}", app
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def test_reset_drops_the_connection_without_a_response(served: tuple[str, Starlette]) -> None:
    base, app = served
    with httpx.Client(base_url=base) as client:
        token = sandbox_of(app).tokens.issue("sandbox-client")
        client.headers["Authorization"] = f"Bearer {token}"
        sandbox_of(app).faults.set([Fault("reset", times=1)])
        with pytest.raises(httpx.TransportError):
            client.get(f"{CO}/customers")
        assert client.get(f"{CO}/customers").status_code == 200
