"""Logs, metrics and traces: how an operator watches the gateway (``docs/observability.md``).

A leaf: it imports nothing from the rest of ``gateway``.  The entry points configure logging
with it; the app builds one :class:`Metrics` and one :class:`Tracer`, and the HTTP edge records
what happens through them (and adapts the BC client's observer seam to them).
"""

from __future__ import annotations

from ._formatters import JsonFormatter, TextFormatter
from ._listener import MetricsListener
from ._logs import AUDIT_LOGGER_NAME, LogFormat, LogSettings, configure_logging, logging_config
from ._metrics import CONTENT_TYPE, BCPressure, Metrics, OperationNames
from ._sinks import AuditFile, AuditStream, failures
from ._tracing import NO_TRACER, Exporter, Span, Tracer, TracingSettings, start_tracing

__all__ = [
    "AUDIT_LOGGER_NAME",
    "CONTENT_TYPE",
    "NO_TRACER",
    "AuditFile",
    "AuditStream",
    "BCPressure",
    "Exporter",
    "JsonFormatter",
    "LogFormat",
    "LogSettings",
    "Metrics",
    "MetricsListener",
    "OperationNames",
    "Span",
    "TextFormatter",
    "Tracer",
    "TracingSettings",
    "configure_logging",
    "failures",
    "logging_config",
    "start_tracing",
]
