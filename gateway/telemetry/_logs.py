"""The process's logging, configured once by each entry point with ``logging.config.dictConfig``.

- Every record — the gateway's, uvicorn's error log, other libraries' — goes to standard output
  in one format: JSON lines (production's default) or readable text (development's).
- The audit trail (``gateway.audit.*``: one record per BC call and per write) does not depend on
  ``GATEWAY_LOG_LEVEL``: it always goes to standard output (unless switched off) and, when a file
  is configured, to that file as JSON lines, rotated by size.  Its sinks count what they fail to
  write (``_sinks.py``).
- uvicorn's access log is replaced by the gateway's own access line (``gateway.access``), one per
  request; httpx's request lines (full BC URLs) are kept out.
"""

from __future__ import annotations

import logging
import logging.config
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Literal

from ._formatters import JsonFormatter, TextFormatter
from ._sinks import AuditFile, AuditStream

__all__ = ["AUDIT_LOGGER_NAME", "LogFormat", "LogSettings", "configure_logging", "logging_config"]

LogFormat = Literal["json", "text"]
AUDIT_LOGGER_NAME: Final = "gateway.audit"
# httpx logs every request at INFO with its full URL: tenant, environment and a customer filter.
_QUIET: Final = ("httpx", "httpcore")


@dataclass(frozen=True)
class LogSettings:
    format: LogFormat = "text"
    level: str = "info"  # debug, info, warning or error
    audit_stdout: bool = True
    audit_file: Path | None = None
    audit_file_max_bytes: int = 100_000_000  # 0: never rotate
    audit_file_backups: int = 10


def logging_config(settings: LogSettings) -> dict[str, Any]:
    """The ``dictConfig`` document for ``settings`` (also handed to uvicorn as ``log_config``)."""
    formatter = JsonFormatter if settings.format == "json" else TextFormatter
    handlers: dict[str, Any] = {
        "stdout": {"class": "logging.StreamHandler", "formatter": "lines", "stream": "ext://sys.stdout"},
        "null": {"class": "logging.NullHandler"},
    }
    audit: list[str] = []
    if settings.audit_stdout:
        handlers["audit_stdout"] = {"()": AuditStream, "formatter": "lines", "stream": "ext://sys.stdout"}
        audit.append("audit_stdout")
    if settings.audit_file is not None:
        handlers["audit_file"] = {
            "()": AuditFile,
            "formatter": "json",
            "filename": str(settings.audit_file),
            "maxBytes": settings.audit_file_max_bytes,
            "backupCount": settings.audit_file_backups,
        }
        audit.append("audit_file")
    level = settings.level.upper()
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"lines": {"()": formatter}, "json": {"()": JsonFormatter}},
        "handlers": handlers,
        "loggers": {
            AUDIT_LOGGER_NAME: {"level": "INFO", "handlers": audit or ["null"], "propagate": False},
            # uvicorn's own handlers go: its records take the gateway's format and destination.
            "uvicorn": {"level": level, "handlers": [], "propagate": True},
            "uvicorn.error": {"level": level, "handlers": [], "propagate": True},
            "uvicorn.access": {"level": "WARNING", "handlers": ["null"], "propagate": False},
            **{name: {"level": "WARNING", "handlers": [], "propagate": True} for name in _QUIET},
        },
        "root": {"level": level, "handlers": ["stdout"]},
    }


def configure_logging(settings: LogSettings) -> None:
    logging.config.dictConfig(logging_config(settings))
