"""JSON ``$batch`` (REFERENCE §3.6): many GETs in one HTTP request, each answer routed back.

``POST {route}/$batch`` with ``{"requests": [{"id", "method", "url", "headers"}]}``, URLs relative
to the API root; BC answers ``{"responses": [{"id", "status", "headers", "body"}]}`` and reports
an inner failure in that inner response's ``body.error``.  BC accepts at most 100 operations.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final
from urllib.parse import quote

import httpx
import msgspec

from ._errors import BCError, BCProtocolError, error_from_response

__all__ = [
    "MAX_BATCH_OPERATIONS",
    "BatchOperation",
    "InnerResponse",
    "batch_body",
    "query_string",
    "read_batch",
]

MAX_BATCH_OPERATIONS: Final = 100  # BC online's "Max batch size" (REFERENCE §5)
_SAFE: Final = "$,'()"  # characters OData query options use and that need no escaping
# What quote(text, safe=_SAFE) escapes of ASCII (everything but letters, digits, "_.-~" and
# _SAFE), and the %XX it writes for each.
_ESCAPED: Final = re.compile(r"[^A-Za-z0-9_.\-~$,'()]")
_ESCAPES: Final = {chr(code): f"%{code:02X}" for code in range(128) if _ESCAPED.match(chr(code))}


@dataclass(frozen=True)
class BatchOperation:
    """One inner GET: ``path`` relative to the API root, query options still separate."""

    id: str
    path: str
    params: Mapping[str, str]
    headers: Mapping[str, str] = field(default_factory=dict)

    def url(self) -> str:
        if not self.params:
            return self.path
        return f"{self.path}?{query_string(self.params)}"


def query_string(params: Mapping[str, str]) -> str:
    """``urlencode(params, quote_via=quote, safe=_SAFE)``: %20, not '+', since OData servers
    read a '+' in ``$filter`` literally.  ``quote`` looks up every byte in Python, and a
    ``$select`` or ``$expand`` runs to a thousand; here only the few characters escaped are."""
    return "&".join(f"{_quoted(key)}={_quoted(value)}" for key, value in params.items())


# A pure function of the text; $select, $expand and $orderby are the same few strings in every
# operation, and a customer's filters repeat while it uses the portal.
@functools.lru_cache(maxsize=256)
def _quoted(text: str) -> str:
    if text.isascii():
        return _ESCAPED.sub(_escape, text)
    return quote(text, safe=_SAFE)  # UTF-8 bytes, each as %XX


def _escape(found: re.Match[str]) -> str:
    return _ESCAPES[found.group()]


@dataclass(frozen=True)
class InnerResponse:
    """One inner answer; ``body`` is its JSON exactly as BC sent it, read only by whoever asked
    (a page by its model's reader, an error as an error)."""

    status: int
    headers: Mapping[str, str]
    body: bytes

    @property
    def is_success(self) -> bool:
        return 200 <= self.status < 300

    def error(self) -> BCError:
        """The inner failure as the same ``BCError`` a plain request would have raised."""
        headers = {**self.headers, "content-type": "application/json"}
        return error_from_response(httpx.Response(self.status, headers=headers, content=self.body))


def batch_body(operations: Sequence[BatchOperation]) -> dict[str, Any]:
    return {
        "requests": [
            {"id": op.id, "method": "GET", "url": op.url(), "headers": dict(op.headers)} for op in operations
        ]
    }


class _Answer(msgspec.Struct):
    status: int
    id: str | int | None = None
    headers: dict[str, Any] | None = None
    body: msgspec.Raw = msgspec.Raw(b"null")  # left unparsed: its reader decodes it into models


class _Envelope(msgspec.Struct):
    responses: list[msgspec.Raw]


_ENVELOPE = msgspec.json.Decoder(_Envelope)
_ANSWER = msgspec.json.Decoder(_Answer)


def read_batch(response: httpx.Response) -> tuple[dict[str, InnerResponse], int | None]:
    """The inner responses by id, each body still the bytes BC sent."""
    try:
        answers = _ENVELOPE.decode(response.content).responses
    except msgspec.ValidationError as exc:  # (a subclass of DecodeError: JSON of another shape)
        raise BCProtocolError("Business Central sent a $batch answer without 'responses'") from exc
    except msgspec.DecodeError as exc:
        raise BCProtocolError("Business Central sent a $batch answer that is not JSON") from exc
    inner: dict[str, InnerResponse] = {}
    for raw in answers:
        try:
            answer = _ANSWER.decode(raw)
        except msgspec.ValidationError as exc:
            raise BCProtocolError("Business Central sent a $batch answer that is not a response") from exc
        headers = {str(k): str(v) for k, v in (answer.headers or {}).items()}
        inner[str(answer.id)] = InnerResponse(answer.status, headers, bytes(answer.body))
    return inner, len(inner)
