"""Real processes for the end-to-end tests: `bc-gateway serve`, `bc-gateway sandbox`, and what they print."""

from __future__ import annotations

import contextlib
import json
import os
import queue
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SCALE = "0.05"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def environ(**variables: str) -> dict[str, str]:
    """This process's environment without any gateway configuration, plus ``variables``."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("BC_", "AUTH_", "GATEWAY_", "SANDBOX_", "PORTAL_", "FORWARDED_"))
    }
    env.update(variables)
    return env


class _Output:
    """A process's output, read by a thread as it comes: a gateway prints a line per request (and
    per BC request), and a pipe nobody reads would fill and stall it."""

    END = None

    def __init__(self, pipe: Any) -> None:
        self.lines: queue.Queue[str | None] = queue.Queue()
        self._thread = threading.Thread(target=self._read, args=(pipe,), daemon=True)
        self._thread.start()

    def _read(self, pipe: Any) -> None:
        for line in pipe:
            self.lines.put(line)
        self.lines.put(self.END)

    def join(self) -> None:
        self._thread.join(timeout=10)


_OUTPUTS: dict[int, _Output] = {}


def start(args: list[str], env: dict[str, str]) -> subprocess.Popen[str]:
    process = subprocess.Popen(
        [sys.executable, *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    _OUTPUTS[process.pid] = _Output(process.stdout)
    return process


def read_until(process: subprocess.Popen[str], marker: str, timeout: float = 120) -> list[str]:
    """The lines ``process`` printed up to and including the first one holding ``marker``."""
    output = _OUTPUTS[process.pid]
    printed: list[str] = []
    deadline = time.monotonic() + timeout
    while (remaining := deadline - time.monotonic()) > 0:
        try:
            line = output.lines.get(timeout=remaining)
        except queue.Empty:
            break
        if line is output.END:
            break
        printed.append(line)
        if marker in line:
            return printed
    raise AssertionError(f"{marker!r} never printed:\n{''.join(printed)}")


def stop(process: subprocess.Popen[str]) -> None:
    if process.poll() is None:
        process.terminate()
    process.wait(timeout=60)
    output = _OUTPUTS.pop(process.pid, None)
    if output is not None:
        output.join()
    if process.stdout is not None:
        process.stdout.close()


def cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "gateway", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=ROOT,
        env=env if env is not None else environ(),
    )


def printed_so_far(process: subprocess.Popen[str]) -> str:
    """What ``process`` printed since it was last read, without waiting for more (all of it, when
    the process has ended)."""
    output = _OUTPUTS[process.pid]
    if process.poll() is not None:
        output.join()
    printed: list[str] = []
    while True:
        try:
            line = output.lines.get_nowait()
        except queue.Empty:
            break
        if line is output.END:
            break
        printed.append(line)
    return "".join(printed)


def refuses_in_one_line(result: subprocess.CompletedProcess[str], variable: str) -> str:
    """``result`` is `serve` stopping before its banner with one line naming ``variable``, exit 2."""
    assert result.returncode == 2, result.stdout + result.stderr
    assert "is running" not in result.stdout
    assert "GraphQL at" not in result.stdout
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"bc-gateway: configuration error: {variable} "), lines[0]
    return lines[0]


@contextlib.contextmanager
def standalone_sandbox() -> Iterator[dict[str, str]]:
    """`bc-gateway sandbox`, and the BC_* values it prints for pointing a gateway at it (plus
    ``origin``, where its ``/_sandbox`` control endpoints are)."""
    port = free_port()
    process = start(["-m", "gateway", "sandbox", "--port", str(port), "--scale", SCALE], environ())
    try:
        printed = read_until(process, "BC_CLIENT_SECRET")
        values = dict(line.split(None, 1) for line in printed if line.strip().startswith("BC_"))
        origin = f"http://127.0.0.1:{port}"
        # It prints its values before uvicorn listens: wait until it answers.
        until_listening(origin + "/_sandbox/stats")
        yield {name: value.strip() for name, value in values.items()} | {"origin": origin}
    finally:
        stop(process)


def until_listening(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5):  # noqa: S310 - the sandbox on loopback
                return
        except OSError:
            time.sleep(0.05)
    raise AssertionError(f"{url} never answered")


@contextlib.contextmanager
def json_server(document: dict[str, Any]) -> Iterator[str]:
    """An HTTP server on loopback answering every GET with ``document`` (e.g. a JWKS); its URL."""
    body = json.dumps(document).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/jwks"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def sandbox_company(sandbox: dict[str, str]) -> str:
    """The first company of the standalone sandbox, asked the way a BC client asks (with the
    standard library: httpx would log BC's URLs, which the leak watch rightly refuses)."""
    form = {
        "grant_type": "client_credentials",
        "client_id": sandbox["BC_CLIENT_ID"],
        "client_secret": sandbox["BC_CLIENT_SECRET"],
        "scope": "https://api.businesscentral.dynamics.com/.default",
    }
    # The sandbox's own http URLs on loopback (S310: no file: or custom scheme can get here).
    body = urllib.parse.urlencode(form).encode()
    request = urllib.request.Request(sandbox["BC_TOKEN_URL"], data=body)  # noqa: S310
    with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310
        token = json.load(answer)["access_token"]
    url = f"{sandbox['BC_BASE_URL']}/api/v2.0/companies"
    companies = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})  # noqa: S310
    with urllib.request.urlopen(companies, timeout=10) as answer:  # noqa: S310
        return str(json.load(answer)["value"][0]["id"])
