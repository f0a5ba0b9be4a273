"""The process's logging as the entry points configure it, in a process of its own (logging is
process-wide): one format for every logger, the audit trail routed on its own and kept whatever
the level, uvicorn's access log replaced, httpx's URLs kept out."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from gateway.telemetry import LogSettings, logging_config

SCRIPT = """
import logging, sys
from pathlib import Path
from gateway.telemetry import LogSettings, configure_logging
audit_file = Path(sys.argv[3]) if sys.argv[3] else None
configure_logging(LogSettings(format=sys.argv[1], level=sys.argv[2], audit_file=audit_file))
logging.getLogger("gateway.audit.bc").info("bc_call", extra={"bc_call": {"status": 200}})
logging.getLogger("gateway.access").info("request", extra={"access": {"status": 200}})
logging.getLogger("gateway.errors").warning("bc_error", extra={"bc_code": "x"})
logging.getLogger("uvicorn.error").info("Application startup complete.")
logging.getLogger("uvicorn.access").info('127.0.0.1 - "GET / HTTP/1.1" 200')
logging.getLogger("httpx").info("HTTP Request: GET https://bc.example/secret-path")
"""


def run(log_format: str, level: str, audit_file: Path | None = None) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, log_format, level, str(audit_file or "")],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert done.stderr == ""
    return done.stdout.splitlines()


def test_json_puts_every_logger_on_standard_output_as_json_lines_and_drops_uvicorns_access_log() -> None:
    lines = [json.loads(line) for line in run("json", "INFO")]

    assert [(line["logger"], line["message"]) for line in lines] == [
        ("gateway.audit.bc", "bc_call"),
        ("gateway.access", "request"),
        ("gateway.errors", "bc_error"),
        ("uvicorn.error", "Application startup complete."),
    ]
    assert lines[0]["bc_call"] == {"status": 200}


def test_the_audit_trail_is_written_whatever_the_level() -> None:
    lines = [json.loads(line) for line in run("json", "ERROR")]

    assert [line["logger"] for line in lines] == ["gateway.audit.bc"]


def test_text_is_one_readable_line_per_record() -> None:
    lines = run("text", "INFO")

    assert len(lines) == 4
    assert "gateway.audit.bc bc_call status=200" in lines[0]


def test_an_audit_file_gets_the_audit_trail_as_json_and_nothing_else(tmp_path: Path) -> None:
    path = tmp_path / "audit.log"
    printed = run("text", "INFO", path)

    written = [json.loads(line) for line in path.read_text().splitlines()]
    assert [(line["logger"], line["bc_call"]) for line in written] == [("gateway.audit.bc", {"status": 200})]
    assert len(printed) == 4  # standard output still has it too


def test_the_audit_trail_can_leave_standard_output() -> None:
    config = logging_config(LogSettings(audit_stdout=False))

    assert config["loggers"]["gateway.audit"]["handlers"] == ["null"]
