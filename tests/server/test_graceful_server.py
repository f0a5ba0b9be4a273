"""The server's shutdown, step by step on a fake clock: readiness first, the drain, then uvicorn's stop."""

from __future__ import annotations

import signal

import pytest
import uvicorn

from gateway.server._serve import GracefulServer
from tests.edge.conftest import FakeClock

pytestmark = pytest.mark.anyio


class Stopping:
    def __init__(self) -> None:
        self.calls = 0

    def __call__(self) -> None:
        self.calls += 1


async def _app(scope: object, receive: object, send: object) -> None:  # never called
    raise AssertionError


def _server(drain_seconds: float, clock: FakeClock, stopping: Stopping) -> GracefulServer:
    return GracefulServer(
        uvicorn.Config(_app), lambda: None, stopping, drain_seconds=drain_seconds, clock=clock
    )


async def test_sigterm_turns_readiness_false_and_keeps_serving_until_the_drain_ends() -> None:
    clock, stopping = FakeClock(), Stopping()
    server = _server(5.0, clock, stopping)
    server.handle_exit(signal.SIGTERM, None)
    assert stopping.calls == 1
    assert not server.should_exit
    clock.advance(4.9)
    assert await server.on_tick(1) is False
    clock.advance(0.1)
    assert await server.on_tick(2) is True
    assert server.should_exit


async def test_a_second_signal_ends_the_drain_at_once() -> None:
    clock, stopping = FakeClock(), Stopping()
    server = _server(30.0, clock, stopping)
    server.handle_exit(signal.SIGTERM, None)
    server.handle_exit(signal.SIGINT, None)
    assert server.should_exit
    assert not server.force_exit  # requests in flight still get the grace period


async def test_without_a_drain_the_server_stops_accepting_at_once() -> None:
    clock, stopping = FakeClock(), Stopping()
    server = _server(0.0, clock, stopping)
    server.handle_exit(signal.SIGTERM, None)
    assert stopping.calls == 1
    assert server.should_exit
