"""Where audit records go, and what happens when a destination fails to take one.

The stdlib's handlers report a failed write (a full disk, a file that vanished, a closed pipe) by
printing a traceback to stderr and carrying on: the record is gone and nobody counts it.  The
audit handlers here count every record a sink failed to take (``failures()``, read by the
``/metrics`` endpoint) and say so in a warning on ``gateway.telemetry`` — once, then at most once
a minute per sink with the count since — so a dropped record is never silent.
"""

from __future__ import annotations

import contextlib
import logging
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from logging.handlers import RotatingFileHandler
from typing import Any, Final, TextIO

__all__ = ["AuditFile", "AuditStream", "failures"]

LOGGER: Final = logging.getLogger("gateway.telemetry")
WARNING_INTERVAL_SECONDS: Final = 60.0

# Logging is process-wide, and so are these counts (the app's /metrics reads them).
_failures: Counter[str] = Counter()
_lock = threading.Lock()
_reporting = threading.local()


def failures() -> dict[str, int]:
    """Records each audit sink failed to take since the process started, by sink name."""
    with _lock:
        return dict(_failures)


class _Warnings:
    """At most one warning per ``interval`` per sink, carrying the failures since the last one."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._last: dict[str, float] = {}
        self._unreported: Counter[str] = Counter()

    def due(self, sink: str) -> int:
        """How many failures to report now (0: not yet)."""
        with _lock:
            self._unreported[sink] += 1
            now = self.clock()
            last = self._last.get(sink)
            if last is not None and now - last < WARNING_INTERVAL_SECONDS:
                return 0
            self._last[sink] = now
            return self._unreported.pop(sink)


WARNINGS: Final = _Warnings()


def _failed(sink: str) -> None:
    """Count one record ``sink`` could not take (called inside the handler's ``except``)."""
    with _lock:
        _failures[sink] += 1
    pending = WARNINGS.due(sink)
    if not pending or getattr(_reporting, "active", False):
        return
    error = sys.exc_info()[1]
    _reporting.active = True  # a warning that fails on the same sink must not recurse
    try:
        LOGGER.warning(
            "audit_sink_failed",
            extra={
                "audit_sink": {
                    "sink": sink,
                    "records_lost": pending,
                    "error": f"{type(error).__name__}: {error}" if error else None,
                }
            },
        )
    finally:
        _reporting.active = False


class AuditStream(logging.StreamHandler[TextIO]):
    """Audit records to a stream (standard output), failures counted as ``sink``."""

    def __init__(self, stream: TextIO | None = None, *, sink: str = "stdout") -> None:
        super().__init__(stream)
        self.sink = sink

    def handleError(self, record: logging.LogRecord) -> None:
        _failed(self.sink)


class AuditFile(RotatingFileHandler):
    """Audit records appended to a file, rotated at ``maxBytes`` (0: never) keeping
    ``backupCount`` old files; failures counted as ``sink``."""

    def __init__(self, filename: str, *, sink: str = "file", **kwargs: Any) -> None:
        super().__init__(filename, encoding="utf-8", **kwargs)
        self.sink = sink

    def handleError(self, record: logging.LogRecord) -> None:
        _failed(self.sink)

    def close(self) -> None:
        # What the file still buffers could not be written before either: those records are
        # counted already, and closing must not fail the shutdown or a reconfiguration.
        with contextlib.suppress(OSError):
            super().close()
