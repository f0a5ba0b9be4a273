"""An audit sink that cannot take a record counts it and says so: no record is dropped silently."""

from __future__ import annotations

import io
import logging
from pathlib import Path

import pytest

from gateway.telemetry import AuditFile, AuditStream, JsonFormatter, Metrics, failures
from gateway.telemetry._sinks import WARNINGS


class FullDisk(io.StringIO):
    def write(self, text: str) -> int:
        raise OSError(28, "No space left on device")


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(WARNINGS, "clock", fake)
    return fake


def audit_logger(handler: logging.Handler, name: str) -> logging.Logger:
    logger = logging.getLogger(f"gateway.audit.test.{name}")
    logger.handlers = [handler]
    logger.propagate = False
    logger.setLevel(logging.INFO)
    return logger


def test_a_failing_sink_counts_every_lost_record_and_warns_once_a_minute(
    clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    logger = audit_logger(AuditStream(FullDisk(), sink="full-stream"), "stream")
    before = failures().get("full-stream", 0)

    with caplog.at_level(logging.WARNING, logger="gateway.telemetry"):
        for _ in range(3):
            logger.info("bc_call")
        clock.now += 61
        logger.info("bc_call")

    assert failures()["full-stream"] - before == 4
    warnings = [r.audit_sink for r in caplog.records if r.name == "gateway.telemetry"]  # type: ignore[attr-defined]
    assert [w["records_lost"] for w in warnings] == [1, 3]
    assert warnings[0]["sink"] == "full-stream"
    assert "No space left on device" in warnings[0]["error"]


def test_a_file_on_a_full_disk_counts_its_lost_records_in_the_metrics(clock: Clock) -> None:
    full = Path("/dev/full")
    if not full.exists():
        pytest.skip("/dev/full is a Linux device")
    handler = AuditFile(str(full), sink="full-file")
    handler.setFormatter(JsonFormatter())
    logger = audit_logger(handler, "file")
    before = failures().get("full-file", 0)

    logger.info("bc_call", extra={"bc_call": {"status": 200}})
    logger.info("write_attempt", extra={"write": {"outcome": "created"}})
    handler.close()

    assert failures()["full-file"] - before == 2
    exposed = Metrics().render().decode()
    assert f'bc_gateway_audit_sink_failures_total{{sink="full-file"}} {before + 2}.0' in exposed


def test_a_working_file_gets_one_json_line_per_record_and_rotates(tmp_path: Path) -> None:
    path = tmp_path / "audit.log"
    handler = AuditFile(str(path), maxBytes=300, backupCount=2)
    handler.setFormatter(JsonFormatter())
    logger = audit_logger(handler, "rotating")

    for number in range(6):
        logger.info("bc_call", extra={"bc_call": {"number": number, "padding": "x" * 40}})
    handler.close()

    files = sorted(tmp_path.iterdir())
    assert [f.name for f in files] == ["audit.log", "audit.log.1", "audit.log.2"]
    assert all(line.startswith('{"time"') for f in files for line in f.read_text().splitlines())
