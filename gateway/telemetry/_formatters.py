"""Two formats for every log record: one JSON object per line, or one readable line.

The gateway's records carry their fields as ``extra`` (``extra={"bc_call": {...}}``); both
formats show them, JSON as they are and text as ``key=value``.  A value JSON cannot hold (a
``Decimal``, a ``UUID``) is written as its ``str``; a formatter never fails a record.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any, Final

__all__ = ["JsonFormatter", "TextFormatter", "extras_of"]

# What every LogRecord has, so what is left over is what the caller passed as ``extra``.  uvicorn
# adds ``color_message`` (its message with terminal colours) to its records.
_STANDARD: Final = frozenset(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {
    "message",
    "asctime",
    "taskName",
    "color_message",
}


def extras_of(record: logging.LogRecord) -> dict[str, Any]:
    """The fields the caller passed as ``extra``, in the order it passed them."""
    return {key: value for key, value in record.__dict__.items() if key not in _STANDARD}


def _timestamp(record: logging.LogRecord) -> str:
    moment = datetime.fromtimestamp(record.created, UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


class JsonFormatter(logging.Formatter):
    """``{"time", "level", "logger", "message", …extras, "exception"?}`` on one line."""

    def format(self, record: logging.LogRecord) -> str:
        document: dict[str, Any] = {
            "time": _timestamp(record),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        document.update(extras_of(record))
        if record.exc_info:
            document["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            document["stack"] = self.formatStack(record.stack_info)
        return json.dumps(document, default=str, ensure_ascii=False, separators=(",", ":"))


class TextFormatter(logging.Formatter):
    """``10:58:51.123 INFO gateway.access request key=value …`` for a person at a terminal."""

    def format(self, record: logging.LogRecord) -> str:
        moment = datetime.fromtimestamp(record.created, UTC).strftime("%H:%M:%S.%f")[:-3]
        parts = [moment, f"{record.levelname:<7}", record.name, record.getMessage()]
        parts.extend(f"{key}={_text(value)}" for key, value in _flat(extras_of(record)))
        line = " ".join(parts)
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        if record.stack_info:
            line += "\n" + self.formatStack(record.stack_info)
        return line


def _flat(fields: dict[str, Any]) -> list[tuple[str, Any]]:
    """One level of nesting unpacked (``{"bc_call": {"status": 200}}`` → ``status=200``); values
    that say nothing (``None``, empty lists) left out."""
    flat: list[tuple[str, Any]] = []
    for key, value in fields.items():
        items = value.items() if isinstance(value, dict) else [(key, value)]
        flat.extend((name, inner) for name, inner in items if inner is not None and inner != [])
    return flat


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value if value and " " not in value and '"' not in value else json.dumps(value)
    if isinstance(value, list | tuple):
        return ",".join(str(item) for item in value)
    return json.dumps(value, default=str) if isinstance(value, dict) else str(value)
