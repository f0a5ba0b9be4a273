"""The image and the compose file: what they promise an operator, checked without Docker where it
is absent (it is on most CI machines without an engine) and with Docker where it runs."""

from __future__ import annotations

import re
import shutil
import ssl
import subprocess

import pytest

from tests.certificates import Certificate
from tests.deploy.compose import ROOT, compose, environment

DOCKERFILE = (ROOT / "Dockerfile").read_text(encoding="utf-8")


def _instructions(name: str) -> list[str]:
    return [line.split(None, 1)[1] for line in DOCKERFILE.splitlines() if line.startswith(f"{name} ")]


def test_the_image_runs_serve_as_an_unprivileged_user_with_a_health_check() -> None:
    assert _instructions("USER") == ["gateway"]
    assert _instructions("CMD") == ['["bc-gateway", "serve"]']
    assert _instructions("HEALTHCHECK")[0].endswith('CMD ["bc-gateway", "healthcheck"]')
    assert all(base.startswith("python:3.11-slim") for base in _instructions("FROM"))


def test_the_image_installs_the_project_without_its_dev_dependencies() -> None:
    assert "pip install ." in DOCKERFILE
    assert "[dev]" not in DOCKERFILE


def test_the_build_context_is_only_what_the_image_needs() -> None:
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
    assert ignored[ignored.index("*") :][:4] == ["*", "!pyproject.toml", "!README.md", "!gateway/"]


def test_compose_runs_two_production_replicas_that_share_redis_and_the_document_key() -> None:
    services = compose()["services"]
    replicas = [environment(services[name]) for name in ("gateway-1", "gateway-2")]
    assert replicas[0] == replicas[1]
    replica = replicas[0]
    assert replica["BC_BASE_URL"].startswith("https://")
    assert replica["BC_TOKEN_URL"].startswith("https://")  # the client secret travels over TLS
    assert replica["GATEWAY_REDIS_URL"] == "redis://redis:6379/0"
    assert len(replica["GATEWAY_DOCUMENT_KEY"]) >= 32
    assert "redis-server" in services["redis"]["command"]
    assert services["redis"]["command"][-2:] == ["--appendonly", "yes"]  # idempotency keys survive


def test_only_the_load_balancer_is_published_and_the_replicas_trust_only_it() -> None:
    services = compose()["services"]
    assert [name for name, service in services.items() if "ports" in service] == ["lb"]
    assert all(port.startswith("127.0.0.1:") for port in services["lb"]["ports"])
    lb_address = services["lb"]["networks"]["fleet"]["ipv4_address"]
    assert environment(services["gateway-1"])["GATEWAY_TRUSTED_PROXIES"] == lb_address


def test_every_long_running_service_has_a_health_check_and_replicas_get_time_to_drain() -> None:
    services = compose()["services"]
    for name in ("redis", "sandbox", "lb"):
        assert "test" in services[name]["healthcheck"], name
    # gateway-1/2 and idp use the image's HEALTHCHECK (bc-gateway healthcheck).
    for name in ("gateway-1", "gateway-2", "idp"):
        assert "healthcheck" not in services[name], name
    replica = services["gateway-1"]
    drain_and_grace = float(replica["environment"]["GATEWAY_SHUTDOWN_DRAIN_SECONDS"]) + float(
        replica["environment"]["GATEWAY_SHUTDOWN_GRACE_SECONDS"]
    )
    assert int(replica["stop_grace_period"].removesuffix("s")) > drain_and_grace


def _compose_command() -> list[str] | None:
    if shutil.which("docker") and _runs(["docker", "compose", "version"]):
        return ["docker", "compose"]
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    return None


def _runs(command: list[str]) -> bool:
    return subprocess.run(command, capture_output=True, timeout=60, check=False).returncode == 0


def test_docker_compose_accepts_the_compose_file() -> None:
    command = _compose_command()
    if command is None:
        pytest.skip("neither `docker compose` nor `docker-compose` is installed")
    result = subprocess.run(
        [*command, "-f", str(ROOT / "compose.yaml"), "config", "-q"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.slow
def test_docker_builds_the_image() -> None:
    if shutil.which("docker") is None or not _runs(["docker", "info"]):
        pytest.skip("no Docker engine runs on this machine (`docker info` fails)")
    result = subprocess.run(
        ["docker", "build", "-t", "bc-gateway:test", "."],
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]


def test_the_load_balancers_configuration_is_valid(certificates: Certificate) -> None:
    if shutil.which("caddy") is None:
        pytest.skip("caddy is not installed (apt-get install caddy)")
    result = subprocess.run(
        ["caddy", "validate", "--config", str(ROOT / "deploy" / "Caddyfile"), "--adapter", "caddyfile"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={
            "PATH": "/usr/bin:/bin",
            "HOME": str(certificates.cert_file.parent),
            "CERTS_DIR": str(certificates.cert_file.parent),
        },
    )
    assert result.returncode == 0, result.stderr


def test_the_certificate_script_makes_a_chain_a_client_trusting_its_ca_accepts(
    certificates: Certificate,
) -> None:
    directory = certificates.cert_file.parent
    server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server.load_cert_chain(certificates.cert_file, certificates.key_file)
    for name in ("localhost", "bc.internal"):
        client = ssl.create_default_context(cafile=directory / "ca.crt")
        assert _handshake(server, client, name) == "TLSv1.3"
    assert oct(certificates.key_file.stat().st_mode & 0o777) == "0o600"


def test_the_certificate_script_keeps_what_it_made(certificates: Certificate) -> None:
    before = certificates.cert_file.read_bytes()
    subprocess.run(
        [
            "python3",
            str(ROOT / "deploy" / "certificates.py"),
            str(certificates.cert_file.parent),
            "localhost",
        ],
        check=True,
        timeout=60,
    )
    assert certificates.cert_file.read_bytes() == before


def _handshake(server: ssl.SSLContext, client: ssl.SSLContext, name: str) -> str | None:
    """A TLS handshake in memory between ``client`` (checking ``name``) and ``server``."""
    to_server, to_client = ssl.MemoryBIO(), ssl.MemoryBIO()
    serving = server.wrap_bio(to_server, to_client, server_side=True)
    asking = client.wrap_bio(to_client, to_server, server_hostname=name)
    done = {id(serving): False, id(asking): False}
    for _ in range(10):
        for side in (asking, serving):
            if not done[id(side)]:
                try:
                    side.do_handshake()
                    done[id(side)] = True
                except ssl.SSLWantReadError:
                    pass
        if all(done.values()):
            return asking.version()
    raise AssertionError("the handshake did not finish")


def test_no_compose_value_names_a_host_outside_the_fleet() -> None:
    """Every URL a replica uses points at a compose service (or the published entrance)."""
    services = set(compose()["services"]) | {"bc.internal", "localhost"}
    for value in environment(compose()["services"]["gateway-1"]).values():
        for host in re.findall(r"://(?:[^@/]*@)?([^:/]+)", value):
            assert host in services, value
