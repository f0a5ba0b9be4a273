"""Real processes on loopback for the replica tests: `bc-gateway sandbox`, `bc-gateway serve` in
production mode, an identity provider's JWKS endpoint, and a reader of what the sandbox holds.

Nothing here is faked below HTTP: the gateways reach the sandbox over TCP with client
credentials, validate tokens against the JWKS they fetch, and share a real redis-server.
"""

from __future__ import annotations

import http.server
import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from gateway.auth import DevIdentityProvider
from gateway.edge.logs import keep_request_urls_out_of_logs
from tests.processes import until_listening
from tests.redis_server import free_port

ROOT = Path(__file__).resolve().parents[2]
# The gateway's own variables are not inherited from the environment the tests run in.
_CONFIGURATION = ("BC_", "AUTH_", "GATEWAY_", "SANDBOX_", "PORTAL_", "DEV_IDP_")


@dataclass
class Served:
    """A `bc-gateway` command running in its own process, and what it printed on the way up."""

    process: subprocess.Popen[str]
    printed: list[str] = field(default_factory=list)
    reader: threading.Thread | None = None

    @classmethod
    def launch(cls, arguments: list[str], variables: Mapping[str, str]) -> Served:
        """Start without waiting (``wait_for`` later), so that several start at once."""
        env = {k: v for k, v in os.environ.items() if not k.startswith(_CONFIGURATION)}
        process = subprocess.Popen(
            [sys.executable, "-m", "gateway", *arguments],
            cwd=ROOT,
            env={**env, **variables},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        return cls(process)

    @classmethod
    def start(cls, arguments: list[str], variables: Mapping[str, str], *, ready: str) -> Served:
        served = cls.launch(arguments, variables)
        served.wait_for(ready)
        return served

    def wait_for(self, marker: str, timeout: float = 120) -> None:
        assert self.process.stdout is not None
        give_up = time.monotonic() + timeout
        while time.monotonic() < give_up:
            line = self.process.stdout.readline()
            if not line:
                break
            self.printed.append(line)
            if marker in line:
                self._keep_reading()
                return
        self.stop()
        raise AssertionError(f"{marker!r} never printed:\n{''.join(self.printed)}")

    def _keep_reading(self) -> None:
        """Read the rest of the output as it comes: a gateway prints a line per request and per BC
        request, and a full pipe would stall it."""
        pipe = self.process.stdout
        assert pipe is not None
        self.reader = threading.Thread(target=lambda: self.printed.extend(pipe), daemon=True)
        self.reader.start()

    def kill(self) -> None:
        """SIGKILL: no shutdown, no cleanup, as when a container is killed."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)
        if self.reader is not None:
            self.reader.join(timeout=10)  # the process ended: its output too
        if self.process.stdout is not None:
            self.process.stdout.close()


def start_sandbox(*, scale: str, clients: int) -> tuple[Served, str, dict[str, str]]:
    """`bc-gateway sandbox` on a free port: the process, its origin and the BC_* values it printed."""
    port = free_port()
    served = Served.start(
        ["sandbox", "--port", str(port), "--scale", scale, "--clients", str(clients)],
        {},
        ready="BC_CLIENT_SECRET",
    )
    values = dict(line.split(None, 1) for line in served.printed if line.strip().startswith("BC_"))
    origin = f"http://127.0.0.1:{port}"
    # It prints its values before uvicorn listens: wait until it answers.
    until_listening(f"{origin}/_sandbox/stats")
    return served, origin, {name: value.strip() for name, value in values.items()}


class IdentityProvider:
    """A customers' identity provider: it signs access tokens, and serves its public keys over
    HTTP on loopback for the gateways to fetch, as a real provider's JWKS endpoint."""

    def __init__(self) -> None:
        self.issuer = "https://login.replicas.test/"
        self.audience = "bc-gateway-replicas"
        self._provider = DevIdentityProvider(self.issuer, self.audience)
        document = json.dumps(self._provider.jwks()).encode()

        class Keys(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(document)))
                self.end_headers()
                self.wfile.write(document)

            def log_message(self, format: str, *args: Any) -> None:
                return

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Keys)
        self.jwks_url = f"http://127.0.0.1:{self._server.server_address[1]}/keys"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def token(self, company_id: str, customer_number: str) -> str:
        return self._provider.mint(uuid.UUID(company_id), customer_number)

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


class BusinessCentral:
    """The sandbox read directly, as its own app registration (not one the gateways use)."""

    def __init__(self, origin: str, values: Mapping[str, str], client: tuple[str, str]) -> None:
        keep_request_urls_out_of_logs()  # as the gateway does: httpx would log every URL
        self.origin = origin
        self._api = f"{values['BC_BASE_URL']}/api/v2.0"
        form = {
            "grant_type": "client_credentials",
            "client_id": client[0],
            "client_secret": client[1],
            "scope": "https://api.businesscentral.dynamics.com/.default",
        }
        token = httpx.post(values["BC_TOKEN_URL"], data=form, timeout=30).json()["access_token"]
        self._http = httpx.Client(headers={"Authorization": f"Bearer {token}"}, timeout=30)

    def rows(self, company: str | None, entity_set: str, **params: str) -> list[dict[str, Any]]:
        where = f"{self._api}/companies({company})/{entity_set}" if company else f"{self._api}/{entity_set}"
        answer = self._http.get(where, params=params)
        answer.raise_for_status()
        rows: list[dict[str, Any]] = answer.json()["value"]
        return rows

    def orders_of(self, company: str, customer: str) -> list[str]:
        """The numbers of a customer's sales orders, as BC holds them now."""
        rows = self.rows(company, "salesOrders", **{"$filter": f"customerNumber eq '{customer}'"})
        return sorted(row["number"] for row in rows)

    def faults(self, faults: list[dict[str, Any]]) -> None:
        self._http.put(f"{self.origin}/_sandbox/faults", json=faults).raise_for_status()

    def stats(self) -> dict[str, Any]:
        stats: dict[str, Any] = self._http.get(f"{self.origin}/_sandbox/stats").json()
        return stats

    def close(self) -> None:
        self._http.close()


def gateway_environment(
    values: Mapping[str, str], identity: IdentityProvider, redis_url: str, **more: str
) -> dict[str, str]:
    """A production gateway on the standalone sandbox, behind a TLS-terminating proxy on this
    machine (it sends `X-Forwarded-Proto: https`), sharing ``redis_url``."""
    return {
        **values,
        "AUTH_ISSUER": identity.issuer,
        "AUTH_AUDIENCE": identity.audience,
        "AUTH_JWKS_URL": identity.jwks_url,
        "GATEWAY_DOCUMENT_KEY": "one-key-for-every-replica-of-this-deployment",
        "GATEWAY_REDIS_URL": redis_url,
        "GATEWAY_REDIS_TIMEOUT_SECONDS": "0.3",
        "GATEWAY_TRUSTED_PROXIES": "127.0.0.1",
        **more,
    }


def start_gateways(count: int, environment: Mapping[str, str]) -> list[tuple[Served, str]]:
    """``count`` `bc-gateway serve` processes, started together; each with its URL."""
    ports = [free_port() for _ in range(count)]
    launched = [Served.launch(["serve", "--port", str(port)], environment) for port in ports]
    for served in launched:
        served.wait_for("GraphQL at")
    return [(served, f"http://127.0.0.1:{port}") for served, port in zip(launched, ports, strict=True)]
