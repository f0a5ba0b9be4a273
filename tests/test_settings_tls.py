"""TLS and shutdown settings: a certificate and key read at start-up, every problem one line
naming the variable; the drain and grace periods with their development and production defaults."""

from __future__ import annotations

import ssl
from pathlib import Path

import pytest

from gateway.settings import ConfigError, settings_from_environ
from tests.certificates import Certificate, self_signed
from tests.test_settings import ONLINE


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> Certificate:
    return self_signed(tmp_path_factory.mktemp("tls"))


def _tls(cert: Path, key: Path) -> dict[str, str]:
    return {"GATEWAY_TLS_CERT_FILE": str(cert), "GATEWAY_TLS_KEY_FILE": str(key)}


def _refused(environ: dict[str, str]) -> ConfigError:
    with pytest.raises(ConfigError) as caught:
        settings_from_environ(environ)
    assert "\n" not in str(caught.value)
    return caught.value


def test_without_certificate_the_gateway_serves_plain_http() -> None:
    assert settings_from_environ({}).serve.tls is None


def test_a_certificate_and_key_make_a_context_that_refuses_anything_before_tls_1_2(
    certificate: Certificate,
) -> None:
    tls = settings_from_environ(_tls(certificate.cert_file, certificate.key_file)).serve.tls
    assert tls is not None
    assert tls.minimum_version is ssl.TLSVersion.TLSv1_2


@pytest.mark.parametrize(
    ("given", "missing"),
    [("GATEWAY_TLS_CERT_FILE", "GATEWAY_TLS_KEY_FILE"), ("GATEWAY_TLS_KEY_FILE", "GATEWAY_TLS_CERT_FILE")],
)
def test_a_certificate_without_its_key_or_a_key_without_its_certificate_names_the_missing_one(
    certificate: Certificate, given: str, missing: str
) -> None:
    files = _tls(certificate.cert_file, certificate.key_file)
    assert _refused({given: files[given]}).variable == missing


def test_a_key_that_is_not_the_certificates_names_the_key(certificate: Certificate, tmp_path: Path) -> None:
    other = self_signed(tmp_path, "other")
    refused = _refused(_tls(certificate.cert_file, other.key_file))
    assert refused.variable == "GATEWAY_TLS_KEY_FILE"
    assert "is not the key of the certificate" in refused.problem


def test_an_encrypted_key_is_refused_without_a_prompt(tmp_path: Path) -> None:
    locked = self_signed(tmp_path, passphrase=b"open sesame")
    refused = _refused(_tls(locked.cert_file, locked.key_file))
    assert refused.variable == "GATEWAY_TLS_KEY_FILE"
    assert "encrypted" in refused.problem


@pytest.mark.parametrize("swap", ["GATEWAY_TLS_CERT_FILE", "GATEWAY_TLS_KEY_FILE"])
def test_a_file_of_the_wrong_kind_names_its_variable(
    certificate: Certificate, tmp_path: Path, swap: str
) -> None:
    files = _tls(certificate.cert_file, certificate.key_file)
    wrong = tmp_path / "wrong.pem"
    wrong.write_text("not a PEM file\n")
    files[swap] = str(wrong)
    assert _refused(files).variable == swap


def test_the_key_is_never_repeated_in_an_error(certificate: Certificate, tmp_path: Path) -> None:
    key_text = certificate.key_file.read_text()
    mismatched = _refused(_tls(self_signed(tmp_path, "other").cert_file, certificate.key_file))
    assert key_text.splitlines()[1] not in str(mismatched)


def test_shutdown_drains_in_production_and_stops_at_once_in_development_by_default() -> None:
    development, production = settings_from_environ({}).serve, settings_from_environ(ONLINE).serve
    assert (development.drain_seconds, development.grace_seconds) == (0.0, 25)
    assert (production.drain_seconds, production.grace_seconds) == (5.0, 25)


@pytest.mark.parametrize(
    ("variable", "value"),
    [("GATEWAY_SHUTDOWN_DRAIN_SECONDS", "-1"), ("GATEWAY_SHUTDOWN_GRACE_SECONDS", "1.5")],
)
def test_a_bad_shutdown_period_names_its_variable(variable: str, value: str) -> None:
    assert _refused({variable: value}).variable == variable
