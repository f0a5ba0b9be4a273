"""compose.yaml's fleet without Docker: the same Caddyfile, the same certificates script and the
replicas' environment from compose.yaml, with loopback addresses in place of the compose names —
Redis, the standalone sandbox behind the load balancer's TLS, the demo identity provider, two
production replicas and Caddy, each a real process.

It shows what `docker compose up` promises: a customer's query answered over HTTPS through the load
balancer, the BC client secret sent only over TLS, and a replica stopped with SIGTERM while
traffic flows — readiness first, then the drain — without one failed request."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import ssl
import subprocess
import threading
import time
from collections.abc import Iterator

import httpx
import pytest

from tests import processes
from tests.certificates import Certificate
from tests.deploy.compose import ROOT, compose, environment
from tests.redis_server import RedisServer, require_redis_server

pytestmark = pytest.mark.slow

ME = {"query": "{ me { number } }"}


def _replica_environment(port: int, fleet: dict[str, str]) -> dict[str, str]:
    """compose.yaml's gateway environment, its compose names replaced by this machine's addresses."""
    env = environment(compose()["services"]["gateway-1"])
    for name, value in env.items():
        for compose_name, here in fleet.items():
            value = value.replace(compose_name, here)
        env[name] = value
    return processes.environ(**{**env, "GATEWAY_HOST": "127.0.0.1", "GATEWAY_PORT": str(port)})


@contextlib.contextmanager
def _caddy(certificates: Certificate, addresses: dict[str, str]) -> Iterator[subprocess.Popen[str]]:
    home = certificates.cert_file.parent / "caddy-home"
    home.mkdir(exist_ok=True)
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(home),
        "XDG_DATA_HOME": str(home),
        "XDG_CONFIG_HOME": str(home),
        "CERTS_DIR": str(certificates.cert_file.parent),
        **addresses,
    }
    process = subprocess.Popen(
        ["caddy", "run", "--config", str(ROOT / "deploy" / "Caddyfile"), "--adapter", "caddyfile"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        yield process
    finally:
        process.terminate()
        process.wait(timeout=30)


def _until_answered(client: httpx.Client, url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with contextlib.suppress(httpx.HTTPError):
            if client.get(url).status_code == 200:
                return
        time.sleep(0.2)
    raise AssertionError(f"{url} never answered 200")


@pytest.fixture(scope="module")
def fleet(certificates: Certificate, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, object]]:
    if shutil.which("caddy") is None:
        pytest.skip("caddy is not installed (apt-get install caddy)")
    redis = RedisServer(require_redis_server(), tmp_path_factory.mktemp("redis"))
    redis.start()
    ports = {name: processes.free_port() for name in ("public", "bc", "admin", "idp", "one", "two")}
    started: list[subprocess.Popen[str]] = []
    try:
        with processes.standalone_sandbox() as sandbox:
            idp = processes.start(
                ["-m", "gateway", "serve"],
                processes.environ(
                    GATEWAY_PORT=str(ports["idp"]), SANDBOX_SCALE=processes.SCALE, GATEWAY_PORTAL="off"
                ),
            )
            started.append(idp)
            processes.read_until(idp, "The demo customers:")
            here = {
                "bc.internal:8101": f"localhost:{ports['bc']}",
                "http://idp:8000": f"http://127.0.0.1:{ports['idp']}",
                "redis://redis:6379/0": redis.url,
                "/certs/ca.crt": str(certificates.cert_file.parent / "ca.crt"),
                "172.29.0.10": "127.0.0.1",
                "https://localhost:8443": f"https://127.0.0.1:{ports['public']}",
            }
            replicas = {}
            for name in ("one", "two"):
                replica = processes.start(["-m", "gateway", "serve"], _replica_environment(ports[name], here))
                started.append(replica)
                replicas[name] = replica
            for replica in replicas.values():
                processes.read_until(replica, "GraphQL at")
            addresses = {
                "CADDY_ADMIN": f"localhost:{ports['admin']}",
                "PUBLIC_SITES": f"https://127.0.0.1:{ports['public']}",
                "GATEWAYS": f"127.0.0.1:{ports['one']} 127.0.0.1:{ports['two']}",
                "BC_SITE": f"https://localhost:{ports['bc']}",
                "SANDBOX": sandbox["origin"].removeprefix("http://"),
            }
            with _caddy(certificates, addresses):
                verify = ssl.create_default_context(cafile=certificates.cert_file.parent / "ca.crt")
                with httpx.Client(verify=verify, timeout=30) as client:
                    entrance = f"https://127.0.0.1:{ports['public']}"
                    _until_answered(client, f"{entrance}/readyz")
                    minted = processes.cli(
                        "token", "--customer", "10000", "--gateway", f"http://127.0.0.1:{ports['idp']}"
                    )
                    assert minted.returncode == 0, minted.stderr
                    yield {
                        "client": client,
                        "entrance": entrance,
                        "header": json.loads(minted.stdout),
                        "replicas": replicas,
                        "ports": ports,
                        "sandbox": sandbox,
                    }
    finally:
        for process in started:
            processes.stop(process)
        redis.stop()


def test_a_customers_query_is_answered_over_https_through_the_load_balancer(fleet: dict[str, object]) -> None:
    client = fleet["client"]
    assert isinstance(client, httpx.Client)
    answer = client.post(f"{fleet['entrance']}/graphql", json=ME, headers=fleet["header"])  # type: ignore[arg-type]
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"data": {"me": {"number": "10000"}}}
    # The replica believed the load balancer's X-Forwarded-Proto: HTTPS, so HSTS.
    assert answer.headers["strict-transport-security"].startswith("max-age=")


def test_a_replica_stopped_while_traffic_flows_fails_no_request(fleet: dict[str, object]) -> None:
    client = fleet["client"]
    assert isinstance(client, httpx.Client)
    replicas = fleet["replicas"]
    assert isinstance(replicas, dict)
    statuses: list[int] = []
    stop = threading.Event()

    def traffic() -> None:
        while not stop.is_set():
            answer = client.post(f"{fleet['entrance']}/graphql", json=ME, headers=fleet["header"])  # type: ignore[arg-type]
            statuses.append(answer.status_code)

    worker = threading.Thread(target=traffic)
    worker.start()
    try:
        time.sleep(1)
        replicas["one"].send_signal(signal.SIGTERM)
        exit_status = replicas["one"].wait(timeout=60)
        time.sleep(1)
    finally:
        stop.set()
        worker.join(timeout=60)
    assert exit_status == -signal.SIGTERM
    assert len(statuses) > 20
    assert set(statuses) == {200}, statuses
