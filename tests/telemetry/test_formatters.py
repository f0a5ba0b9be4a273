"""Both log formats show every field a record carries; JSON is one parsable object per line."""

from __future__ import annotations

import json
import logging
import sys
import uuid
from decimal import Decimal

from gateway.telemetry import JsonFormatter, TextFormatter


def record(**extra: object) -> logging.LogRecord:
    made = logging.LogRecord("gateway.audit.bc", logging.INFO, __file__, 1, "bc_call", None, None)
    made.__dict__.update(extra)
    return made


def test_a_json_line_holds_time_level_logger_message_and_the_fields() -> None:
    company = uuid.uuid4()
    line = JsonFormatter().format(
        record(bc_call={"status": 200, "company": company, "amount": Decimal("1.50")})
    )

    assert "\n" not in line
    document = json.loads(line)
    assert document["level"] == "INFO"
    assert document["logger"] == "gateway.audit.bc"
    assert document["message"] == "bc_call"
    assert document["time"].endswith("Z")
    assert document["bc_call"] == {"status": 200, "company": str(company), "amount": "1.50"}


def test_a_json_line_carries_the_traceback_as_one_field() -> None:
    try:
        raise ValueError("boom")
    except ValueError:
        failed = logging.LogRecord("gateway.errors", logging.ERROR, __file__, 1, "oops", None, sys.exc_info())

    line = JsonFormatter().format(failed)

    assert "\n" not in line
    assert "ValueError: boom" in json.loads(line)["exception"]


def test_a_text_line_shows_the_fields_as_key_value_and_leaves_out_empty_ones() -> None:
    line = TextFormatter().format(
        record(access={"status": 200, "operation": "Dashboard", "customer": None, "error_codes": []})
    )

    assert " INFO    gateway.audit.bc bc_call status=200 operation=Dashboard" in line
    assert "customer" not in line
    assert "error_codes" not in line
