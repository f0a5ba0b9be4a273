"""Watches the whole test run for secrets: every log record and every gateway response body.

``tests/conftest.py`` installs it for the session and, when the session ends, asserts that nothing
it saw holds a bearer token, the BC client secret or a BC URL, and that no log record holds a
signed download link (answers carry them, on purpose); ``tests/test_no_leaks.py`` makes traffic
of its own and asserts the same, so it means something in any order.
"""

from __future__ import annotations

import logging
import re
import traceback
from dataclasses import dataclass, field
from typing import Any

import httpx

PATTERNS = {
    "bearer token (JWT)": re.compile(r"eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*"),
    "Authorization header value": re.compile(r"Bearer\s+[A-Za-z0-9._~+/-]{20,}"),
    "BC client secret": re.compile(re.escape("sandbox-secret")),
    "BC URL": re.compile(r"bc-sandbox\.internal|/v2\.0/[^\s\"']*/api/"),
}
# Answers hand these out; the logs (the access line, the audit trail) must never hold one.
LOG_PATTERNS = {
    "signed download link": re.compile(r"/documents/[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{16,}"),
}
GATEWAY_HOSTS = frozenset({"gateway.test"})
_STANDARD = set(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {"message", "asctime"}


@dataclass
class Watch:
    log_lines: list[str] = field(default_factory=list)
    bodies: list[str] = field(default_factory=list)

    def findings(self) -> list[tuple[str, str]]:
        found = []
        for where, texts, patterns in (
            ("log", self.log_lines, {**PATTERNS, **LOG_PATTERNS}),
            ("response", self.bodies, PATTERNS),
        ):
            for text in texts:
                for name, pattern in patterns.items():
                    match = pattern.search(text)
                    if match:
                        found.append(
                            (f"{where}: {name}", text[max(0, match.start() - 80) : match.end() + 80])
                        )
        return found


WATCH = Watch()


class _Recorder(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        extras = {k: v for k, v in record.__dict__.items() if k not in _STANDARD}
        text = f"{record.name} {record.getMessage()} {extras!r}"
        if record.exc_info:
            text += "".join(traceback.format_exception(*record.exc_info))
        WATCH.log_lines.append(text)


def install() -> Any:
    """Start watching; returns a function that stops."""
    recorder = _Recorder(level=logging.DEBUG)
    root = logging.getLogger()
    previous_level = root.level
    root.addHandler(recorder)
    root.setLevel(logging.INFO)
    original = httpx.ASGITransport.handle_async_request

    async def recording(self: httpx.ASGITransport, request: httpx.Request) -> httpx.Response:
        response = await original(self, request)
        if request.url.host in GATEWAY_HOSTS and not request.url.path.startswith("/dev-idp"):
            await response.aread()
            WATCH.bodies.append(response.text)
        return response

    httpx.ASGITransport.handle_async_request = recording  # type: ignore[method-assign]

    def stop() -> None:
        httpx.ASGITransport.handle_async_request = original  # type: ignore[method-assign]
        root.removeHandler(recorder)
        root.setLevel(previous_level)

    return stop
