"""The BC sandbox in its own process, so a benchmark measures the gateway's CPU alone.

``python bench/sandbox_process.py --port 8100`` serves the sandbox as ``bc-gateway sandbox`` does,
with two differences benchmarks need, so that BC is never what limits a figure about the gateway:

- BC's rate window (6,000 requests per 5 minutes per principal) is lifted, so a minute of load
  measures the gateway instead of BC's 429s;
- a read the sandbox has answered once is answered again from memory (:class:`MemoisedReads`):
  evaluating OData over its tables costs the sandbox more CPU than the gateway spends, and both
  share this machine's two cores.  A memoised answer still waits for one of BC's 5 processing
  slots and for the latency fault in force, as the first one did.

:class:`SandboxProcess` starts it on a free port, sets its latency through the control endpoint
(``PUT /_sandbox/faults``) and stops it.
"""

from __future__ import annotations

import argparse
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

import httpx
from starlette.types import ASGIApp, Message, Receive, Scope, Send

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from gateway.sandbox.config import SandboxConfig
from gateway.sandbox.faultresponses import apply_latency
from gateway.sandbox.limits import Limits
from gateway.sandbox.state import sandbox_of

UNLIMITED_WINDOW = Limits(window_requests=10**9)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class SandboxProcess:
    """``with SandboxProcess(scale=0.5) as bc:`` — ``bc.environ`` holds the ``BC_*`` variables."""

    scale: float = 1.0
    seed: int = 42
    port: int = field(default_factory=free_port)
    _process: subprocess.Popen[bytes] | None = None

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def environ(self) -> dict[str, str]:
        config = SandboxConfig()
        return {
            "BC_BASE_URL": f"{self.origin}/v2.0/{config.tenant}/{config.environment}",
            "BC_TOKEN_URL": f"{self.origin}/{config.tenant}/oauth2/v2.0/token",
            "BC_CLIENT_ID": config.client_id,
            "BC_CLIENT_SECRET": config.client_secret,
        }

    def __enter__(self) -> SandboxProcess:
        command = [sys.executable, __file__, "--port", str(self.port), "--scale", str(self.scale)]
        self._process = subprocess.Popen([*command, "--seed", str(self.seed)])  # noqa: S603
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError("the sandbox process exited while starting")
            try:
                httpx.get(f"{self.origin}/_sandbox/stats", timeout=1.0).raise_for_status()
                return self
            except httpx.HTTPError:
                time.sleep(0.2)
        self.__exit__(None, None, None)
        raise RuntimeError("the sandbox did not start within 120 s")

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if self._process is not None:
            self._process.terminate()
            self._process.wait(timeout=30)
            self._process = None

    def set_latency(self, milliseconds: float) -> None:
        """Every BC request (a ``$batch`` counts once) waits this long while holding its slot."""
        faults: list[dict[str, Any]] = (
            [{"kind": "latency", "latency_ms": milliseconds}] if milliseconds > 0 else []
        )
        httpx.put(f"{self.origin}/_sandbox/faults", json=faults, timeout=10.0).raise_for_status()

    def stats(self) -> dict[str, Any]:
        answer: dict[str, Any] = httpx.get(f"{self.origin}/_sandbox/stats", timeout=10.0).json()
        return answer


class MemoisedReads:
    """ASGI wrapper of the sandbox: an API read (a ``GET`` or a ``$batch`` of them) asked before is
    answered with the same bytes, after BC's slot and latency; everything else goes through."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.answers: dict[tuple[str, str, bytes, bytes], list[Message]] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = str(scope.get("path", ""))
        read = scope.get("method") == "GET" or path.endswith("/$batch")
        if scope["type"] != "http" or "/api/" not in path or not read:
            await self.app(scope, receive, send)
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        key = (str(scope["method"]), path, bytes(scope.get("query_string", b"")), body)
        answer = self.answers.get(key)
        if answer is None:
            await self._first(key, scope, body, send)
            return
        sandbox = sandbox_of(self.app)
        async with sandbox.limiter.slot(SandboxConfig().client_id):
            await apply_latency(sandbox.faults.draw(str(scope["method"]), None), sandbox.faults)
        for message in answer:
            await send(message)

    async def _first(self, key: tuple[str, str, bytes, bytes], scope: Scope, body: bytes, send: Send) -> None:
        sent: list[Message] = []

        async def replay() -> Message:
            return {"type": "http.request", "body": body, "more_body": False}

        async def keep(message: Message) -> None:
            sent.append(message)
            await send(message)

        await self.app(scope, replay, keep)
        if sent and sent[0].get("status") == 200:
            self.answers[key] = sent


def main() -> None:
    import uvicorn

    from gateway.sandbox.app import create_sandbox_app

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    app = create_sandbox_app(SandboxConfig(seed=args.seed, scale=args.scale, limits=UNLIMITED_WINDOW))
    uvicorn.run(MemoisedReads(app), host="127.0.0.1", port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
