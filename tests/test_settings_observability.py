"""The logs', audit trail's, metrics' and tracing's variables: defaults per mode, and each
problem one line naming its variable (a secret's value never repeated)."""

from __future__ import annotations

from pathlib import Path

import pytest

from gateway.settings import ConfigError, settings_from_environ
from tests.test_settings import ONLINE

COLLECTOR = {"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"}


def test_logs_are_text_in_development_and_json_in_production() -> None:
    assert settings_from_environ({}).logs.format == "text"
    assert settings_from_environ(ONLINE).logs.format == "json"
    assert settings_from_environ({**ONLINE, "GATEWAY_LOG_FORMAT": "text"}).logs.format == "text"


def test_the_audit_trail_is_on_and_on_standard_output_by_default() -> None:
    logs = settings_from_environ({}).logs
    assert (logs.audit_stdout, logs.audit_file, logs.level) == (True, None, "info")


def test_an_audit_file_and_its_rotation_are_read(tmp_path: Path) -> None:
    path = tmp_path / "audit.log"
    logs = settings_from_environ(
        {
            "GATEWAY_AUDIT_FILE": str(path),
            "GATEWAY_AUDIT_FILE_MAX_BYTES": "1000000",
            "GATEWAY_AUDIT_FILE_BACKUPS": "3",
            "GATEWAY_AUDIT_STDOUT": "off",
            "GATEWAY_LOG_LEVEL": "warning",
        }
    ).logs
    assert (logs.audit_file, logs.audit_file_max_bytes, logs.audit_file_backups) == (path, 1_000_000, 3)
    assert (logs.audit_stdout, logs.level) == (False, "warning")


def test_an_audit_file_that_cannot_be_written_stops_start_up(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        settings_from_environ({"GATEWAY_AUDIT_FILE": str(tmp_path / "missing" / "audit.log")})
    assert caught.value.variable == "GATEWAY_AUDIT_FILE"
    assert "cannot be opened for appending" in caught.value.problem


@pytest.mark.parametrize(
    ("environ", "variable"),
    [
        ({"GATEWAY_LOG_FORMAT": "xml"}, "GATEWAY_LOG_FORMAT"),
        ({"GATEWAY_LOG_LEVEL": "verbose"}, "GATEWAY_LOG_LEVEL"),
        ({"GATEWAY_METRICS_PORT": "0"}, "GATEWAY_METRICS_PORT"),
        ({"OTEL_TRACES_EXPORTER": "jaeger"}, "OTEL_TRACES_EXPORTER"),
        ({"OTEL_EXPORTER_OTLP_ENDPOINT": "collector:4318"}, "OTEL_EXPORTER_OTLP_ENDPOINT"),
    ],
)
def test_a_bad_value_names_its_variable(environ: dict[str, str], variable: str) -> None:
    with pytest.raises(ConfigError) as caught:
        settings_from_environ(environ)
    assert caught.value.variable == variable


def test_a_short_metrics_token_is_refused_without_repeating_it() -> None:
    with pytest.raises(ConfigError) as caught:
        settings_from_environ({"GATEWAY_METRICS_TOKEN": "short-secret"})
    assert caught.value.variable == "GATEWAY_METRICS_TOKEN"
    assert "short-secret" not in str(caught.value)


def test_the_metrics_token_port_and_host_are_read() -> None:
    metrics = settings_from_environ(
        {
            "GATEWAY_METRICS_TOKEN": "a-metrics-token-of-some-length",
            "GATEWAY_METRICS_PORT": "9464",
            "GATEWAY_METRICS_HOST": "10.0.0.7",
        }
    ).metrics
    assert (metrics.token, metrics.port, metrics.host) == (
        b"a-metrics-token-of-some-length",
        9464,
        "10.0.0.7",
    )
    assert "a-metrics-token" not in repr(metrics)


@pytest.mark.parametrize(
    ("environ", "exporter", "endpoint"),
    [
        ({}, "none", None),
        (
            {"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318/"},
            "otlp",
            "http://collector:4318/v1/traces",
        ),
        (
            {
                "OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318",
                "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "https://traces.example.com/v1/traces",
            },
            "otlp",
            "https://traces.example.com/v1/traces",
        ),
        ({"OTEL_TRACES_EXPORTER": "console"}, "console", None),
        (
            {"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318", "OTEL_TRACES_EXPORTER": "none"},
            "none",
            None,
        ),
        ({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318", "OTEL_SDK_DISABLED": "true"}, "none", None),
    ],
)
def test_tracing_follows_the_standard_otel_variables(
    environ: dict[str, str], exporter: str, endpoint: str | None
) -> None:
    tracing = settings_from_environ({**environ, "OTEL_SERVICE_NAME": "portal-gateway"}).tracing
    assert (tracing.exporter, tracing.enabled) == (exporter, exporter != "none")
    if exporter == "otlp":
        assert tracing.endpoint == endpoint
    assert tracing.service_name == "portal-gateway"
